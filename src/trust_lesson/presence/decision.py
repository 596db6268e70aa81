"""Fold one student's challenge timeline into an attendance decision, by the course's policy.

The rules, applied in this order (first match wins):

1. No challenge at all (the student never joined, or joined when the lesson was ending):
   ABSENT.
2. Any check still open: its capture is still being analysed (no verdict yet), or its
   machine verdict awaits a person (NEEDS_REVIEW, or LIVENESS_FAILED: a failed head turn is
   never silently ABSENT) and no reviewer has settled it: PENDING_REVIEW. The decision is
   computed again once the verdicts and reviews are in.
3. No check verified: ABSENT.
4. The entry check and the end check are verified (there is at least one of each and every
   one of them is verified) and at least ``verified_share_needed_percent`` of all checks are
   verified: ATTENDED. When no end check counts (the instructor stopped the lesson before it
   was due or while it could still be answered, or the student joined too late for one), the
   student's last check stands for it: an early stop must not turn everybody's attendance
   into PARTIAL.
5. Otherwise: PARTIAL.

A reviewer's override replaces the machine verdict of that check everywhere above. Every
check issued counts, MISSED ones included; the order of the timeline does not matter. The
reasons say why, in the product's words ("entry check missed", "7 of 10 checks verified
(70 %, policy needs 80 %)"), and name each reviewer's override with its reason.

Turning any check into VERIFIED never makes a settled decision worse (ABSENT < PARTIAL <
ATTENDED); the tests hold the function to that.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from trust_lesson.clock import as_utc
from trust_lesson.presence.policy import AttendancePolicy
from trust_lesson.presence.verdicts import AWAITS_REVIEW, ChallengeKind, Decision, Verdict


@dataclass(frozen=True, slots=True)
class ReviewOverride:
    """A reviewer's verdict on a check, replacing the machine's, with the reason given."""

    verdict: Verdict
    reason: str

    def __post_init__(self) -> None:
        if self.verdict is Verdict.NEEDS_REVIEW:
            raise ValueError("a review settles a check: NEEDS_REVIEW is not a review verdict")


@dataclass(frozen=True, slots=True)
class ChallengeOutcome:
    """One challenge issued to the student and what came of it so far."""

    kind: ChallengeKind
    issued_at: datetime
    verdict: Verdict | None = None
    review: ReviewOverride | None = None

    @property
    def final_verdict(self) -> Verdict | None:
        """The reviewer's verdict if there is one, else the machine's (None while analysed)."""
        return self.review.verdict if self.review is not None else self.verdict

    @property
    def verified(self) -> bool:
        return self.final_verdict is Verdict.VERIFIED

    @property
    def awaiting_review(self) -> bool:
        """A machine verdict that a person settles, and no reviewer has yet."""
        return self.review is None and self.verdict in AWAITS_REVIEW

    @property
    def settled(self) -> bool:
        return self.final_verdict is not None and not self.awaiting_review


@dataclass(frozen=True, slots=True)
class DecisionResult:
    """What the rules decide for one student's timeline, with the reasons a person reads
    (stored as an ``AttendanceDecision`` row)."""

    decision: Decision
    reasons: tuple[str, ...]
    checks_total: int
    checks_verified: int


def decide(
    timeline: Sequence[ChallengeOutcome],
    policy: AttendancePolicy,
    *,
    end_check_cancelled: bool = False,
) -> DecisionResult:
    """The attendance decision for one student's timeline (see the module docstring).

    A cancelled check is not in the timeline (the student had no full chance to answer it);
    `end_check_cancelled` says the stop cancelled the student's end check (due later, or shown
    and still answerable), so the reasons do not tell them none was issued."""
    outcomes = sorted(timeline, key=_reading_order)
    total = len(outcomes)
    verified = sum(outcome.verified for outcome in outcomes)
    reviews = [_review_reason(o, o.review) for o in outcomes if o.review is not None]

    def decided(decision: Decision, reasons: list[str]) -> DecisionResult:
        return DecisionResult(decision, tuple(reasons + reviews), total, verified)

    if total == 0:
        return decided(Decision.ABSENT, ["no check was issued: the student never joined"])
    pending = _pending_reasons(outcomes)
    if pending:
        return decided(Decision.PENDING_REVIEW, pending)
    entry, entry_ok = _bookend(outcomes, ChallengeKind.ENTRY, "entry check")
    end, end_ok = _end_check(outcomes, end_check_cancelled)
    reasons = [*entry, *end, _share_reason(verified, total, policy)]
    if verified == 0:
        return decided(Decision.ABSENT, reasons)
    if entry_ok and end_ok and _share_met(verified, total, policy):
        return decided(Decision.ATTENDED, reasons)
    return decided(Decision.PARTIAL, reasons)


def _reading_order(outcome: ChallengeOutcome) -> tuple[datetime, str, str, str]:
    """Time order, ties broken by content, so the reasons never depend on the input order."""
    review = outcome.review
    return (
        outcome.issued_at,
        outcome.kind.value,
        outcome.verdict.value if outcome.verdict is not None else "",
        "" if review is None else f"{review.verdict.value} {review.reason}",
    )


def _pending_reasons(outcomes: Sequence[ChallengeOutcome]) -> list[str]:
    analysing = sum(outcome.final_verdict is None for outcome in outcomes)
    in_review = [outcome.verdict for outcome in outcomes if outcome.awaiting_review]
    liveness = in_review.count(Verdict.LIVENESS_FAILED)
    reasons = []
    if in_review:
        failed_turns = f" ({liveness} failed the liveness check)" if liveness else ""
        reasons.append(f"{_checks(len(in_review))} awaiting review{failed_turns}")
    if analysing:
        reasons.append(f"{_checks(analysing)} still being analysed")
    return reasons


def _bookend(
    outcomes: Sequence[ChallengeOutcome], kind: ChallengeKind, name: str
) -> tuple[list[str], bool]:
    """Reasons about the entry (or end) checks, and whether they are all verified."""
    checks = [outcome for outcome in outcomes if outcome.kind is kind]
    if not checks:
        return [f"no {name}"], False
    reasons = [f"{name} {_final(outcome).description}" for outcome in checks]
    return reasons, all(outcome.verified for outcome in checks)


def _end_check(outcomes: Sequence[ChallengeOutcome], cancelled: bool) -> tuple[list[str], bool]:
    """The end check, or the last check when no end check counts."""
    if any(outcome.kind is ChallengeKind.END for outcome in outcomes):
        return _bookend(outcomes, ChallengeKind.END, "end check")
    last = outcomes[-1]
    when = as_utc(last.issued_at).strftime("%H:%M UTC")
    why = (
        "the lesson stopped before the end check could be answered"
        if cancelled
        else "no end check was issued"
    )
    reason = (
        f"{why}; the last check ({last.kind.value.lower()} at {when}) "
        f"stands for it: {_final(last).description}"
    )
    return [reason], last.verified


def _final(outcome: ChallengeOutcome) -> Verdict:
    verdict = outcome.final_verdict
    if verdict is None:
        raise ValueError("only settled checks are described")
    return verdict


def _share_met(verified: int, total: int, policy: AttendancePolicy) -> bool:
    """Compared in whole checks times 100, so 8 of 10 meets 80 % exactly."""
    return verified * 100 >= policy.verified_share_needed_percent * total


def _share_reason(verified: int, total: int, policy: AttendancePolicy) -> str:
    """The share is rounded down, so "80 %" is never shown for 79.6 %."""
    percent = math.floor(verified * 100 / total)
    needed = policy.verified_share_needed_percent
    return f"{verified} of {_checks(total)} verified ({percent} %, policy needs {needed:g} %)"


def _review_reason(outcome: ChallengeOutcome, review: ReviewOverride) -> str:
    when = as_utc(outcome.issued_at).strftime("%H:%M UTC")
    kind = outcome.kind.value.lower()
    return f"{kind} check at {when} set to {review.verdict.value} by a reviewer: {review.reason}"


def _checks(count: int) -> str:
    return f"{count} check" if count == 1 else f"{count} checks"
