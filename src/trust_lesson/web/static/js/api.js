// Calls to the service's JSON API from a page: the session cookie plus the page's CSRF token.
export function csrfToken() {
  const meta = document.querySelector('meta[name="csrf-token"]');
  return meta ? meta.content : "";
}

export async function api(path, options = {}) {
  const headers = new Headers(options.headers || {});
  headers.set("X-CSRF-Token", csrfToken());
  if (!headers.has("Accept")) headers.set("Accept", "application/json");
  return fetch(path, { ...options, headers, credentials: "same-origin" });
}

// The session ended (signed out in another tab, expired, revoked): sign in, then come back here.
export function signInAgain() {
  const here = window.location.pathname + window.location.search;
  window.location.assign(`/login?next=${encodeURIComponent(here)}`);
}

// A partial page (HTML) fetched again, e.g. a live roster.
export async function partial(path) {
  const response = await fetch(path, {
    credentials: "same-origin",
    headers: { Accept: "text/html", "X-Requested-With": "fetch" },
  });
  if (response.redirected && new URL(response.url).pathname === "/login") {
    window.location.assign(response.url);   // the session ended: sign in, then come back
    throw new Error("signed out");
  }
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  return response.text();
}
