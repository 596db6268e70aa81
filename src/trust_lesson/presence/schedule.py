"""The server-chosen challenge schedule of one student in one lesson.

Rules (``plan_challenges``):
- ENTRY is issued when the student joins (at the lesson start if they join earlier), but only
  when they join within the entry tolerance after the (effective) start. A student who joins
  later is ``late``: no ENTRY check, and the schedule says why (``reasons``); their presence
  is still checked by RANDOM and END challenges.
- Every challenge is issued no earlier than the start and the join, and its deadline falls
  inside the lesson: a student who joins less than one answer deadline before the end gets
  no challenge at all.
- END is issued at a uniformly random moment in ``[end - end_check_lead, end - answer_deadline]``
  so that its deadline falls inside the lesson, and never within the minimum gap after the
  student's first possible check (their ENTRY, or their join when late). When that window is
  empty (a very short lesson or a very late join) there is no END check, and a reason says so.
- RANDOM checks start from the ENTRY (or the join) and follow a shifted exponential law: each
  gap is ``min_gap + Exp(mean_interval - min_gap)``. The mean gap is exactly the policy's mean
  interval, no two checks are closer than the minimum gap, and once the minimum gap has passed
  the next check is memoryless, so a student cannot guess it from the time already waited.
  The last RANDOM check is at least the minimum gap before END (or before ``end -
  answer_deadline`` when there is no END).
- Liveness (``policy.liveness_checks``): the ENTRY check and one RANDOM check drawn among the
  student's RANDOM checks (or every check, or none) ask for a head turn to a side drawn at
  random (LEFT or RIGHT); such a check is open for ``policy.liveness_answer`` only. The side
  stays on the server until the check is due, like the check itself. The draws come after
  the times, so a seeded schedule keeps its times whatever the liveness setting.

The random source is ``random.SystemRandom`` unless a ``random.Random`` is given: seeded, the
schedule is reproducible in tests. The schedule stays on the server (as Challenge rows); the
student only ever learns of a challenge when it is due (``presence.service.next_challenge``).
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from trust_lesson.presence.policy import AttendancePolicy, LivenessChecks
from trust_lesson.presence.verdicts import (
    ONE_STEP_TURNS,
    TWO_STEP_TURNS,
    ChallengeKind,
    TurnDirection,
)

# A hard cap per student and lesson, whatever the policy and the lesson's length: one check
# every 10 s of a 24-hour lesson would be 8,640; at the default policy a 3-hour lesson has ~20.
MAX_CHALLENGES = 200


@dataclass(frozen=True, slots=True)
class PlannedChallenge:
    """One challenge to issue: open from ``issued_at`` until ``deadline`` (exclusive)."""

    kind: ChallengeKind
    issued_at: datetime
    deadline: datetime
    liveness: TurnDirection | None = None


@dataclass(frozen=True, slots=True)
class ChallengeSchedule:
    """The challenges of one student in one lesson, in time order."""

    lesson_start: datetime
    lesson_end: datetime
    joined_at: datetime
    challenges: tuple[PlannedChallenge, ...]
    late: bool
    reasons: tuple[str, ...]


def plan_challenges(
    *,
    lesson_start: datetime,
    lesson_end: datetime,
    joined_at: datetime,
    policy: AttendancePolicy,
    rng: random.Random | None = None,
) -> ChallengeSchedule:
    """Choose the challenge times for a student who joined at ``joined_at``."""
    _check_inputs(lesson_start, lesson_end, joined_at)
    rng = random.SystemRandom() if rng is None else rng
    end = lesson_end
    late = joined_at > lesson_start + policy.entry_tolerance
    first_possible = max(lesson_start, joined_at)
    if first_possible > end - policy.answer_deadline:
        reasons = [_no_time_reason(lesson_start, joined_at)]
        return _schedule(lesson_start, end, joined_at, [], late=late, reasons=reasons)
    entry_at = None if late else first_possible
    reasons = [_late_reason(lesson_start, joined_at, policy)] if late else []
    end_at = _end_time(first_possible, end, policy, rng)
    if end_at is None:
        reasons.append("no time left for an end check")
    latest_random = _latest_random(end, end_at, policy)
    randoms = _random_times(first_possible, latest_random, policy, rng)
    challenges = _with_liveness(_challenges(policy, entry_at, randoms, end_at), policy, rng)
    return _schedule(lesson_start, end, joined_at, challenges, late=late, reasons=reasons)


def _check_inputs(lesson_start: datetime, lesson_end: datetime, joined_at: datetime) -> None:
    if lesson_start.tzinfo is None or lesson_end.tzinfo is None or joined_at.tzinfo is None:
        raise ValueError("lesson start, end and join time must be timezone-aware")
    if lesson_end <= lesson_start:
        raise ValueError(f"a lesson lasts a positive time, got {lesson_end - lesson_start}")


def _end_time(
    anchor: datetime, end: datetime, policy: AttendancePolicy, rng: random.Random
) -> datetime | None:
    earliest = max(end - policy.end_check_lead, anchor + policy.recheck_min_gap)
    latest = end - policy.answer_deadline
    if earliest > latest:
        return None
    return earliest + (latest - earliest) * rng.random()


def _latest_random(end: datetime, end_at: datetime | None, policy: AttendancePolicy) -> datetime:
    """A minimum gap before END, or (without END) early enough to answer before the end."""
    if end_at is None:
        return end - policy.answer_deadline
    return end_at - policy.recheck_min_gap


def _random_times(
    anchor: datetime, latest: datetime, policy: AttendancePolicy, rng: random.Random
) -> list[datetime]:
    """RANDOM check times after ``anchor`` up to ``latest`` (inclusive), at most the cap."""
    times: list[datetime] = []
    at = anchor + _random_gap(policy, rng)
    while at <= latest and len(times) < MAX_CHALLENGES - 2:  # room for ENTRY and END
        times.append(at)
        at += _random_gap(policy, rng)
    return times


def _random_gap(policy: AttendancePolicy, rng: random.Random) -> timedelta:
    """The minimum gap plus an exponential wait: mean exactly the policy's mean interval."""
    extra_mean_min = policy.recheck_mean_interval_min - policy.recheck_min_gap_min
    return policy.recheck_min_gap + timedelta(minutes=rng.expovariate(1 / extra_mean_min))


def _challenges(
    policy: AttendancePolicy,
    entry_at: datetime | None,
    randoms: list[datetime],
    end_at: datetime | None,
) -> list[PlannedChallenge]:
    times = [] if entry_at is None else [(ChallengeKind.ENTRY, entry_at)]
    times += [(ChallengeKind.RANDOM, at) for at in randoms]
    times += [] if end_at is None else [(ChallengeKind.END, end_at)]
    return [PlannedChallenge(kind, at, at + policy.answer_deadline) for kind, at in times]


def _with_liveness(
    challenges: list[PlannedChallenge], policy: AttendancePolicy, rng: random.Random
) -> list[PlannedChallenge]:
    """The liveness checks get a side to turn to (or, by the policy, an ordered two-step) and
    their shorter answer window."""
    chosen = _liveness_indexes(challenges, policy.liveness_checks, rng)
    return [
        replace(
            planned,
            liveness=rng.choice(TWO_STEP_TURNS if policy.liveness_two_step else ONE_STEP_TURNS),
            deadline=planned.issued_at + policy.liveness_answer,
        )
        if number in chosen
        else planned
        for number, planned in enumerate(challenges)
    ]


def _liveness_indexes(
    challenges: list[PlannedChallenge], which: LivenessChecks, rng: random.Random
) -> set[int]:
    if which is LivenessChecks.NONE:
        return set()
    if which is LivenessChecks.ALL:
        return set(range(len(challenges)))
    entry = [n for n, planned in enumerate(challenges) if planned.kind is ChallengeKind.ENTRY]
    randoms = [n for n, planned in enumerate(challenges) if planned.kind is ChallengeKind.RANDOM]
    return set(entry) | ({rng.choice(randoms)} if randoms else set())


def _no_time_reason(start: datetime, joined_at: datetime) -> str:
    if joined_at > start:
        return "joined when the lesson was ending: no checks"
    return "the lesson is shorter than the answer deadline: no checks"


def _late_reason(start: datetime, joined_at: datetime, policy: AttendancePolicy) -> str:
    minutes = math.ceil((joined_at - start) / timedelta(minutes=1))
    return (
        f"joined {minutes} min after the lesson started "
        f"(entry tolerance {policy.entry_tolerance_min:g} min): no entry check"
    )


def _schedule(
    start: datetime,
    end: datetime,
    joined_at: datetime,
    challenges: list[PlannedChallenge],
    *,
    late: bool,
    reasons: list[str],
) -> ChallengeSchedule:
    return ChallengeSchedule(
        lesson_start=start,
        lesson_end=end,
        joined_at=joined_at,
        challenges=tuple(challenges),
        late=late,
        reasons=tuple(reasons),
    )
