// The live roster: fetches its partial again every few seconds while the page is visible.
import { partial } from "./api.js";

const roster = document.getElementById("roster");

async function refresh() {
  if (document.visibilityState !== "visible") return;
  try {
    const html = await partial(roster.dataset.src);
    const focused = document.activeElement && roster.contains(document.activeElement);
    if (!focused) roster.innerHTML = html;   // never pull the roster from under the keyboard
    roster.removeAttribute("data-stale");
  } catch (error) {
    roster.dataset.stale = "true";           // shown by CSS; tried again at the next tick
  }
}

if (roster) {
  const seconds = Number(roster.dataset.refreshSeconds) || 5;
  window.setInterval(refresh, seconds * 1000);
  document.addEventListener("visibilitychange", refresh);
}
