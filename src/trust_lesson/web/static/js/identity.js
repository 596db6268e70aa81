// The identity page: a document photo from a file or the webcam, a selfie from the webcam,
// both sent to the API (which checks every picture before it keeps anything: its refusal is
// shown in its own words), then the result fetched again while the worker reads.

import { partial } from "./api.js";
import { ApiError, call } from "./calls.js";
import { Camera, showCameraProblem } from "./camera.js";

const ACCEPTED = ["image/jpeg", "image/png", "image/webp"];
const POLL_MS = 2000;

const userId = document.getElementById("identity").dataset.userId;
const documentFile = document.getElementById("document-file");
const backFile = document.getElementById("document-back-file");
const takeDocument = document.getElementById("take-document");
const takeSelfie = document.getElementById("take-selfie");
const send = document.getElementById("send-verification");
const problem = document.getElementById("send-problem");
const sending = document.getElementById("send-state");
const result = document.getElementById("identity-result");
const camera = new Camera(document.getElementById("preview"), (p) => {
  showCameraProblem(document.getElementById("camera-problem"), p);
  takeDocument.disabled = takeSelfie.disabled = Boolean(p);
});
const shots = { document: null, selfie: null };

function show(kind, blob, words) {
  const image = document.getElementById(`${kind}-shot`);
  image.src = URL.createObjectURL(blob);
  image.hidden = false;
  document.getElementById(`${kind}-state`).textContent = words;
}

function say(message) {
  problem.textContent = message;
  problem.hidden = !message;
}

async function take(kind) {
  if (!camera.ready) return;
  shots[kind] = await camera.frame(0.95);
  if (kind === "document") documentFile.value = "";
  show(kind, shots[kind], kind === "document" ? "Document: taken with the camera" : "Selfie: taken");
}

function chosen(input) {
  const file = input.files && input.files[0];
  if (!file) return null;
  if (file.size === 0) throw new Error(`${file.name} is empty: choose the photo itself.`);
  if (file.type && !ACCEPTED.includes(file.type)) {
    throw new Error(`${file.name} is not a photo: choose a JPEG, PNG or WebP picture.`);
  }
  return file;
}

function pictures() {
  const front = chosen(documentFile) || shots.document;
  if (!front) throw new Error("Choose a photo of your document, or take one with the camera.");
  if (!shots.selfie) throw new Error("Take a selfie with the camera first.");
  const form = new FormData();
  form.append("document", front, front.name || "document.jpg");
  const back = chosen(backFile);
  if (back) form.append("document_back", back, back.name);
  form.append("selfie", shots.selfie, "selfie.jpg");
  return form;
}

async function sendPictures() {
  let form;
  try {
    form = pictures();
  } catch (error) {
    say(error.message);
    return;
  }
  say("");
  send.disabled = true;
  sending.textContent = "Sending your photos\u2026"; // a large photo on a slow line takes a while
  try {
    await call("POST", `/users/${userId}/identity/verifications`, { body: form });
    await refresh();
  } catch (error) {
    say(error instanceof ApiError ? `Not sent: ${error.message}` : "The connection failed: press \u201cSend for verification\u201d again.");
  } finally {
    sending.textContent = "";
    send.disabled = false;
  }
}

function pending() {
  const outcome = result.querySelector("[data-status]");
  return Boolean(outcome) && outcome.dataset.status === "PENDING";
}

async function refresh() {
  try {
    result.innerHTML = await partial(result.dataset.src);
  } catch {
    // tried again at the next tick
  }
  if (pending()) setTimeout(refresh, POLL_MS);
}

documentFile.addEventListener("change", () => {
  try {
    const file = chosen(documentFile);
    say("");
    if (file) show("document", file, `Document: ${file.name}`);
  } catch (error) {
    say(error.message);
  }
});
takeDocument.addEventListener("click", () => take("document"));
takeSelfie.addEventListener("click", () => take("selfie"));
send.addEventListener("click", sendPictures);
document.getElementById("camera-retry").addEventListener("click", () => camera.start());
camera.start().then((ok) => {
  takeDocument.disabled = takeSelfie.disabled = !ok;
});
if (pending()) setTimeout(refresh, POLL_MS);
