// The lesson room: joins the lesson, waits for each camera check (the server holds the request
// until one is issued, so nobody knows in advance), answers it with a webcam frame and shows
// its verdict. A liveness check (its challenge carries `liveness`) shows the instruction to turn
// the head to one side and answers with a burst of unmirrored frames taken over two seconds; a
// two-step check (LEFT_THEN_RIGHT / RIGHT_THEN_LEFT) asks for the other side halfway through a
// burst of eight frames over three and a half seconds. Survives a reload (the server lists the
// checks so far) and a dropped network
// (every call is tried again; a picture is retried until its deadline, and the server accepts
// only one answer per check).

import { ApiError, call, isPassing, patiently, sleep } from "./calls.js";
import { Camera, showCameraProblem } from "./camera.js";
import { CheckList } from "./checks.js";
import { THEN_WORDS, TURN_WORDS } from "./words.js";

const IN_LESSON = "You are in the lesson. Keep this page open: checks come at random moments.";
const SAFETY_MS = 1500; // stop sending this long before the deadline
const BURST_FRAMES = 5; // a liveness burst: frames at 0, 0.5, 1.0, 1.5 and 2.0 s
const TWO_STEP_FRAMES = 8; // a two-step: 0 to 3.5 s, the other side asked after the 4th frame
const BURST_GAP_MS = 500;

const root = document.getElementById("room");
const lessonPath = `/lessons/${root.dataset.lessonId}`;
const statusLine = document.getElementById("room-status");
const problemBox = document.getElementById("camera-problem");
const camera = new Camera(document.getElementById("preview"), (p) => showCameraProblem(problemBox, p));
const checks = new CheckList(document.getElementById("checks"));
const turnBox = document.getElementById("liveness");
const answering = new Set(); // challenge ids this page is answering or has answered
const watching = new Set(); // capture ids whose verdict is awaited

function say(text, state) {
  statusLine.textContent = text;
  root.dataset.state = state;
}

// The room is done with (the lesson is over, or a refusal it cannot get past): the camera is
// switched off, never left on behind a page that says it no longer needs it.
function leave(text, state) {
  say(text, state);
  camera.close();
}

function offline() {
  say("Connection lost: trying again\u2026", "offline");
}

async function begin() {
  document.getElementById("camera-retry").addEventListener("click", () => camera.start());
  camera.start();
  await showChecksSoFar();
  let answer = await joinLesson();
  if (answer === null) return;
  say(IN_LESSON, "in");
  while (answer.next_poll_after !== null) {
    const due = answer.challenge;
    if (due && !answering.has(due.id)) await answerCheck(due, answer.retry_after_seconds);
    else if (due) await sleep(1000);
    answer = await patiently(() => call("GET", `${lessonPath}/challenges/next?wait=60`), offline);
    if (root.dataset.state === "offline") say(IN_LESSON, "in");
  }
  leave("The lesson is over. Thank you! You can close this page.", "over");
}

async function joinLesson() {
  for (;;) {
    try {
      return await patiently(() => call("POST", `${lessonPath}/join`), offline);
    } catch (error) {
      if (!(error instanceof ApiError) || error.status !== 409) {
        leave(error.message, "refused");
        return null;
      }
      const lesson = await patiently(() => call("GET", lessonPath), offline);
      if (lesson.status === "FINISHED") {
        leave("This lesson is over.", "over");
        return null;
      }
      say("Waiting for the instructor to start the lesson\u2026", "waiting");
      await sleep(5000);
    }
  }
}

// The checks issued so far, as the server knows them (after a reload, too).
async function showChecksSoFar() {
  const known = await patiently(() => call("GET", `${lessonPath}/checks`), offline);
  for (const check of known) {
    if (answering.has(check.challenge_id) && check.verdict === "PENDING" && !check.capture_id) {
      continue; // being answered by this page right now
    }
    checks.show(check);
    if (check.capture_id) answering.add(check.challenge_id);
    if (check.verdict === "PENDING" && check.capture_id) watchVerdict(check.challenge_id, check.capture_id);
  }
}

async function answerCheck(challenge, secondsLeft) {
  answering.add(challenge.id);
  const until = Date.now() + secondsLeft * 1000;
  const direction = challenge.liveness ? challenge.liveness.direction : null;
  const shown = {
    challenge_id: challenge.id,
    kind: challenge.kind,
    issued_at: challenge.issued_at,
    verdict: "PENDING",
    liveness: direction,
  };
  const taking = direction ? TURN_WORDS[direction] : "Look at the camera: taking a picture\u2026";
  checks.show({ ...shown, note: taking });
  let burst = null; // taken once: a retry sends the same frames
  let refusal = null; // the server's words when it refuses the picture (e.g. storage full)
  let waited = false; // for the camera: once it is ready, say what is happening now again
  while (Date.now() < until - SAFETY_MS) {
    if (!camera.ready) {
      const left = Math.ceil((until - Date.now()) / 1000);
      checks.show({ ...shown, note: `The camera is needed now: ${left} s left to answer this check.` });
      waited = true;
      await sleep(500);
      continue;
    }
    if (waited) {
      checks.show({ ...shown, note: taking });
      waited = false;
    }
    try {
      if (direction && !burst) burst = await takeBurst(direction);
      const accepted = await send(challenge, burst);
      const sent = burst ? "Pictures of the turn sent: checking\u2026" : "Picture sent: checking\u2026";
      checks.show({ ...shown, capture_id: accepted.capture_id, note: sent });
      watchVerdict(challenge.id, accepted.capture_id);
      return;
    } catch (error) {
      if (error instanceof ApiError && error.status === 409) {
        await showChecksSoFar(); // an earlier try arrived after all, or the lesson stopped
        return;
      }
      if (!isPassing(error)) {
        refusal = error.message;
        break;
      }
      checks.show({ ...shown, note: "Connection problem: sending the picture again\u2026" });
      await sleep(1000);
    }
  }
  checks.show({ ...shown, verdict: "MISSED", reasons: refusal ? [refusal] : [] });
}

// The instruction stays on screen while the frames are taken, in the order of the turn.
async function takeBurst(direction) {
  const then = THEN_WORDS[direction]; // only a two-step has a second instruction
  const count = then ? TWO_STEP_FRAMES : BURST_FRAMES;
  turnBox.dataset.direction = direction;
  turnBox.dataset.step = "1";
  turnBox.textContent = TURN_WORDS[direction];
  turnBox.hidden = false;
  const frames = [];
  try {
    for (let n = 0; n < count; n++) {
      if (n) await sleep(BURST_GAP_MS);
      frames.push(await camera.frame());
      if (then && n === count / 2 - 1) {
        turnBox.dataset.step = "2";
        turnBox.textContent = then;
      }
    }
  } finally {
    turnBox.hidden = true;
  }
  return frames;
}

async function send(challenge, burst) {
  const form = new FormData();
  form.append("challenge_id", String(challenge.id));
  form.append("nonce", challenge.nonce);
  if (burst) burst.forEach((frame, n) => form.append("frames", frame, `frame${n + 1}.jpg`));
  else form.append("image", await camera.frame(), "frame.jpg");
  return call("POST", `${lessonPath}/captures`, { body: form });
}

async function watchVerdict(challengeId, captureId) {
  if (watching.has(captureId)) return;
  watching.add(captureId);
  for (let pause = 700; ; pause = Math.min(pause * 1.5, 5000)) {
    await sleep(pause);
    let capture;
    try {
      capture = await call("GET", `/captures/${captureId}`);
    } catch (error) {
      if (isPassing(error)) continue;
      break;
    }
    if (capture.status === "DONE") {
      checks.show({ challenge_id: challengeId, verdict: capture.verdict, reasons: capture.reasons });
      break;
    }
  }
  watching.delete(captureId);
}

// A refusal the room cannot get past (no longer enrolled, signed out) is said, never swallowed
// while the status line still claims the student is in the lesson.
begin().catch((error) => {
  leave(error instanceof ApiError ? error.message : "The lesson room stopped: reload this page.", "refused");
});
