// Face enrolment with the webcam: a live preview, a hint while the picture would not do, and
// "Take picture", which sends the pictures taken so far (the server checks each one before it
// keeps anything: one face, well lit, big enough, the same person in all).

import { ApiError, call } from "./calls.js";
import { Camera, showCameraProblem } from "./camera.js";

const MAX_PICTURES = 5;
const DARK_BELOW = 50; // mean brightness (0-255) under which faces are too dark to check

const root = document.getElementById("enrolment");
const userId = root.dataset.userId;
const state = document.getElementById("enrolment-state");
const hint = document.getElementById("enrolment-hint");
const result = document.getElementById("enrolment-result");
const take = document.getElementById("take-picture");
const tray = document.getElementById("pictures");
const problemBox = document.getElementById("camera-problem");
const camera = new Camera(document.getElementById("preview"), (p) => {
  showCameraProblem(problemBox, p);
  take.disabled = Boolean(p);
});
const pictures = [];

// The mean brightness of the middle of the view, where the face is: the server judges the
// light on the face alone (vision/quality.py), so a dark wall or dark clothes around a lit
// face must not make this hint say "too dark" of a picture the server keeps.
function brightness() {
  const canvas = document.createElement("canvas");
  canvas.width = 64;
  canvas.height = 48;
  const context = canvas.getContext("2d", { willReadFrequently: true });
  const { videoWidth: w, videoHeight: h } = camera.video;
  context.drawImage(camera.video, w / 4, h / 4, w / 2, h / 2, 0, 0, 64, 48);
  const { data } = context.getImageData(0, 0, 64, 48);
  let sum = 0;
  for (let i = 0; i < data.length; i += 4) sum += 0.299 * data[i] + 0.587 * data[i + 1] + 0.114 * data[i + 2];
  return sum / (data.length / 4);
}

function watchLight() {
  if (camera.ready) {
    const dark = brightness() < DARK_BELOW;
    hint.dataset.hint = dark ? "too-dark" : "";
    hint.textContent = dark
      ? "Too dark: turn on a light or face a window."
      : "Look straight at the camera, your whole face in the picture, then press \u201cTake picture\u201d.";
  }
  setTimeout(watchLight, 700);
}

function showTray() {
  tray.replaceChildren(
    ...pictures.map((blob, n) => {
      const image = document.createElement("img");
      image.src = URL.createObjectURL(blob);
      image.alt = `Picture ${n + 1}`;
      image.width = 96;
      image.height = 72;
      return image;
    }),
  );
}

async function takePicture() {
  if (!camera.ready) return;
  take.disabled = true;
  result.dataset.state = "checking";
  result.textContent = "Checking the picture\u2026";
  const picture = await camera.frame(0.92);
  const trying = [...pictures, picture].slice(-MAX_PICTURES);
  const form = new FormData();
  trying.forEach((blob, n) => form.append("images", blob, `picture-${n + 1}.jpg`));
  try {
    const enrolment = await call("POST", `/users/${userId}/face-enrolment`, { body: form });
    pictures.splice(0, pictures.length, ...trying);
    showTray();
    state.textContent =
      `You are enrolled with ${enrolment.templates} picture${enrolment.templates === 1 ? "" : "s"}.`;
    result.dataset.state = "enrolled";
    result.textContent =
      `You are enrolled with ${enrolment.templates} picture${enrolment.templates === 1 ? "" : "s"}. ` +
      (pictures.length < 3 ? "One or two more, turning your head a little, help recognise you. " : "") +
      "You can go to your lessons now.";
  } catch (error) {
    result.dataset.state = "refused";
    result.textContent = refusal(error);
  } finally {
    take.disabled = !camera.ready;
  }
}

function refusal(error) {
  if (!(error instanceof ApiError)) return "The connection failed: press \u201cTake picture\u201d again.";
  if (error.status === 403 || error.code === "consent_required") {
    return "Give your consent first (the Consent page), then take the picture.";
  }
  return `Not kept: ${error.message}`;
}

take.addEventListener("click", takePicture);
document.getElementById("camera-retry").addEventListener("click", () => camera.start());
take.disabled = true;
camera.start().then((ok) => {
  take.disabled = !ok;
  watchLight();
});
