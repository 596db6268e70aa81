// The room's list of checks: one item per check, its verdict name in `data-verdict`.

import { KIND_WORDS, VERDICT_WORDS, GOOD_VERDICTS, TURN_LABELS } from "./words.js";

// In UTC, 24-hour, as every page writes times (and the decisions' reasons: "entry at 18:29 UTC").
const TIME = new Intl.DateTimeFormat("en-GB", {
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
  hourCycle: "h23",
  timeZone: "UTC",
});

export class CheckList {
  constructor(list) {
    this.list = list;
    this.shown = new Map();
  }

  has(challengeId) {
    return this.shown.has(challengeId);
  }

  get(challengeId) {
    return this.shown.get(challengeId);
  }

  // Shows (or updates) a check: {challenge_id, kind, issued_at, verdict, capture_id?, reasons?,
  // liveness? (the side of a head turn asked)}
  // with an optional `note` (what is happening now) in place of the verdict's words.
  show(check) {
    const known = { ...(this.shown.get(check.challenge_id) || {}), ...check };
    this.shown.set(check.challenge_id, known);
    let item = this.list.querySelector(`[data-challenge-id="${known.challenge_id}"]`);
    if (!item) {
      item = document.createElement("li");
      item.className = "check";
      item.dataset.challengeId = String(known.challenge_id);
      item.append(part("check-kind"), part("check-time"), part("check-words"), part("check-reasons"));
      this.list.prepend(item);
    }
    item.dataset.verdict = known.verdict;
    if (known.liveness) item.dataset.liveness = known.liveness;
    item.classList.toggle("check-good", GOOD_VERDICTS.has(known.verdict));
    item.classList.toggle("check-pending", known.verdict === "PENDING");
    if (known.capture_id) item.dataset.captureId = String(known.capture_id);
    const turn = known.liveness ? `: ${TURN_LABELS[known.liveness]}` : "";
    item.querySelector(".check-kind").textContent = (KIND_WORDS[known.kind] || known.kind) + turn;
    item.querySelector(".check-time").textContent = `${TIME.format(new Date(known.issued_at))} UTC`;
    item.querySelector(".check-words").textContent =
      known.verdict === "PENDING" && known.note ? known.note : VERDICT_WORDS[known.verdict] || known.verdict;
    const reasons = known.verdict === "PENDING" ? [] : known.reasons || [];
    item.querySelector(".check-reasons").textContent = reasons.join("; ");
    return known;
  }
}

function part(name) {
  const element = document.createElement("span");
  element.className = name;
  return element;
}
