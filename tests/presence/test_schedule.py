import itertools
import random
from datetime import UTC, datetime, timedelta
from statistics import mean

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trust_lesson.presence.policy import AttendancePolicy, LivenessChecks
from trust_lesson.presence.schedule import ChallengeSchedule, plan_challenges
from trust_lesson.presence.verdicts import ChallengeKind, TurnDirection

START = datetime(2026, 3, 2, 19, 0, tzinfo=UTC)
POLICY = AttendancePolicy()


def lesson(
    *,
    minutes: float = 50,
    joined_after_min: float = 1,
    seed: int = 7,
    policy: AttendancePolicy = POLICY,
) -> ChallengeSchedule:
    return plan_challenges(
        lesson_start=START,
        lesson_end=START + timedelta(minutes=minutes),
        joined_at=START + timedelta(minutes=joined_after_min),
        policy=policy,
        rng=random.Random(seed),
    )


def kinds(schedule: ChallengeSchedule) -> list[ChallengeKind]:
    return [challenge.kind for challenge in schedule.challenges]


def test_a_student_on_time_is_checked_at_entry_at_random_and_before_the_end() -> None:
    schedule = lesson(joined_after_min=2)

    assert kinds(schedule)[0] is ChallengeKind.ENTRY
    assert schedule.challenges[0].issued_at == START + timedelta(minutes=2)
    assert kinds(schedule)[-1] is ChallengeKind.END
    assert set(kinds(schedule)[1:-1]) <= {ChallengeKind.RANDOM}
    end = schedule.challenges[-1]
    assert START + timedelta(minutes=45) <= end.issued_at <= START + timedelta(minutes=49)
    assert not schedule.late
    assert schedule.reasons == ()


def test_every_challenge_must_be_answered_within_the_deadline() -> None:
    schedule = lesson()

    windows = {(c.liveness is None, c.deadline - c.issued_at) for c in schedule.challenges}
    assert windows == {(True, timedelta(seconds=60)), (False, timedelta(seconds=20))}


def test_by_default_the_entry_and_one_random_check_ask_for_a_head_turn() -> None:
    schedules = [lesson(minutes=90, seed=seed) for seed in range(40)]

    for schedule in schedules:
        entry, *randoms, end = schedule.challenges
        assert entry.liveness is not None
        assert sum(c.liveness is not None for c in randoms) == 1
        assert end.liveness is None
    sides = {c.liveness for s in schedules for c in s.challenges if c.liveness is not None}
    assert sides == {TurnDirection.LEFT, TurnDirection.RIGHT}


def test_a_course_can_ask_for_an_ordered_two_step_turn_instead() -> None:
    policy = AttendancePolicy(liveness_two_step=True)

    schedules = [lesson(minutes=90, policy=policy, seed=seed) for seed in range(40)]

    asked = {c.liveness for s in schedules for c in s.challenges if c.liveness is not None}
    assert asked == {TurnDirection.LEFT_THEN_RIGHT, TurnDirection.RIGHT_THEN_LEFT}
    assert [c.issued_at for c in schedules[0].challenges] == [
        c.issued_at for c in lesson(minutes=90, seed=0).challenges
    ]


@pytest.mark.parametrize(("which", "count"), [("ALL", "every"), ("NONE", "no")])
def test_a_course_asks_for_a_head_turn_at_every_check_or_none(which: str, count: str) -> None:
    policy = AttendancePolicy(liveness_checks=LivenessChecks(which))

    schedule = lesson(minutes=90, policy=policy)

    turns = [c.liveness is not None for c in schedule.challenges]
    assert turns == [count == "every"] * len(turns)


def test_the_side_is_drawn_after_the_times_so_liveness_never_moves_a_check() -> None:
    without = AttendancePolicy(liveness_checks=LivenessChecks.NONE)

    assert [c.issued_at for c in lesson(policy=without).challenges] == [
        c.issued_at for c in lesson().challenges
    ]


def test_a_liveness_window_longer_than_the_answer_deadline_is_the_deadline() -> None:
    short = AttendancePolicy(answer_deadline_s=10, recheck_min_gap_min=1, liveness_answer_s=30)

    schedule = lesson(policy=short)

    assert {c.deadline - c.issued_at for c in schedule.challenges} == {timedelta(seconds=10)}


def test_a_student_who_joins_before_the_start_is_checked_when_the_lesson_starts() -> None:
    schedule = lesson(joined_after_min=-4)

    assert schedule.challenges[0].kind is ChallengeKind.ENTRY
    assert schedule.challenges[0].issued_at == START


def test_a_late_student_gets_no_entry_check_and_is_told_why() -> None:
    schedule = lesson(joined_after_min=22)

    assert schedule.late
    assert ChallengeKind.ENTRY not in kinds(schedule)
    assert kinds(schedule)[-1] is ChallengeKind.END
    assert schedule.reasons == (
        "joined 22 min after the lesson started (entry tolerance 15 min): no entry check",
    )


def test_joining_at_the_very_end_gives_no_checks() -> None:
    schedule = lesson(minutes=50, joined_after_min=49.5)

    assert schedule.challenges == ()
    assert schedule.reasons == ("joined when the lesson was ending: no checks",)


def test_a_lesson_too_short_for_an_end_check_says_so() -> None:
    schedule = lesson(minutes=3.5, joined_after_min=0)

    assert kinds(schedule) == [ChallengeKind.ENTRY]
    assert schedule.reasons == ("no time left for an end check",)


def test_naive_times_and_empty_lessons_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        plan_challenges(
            lesson_start=START.replace(tzinfo=None),
            lesson_end=START + timedelta(minutes=50),
            joined_at=START,
            policy=POLICY,
        )
    with pytest.raises(ValueError, match="positive"):
        lesson(minutes=0)


def test_the_same_seed_gives_the_same_schedule_and_no_seed_an_unguessable_one() -> None:
    assert lesson(seed=42) == lesson(seed=42)
    unseeded = [
        plan_challenges(
            lesson_start=START,
            lesson_end=START + timedelta(minutes=50),
            joined_at=START,
            policy=POLICY,
        )
        for _ in range(2)
    ]
    assert unseeded[0] != unseeded[1]


def test_random_checks_come_every_ten_minutes_on_average() -> None:
    gaps: list[float] = []
    for seed in range(100):
        randoms = [
            c.issued_at
            for c in lesson(minutes=600, seed=seed).challenges
            if c.kind is ChallengeKind.RANDOM
        ]
        gaps += [(b - a) / timedelta(minutes=1) for a, b in itertools.pairwise(randoms)]

    # about 5,800 gaps with a standard deviation of 7 min: the standard error is under 0.1 min
    assert len(gaps) > 5000
    assert mean(gaps) == pytest.approx(10, abs=0.5)
    assert min(gaps) >= 3


# --- properties ---------------------------------------------------------------------------------


@st.composite
def policies(draw: st.DrawFn) -> AttendancePolicy:
    gap = draw(st.floats(min_value=0.5, max_value=8))
    deadline_s = draw(st.floats(min_value=5, max_value=gap * 60 - 1))
    return AttendancePolicy(
        entry_tolerance_min=draw(st.floats(min_value=1, max_value=30)),
        recheck_min_gap_min=gap,
        recheck_mean_interval_min=gap + draw(st.floats(min_value=0.5, max_value=20)),
        answer_deadline_s=deadline_s,
        end_check_lead_min=deadline_s / 60 + draw(st.floats(min_value=0, max_value=10)),
    )


@st.composite
def schedules(draw: st.DrawFn) -> tuple[ChallengeSchedule, AttendancePolicy]:
    policy = draw(policies())
    minutes = draw(st.floats(min_value=0.5, max_value=240))
    joined = draw(st.floats(min_value=-20, max_value=minutes + 20))
    seed = draw(st.integers(min_value=0, max_value=2**32))
    return lesson(minutes=minutes, joined_after_min=joined, seed=seed, policy=policy), policy


@settings(max_examples=200)
@given(schedules())
def test_schedules_keep_the_minimum_gap_and_stay_inside_the_lesson(
    drawn: tuple[ChallengeSchedule, AttendancePolicy],
) -> None:
    schedule, policy = drawn
    times = [c.issued_at for c in schedule.challenges]

    assert all(b - a >= policy.recheck_min_gap for a, b in itertools.pairwise(times))
    first_possible = max(schedule.lesson_start, schedule.joined_at)
    assert all(c.issued_at >= first_possible for c in schedule.challenges)
    assert all(c.deadline <= schedule.lesson_end for c in schedule.challenges)


@settings(max_examples=200)
@given(schedules())
def test_entry_comes_first_end_last_and_only_for_students_on_time(
    drawn: tuple[ChallengeSchedule, AttendancePolicy],
) -> None:
    schedule, policy = drawn
    found = kinds(schedule)

    late = schedule.joined_at > schedule.lesson_start + policy.entry_tolerance
    assert schedule.late == late
    assert (ChallengeKind.ENTRY in found) == (not late and bool(found))
    assert ChallengeKind.ENTRY not in found[1:]
    assert ChallengeKind.END not in found[:-1]


def test_a_lesson_shorter_than_the_answer_deadline_has_no_checks() -> None:
    schedule = lesson(minutes=0.5, joined_after_min=-1)

    assert schedule.challenges == ()
    assert not schedule.late
    assert schedule.reasons == ("the lesson is shorter than the answer deadline: no checks",)
