// The webcam: a live preview and 640x480 JPEG frames taken from it.

import { sleep } from "./calls.js";

export const FRAME_WIDTH = 640;
export const FRAME_HEIGHT = 480;
const HAVE_CURRENT_DATA = 2; // HTMLMediaElement.readyState: the current frame is decoded
// A camera just switched on can give black pictures for a moment (its exposure settling; a
// busy browser drawing before the first frame is painted): a black picture taken this soon
// is taken again, up to this long after the camera started. Later, a black picture is sent
// as it is, and the server says it is too dark.
const WARM_UP_MS = 3000;
const RETAKE_MS = 100;
const BLACK_LEVEL = 12; // no sampled colour value above this: a black picture

// What to do, in words a student understands, for each way the camera can fail.
export const CAMERA_HELP = {
  denied:
    "Your browser is blocking the camera. Allow the camera for this site (the camera icon " +
    "in the address bar, or the browser's site settings), then press \u201cTry the camera again\u201d.",
  missing:
    "No camera was found. Connect a webcam (or open its privacy shutter), " +
    "then press \u201cTry the camera again\u201d.",
  busy:
    "Another program is using the camera. Close it (a video call, another tab), then press " +
    "\u201cTry the camera again\u201d.",
  unsupported:
    "This browser cannot share a camera with this page. Open it in a current Chrome, Edge, " +
    "Firefox or Safari, over https.",
};

export function cameraProblem(error) {
  switch (error && error.name) {
    case "NotAllowedError":
    case "SecurityError":
      return "denied";
    case "NotFoundError":
    case "OverconstrainedError":
      return "missing";
    case "NotReadableError":
    case "AbortError":
      return "busy";
    default:
      return "missing";
  }
}

export class Camera {
  constructor(video, onChange = () => {}) {
    this.video = video;
    this.onChange = onChange;
    this.stream = null;
    this.problem = null;
    this.closed = false;
    this.startedAt = 0;
  }

  // Live and showing a decoded picture: before its first frame (HAVE_CURRENT_DATA) a video
  // already has its size, but a picture drawn from it is black ("too dark" to the server).
  get ready() {
    const live = this.stream && this.stream.getVideoTracks().some((t) => t.readyState === "live");
    return Boolean(live && this.video.videoWidth > 0 && this.video.readyState >= HAVE_CURRENT_DATA);
  }

  async start() {
    this.stop();
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      return this.failed("unsupported");
    }
    try {
      this.stream = await navigator.mediaDevices.getUserMedia({
        video: { width: { ideal: FRAME_WIDTH }, height: { ideal: FRAME_HEIGHT }, facingMode: "user" },
        audio: false,
      });
    } catch (error) {
      return this.failed(cameraProblem(error));
    }
    if (this.closed) {
      this.stop(); // closed while the browser was still opening the camera
      return false;
    }
    for (const track of this.stream.getVideoTracks()) {
      track.addEventListener("ended", () => this.failed("missing"));
    }
    this.video.srcObject = this.stream;
    await new Promise((resolve) => {
      if (this.video.readyState >= 1) resolve();
      else this.video.addEventListener("loadedmetadata", resolve, { once: true });
    });
    await this.video.play().catch(() => {});
    this.startedAt = performance.now();
    this.problem = null;
    this.onChange(null);
    return true;
  }

  // Switched off for good: a start still under way ends with the camera off, too.
  close() {
    this.closed = true;
    this.stop();
  }

  stop() {
    if (this.stream) for (const track of this.stream.getTracks()) track.stop();
    this.stream = null;
    this.video.srcObject = null;
  }

  failed(problem) {
    this.stop();
    this.problem = problem;
    this.onChange(problem);
    return false;
  }

  // The current picture as a 640x480 JPEG, the middle of the view when its shape differs;
  // while the camera warms up, not a black one (see WARM_UP_MS).
  async frame(quality = 0.9) {
    let canvas = this.draw();
    while (isBlack(canvas) && performance.now() - this.startedAt < WARM_UP_MS) {
      await sleep(RETAKE_MS);
      canvas = this.draw();
    }
    return new Promise((resolve, reject) => {
      canvas.toBlob(
        (blob) => (blob ? resolve(blob) : reject(new Error("no frame"))),
        "image/jpeg",
        quality,
      );
    });
  }

  draw() {
    const canvas = document.createElement("canvas");
    canvas.width = FRAME_WIDTH;
    canvas.height = FRAME_HEIGHT;
    const { videoWidth: w, videoHeight: h } = this.video;
    const scale = Math.max(FRAME_WIDTH / w, FRAME_HEIGHT / h);
    const sw = FRAME_WIDTH / scale;
    const sh = FRAME_HEIGHT / scale;
    const context = canvas.getContext("2d");
    context.drawImage(this.video, (w - sw) / 2, (h - sh) / 2, sw, sh, 0, 0, FRAME_WIDTH, FRAME_HEIGHT);
    return canvas;
  }
}

// Whether a picture is black: no colour value above BLACK_LEVEL on a 32x24 copy of it.
function isBlack(canvas) {
  const small = document.createElement("canvas");
  small.width = 32;
  small.height = 24;
  const context = small.getContext("2d", { willReadFrequently: true });
  context.drawImage(canvas, 0, 0, small.width, small.height);
  const { data } = context.getImageData(0, 0, small.width, small.height);
  for (let i = 0; i < data.length; i += 4) {
    if (data[i] > BLACK_LEVEL || data[i + 1] > BLACK_LEVEL || data[i + 2] > BLACK_LEVEL) return false;
  }
  return true;
}

// Shows a camera problem (or hides the box when there is none) with what to do about it.
export function showCameraProblem(box, problem) {
  box.hidden = !problem;
  box.dataset.camera = problem || "";
  const help = box.querySelector("[data-camera-help]");
  if (help) help.textContent = problem ? CAMERA_HELP[problem] : "";
}
