// The JSON API as the student's pages call it, with retries for a dropped network: the
// browser session cookie plus the page's CSRF token (./api.js).

import { csrfToken, signInAgain } from "./api.js";

const API = "/api/v1";

export class ApiError extends Error {
  constructor(status, body) {
    super((body && body.detail) || `The server answered ${status}.`);
    this.status = status;
    this.code = body && body.code;
  }

  // Worth trying again: the server is busy or briefly unavailable.
  get passing() {
    return this.status >= 500 || this.status === 429 || this.status === 408;
  }
}

export async function call(method, path, { body } = {}) {
  const headers = { Accept: "application/json" };
  if (method !== "GET") headers["X-CSRF-Token"] = csrfToken();
  let payload = body;
  if (body !== undefined && !(body instanceof FormData)) {
    headers["Content-Type"] = "application/json";
    payload = JSON.stringify(body);
  }
  const response = await fetch(API + path, {
    method,
    headers,
    body: payload,
    credentials: "same-origin",
    cache: "no-store",
  });
  const text = await response.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  if (response.status === 401) signInAgain(); // nothing works without the session
  if (!response.ok) throw new ApiError(response.status, data);
  return data;
}

// A network failure (fetch's TypeError) or a passing server error: try again.
export function isPassing(error) {
  return !(error instanceof ApiError) || error.passing;
}

export function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

// Call until it works, waiting longer after each passing failure (at most 10 s apart);
// `onTrouble` hears about each one. Refusals (4xx) are thrown to the caller.
export async function patiently(attempt, onTrouble = () => {}) {
  for (let pause = 1000; ; pause = Math.min(pause * 2, 10000)) {
    try {
      return await attempt();
    } catch (error) {
      if (!isPassing(error)) throw error;
      onTrouble(error);
      await sleep(pause);
    }
  }
}
