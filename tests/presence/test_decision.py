import random
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trust_lesson.presence.decision import (
    ChallengeOutcome,
    DecisionResult,
    ReviewOverride,
    decide,
)
from trust_lesson.presence.policy import AttendancePolicy
from trust_lesson.presence.verdicts import ChallengeKind, Decision, Verdict

START = datetime(2026, 3, 2, 19, 0, tzinfo=UTC)
POLICY = AttendancePolicy()
ENTRY, RANDOM, END = ChallengeKind.ENTRY, ChallengeKind.RANDOM, ChallengeKind.END
V = Verdict


def check(
    kind: ChallengeKind, verdict: Verdict | None, minute: float = 0, review: Verdict | None = None
) -> ChallengeOutcome:
    override = None if review is None else ReviewOverride(review, "checked by hand")
    return ChallengeOutcome(kind, START + timedelta(minutes=minute), verdict, override)


def lesson(
    entry: Verdict | None, randoms: Sequence[Verdict | None], end: Verdict | None
) -> list[ChallengeOutcome]:
    """A 50-minute lesson: entry at 0, random checks every 5 minutes, end at 47."""
    timeline = [check(RANDOM, verdict, 5 * (i + 1)) for i, verdict in enumerate(randoms)]
    return [check(ENTRY, entry, 0), *timeline, check(END, end, 47)]


def test_a_student_present_throughout_attended() -> None:
    result = decide(lesson(V.VERIFIED, [V.VERIFIED] * 4, V.VERIFIED), POLICY)

    assert result == DecisionResult(
        Decision.ATTENDED,
        (
            "entry check verified",
            "end check verified",
            "6 of 6 checks verified (100 %, policy needs 80 %)",
        ),
        checks_total=6,
        checks_verified=6,
    )


def test_too_few_verified_checks_make_a_partial_attendance() -> None:
    randoms = [V.VERIFIED] * 5 + [V.MISSED, V.NO_FACE, V.LOW_QUALITY]

    result = decide(lesson(V.VERIFIED, randoms, V.VERIFIED), POLICY)

    assert result.decision is Decision.PARTIAL
    assert "7 of 10 checks verified (70 %, policy needs 80 %)" in result.reasons
    assert (result.checks_total, result.checks_verified) == (10, 7)


def test_exactly_the_needed_share_is_enough() -> None:
    randoms = [V.VERIFIED] * 6 + [V.MISSED, V.MISSED]

    result = decide(lesson(V.VERIFIED, randoms, V.VERIFIED), POLICY)

    assert result.decision is Decision.ATTENDED
    assert "8 of 10 checks verified (80 %, policy needs 80 %)" in result.reasons


def test_the_share_shown_is_rounded_down_so_it_never_looks_enough_when_it_is_not() -> None:
    randoms = [V.VERIFIED] * 37 + [V.MISSED] * 10

    result = decide(lesson(V.VERIFIED, randoms, V.VERIFIED), POLICY)

    assert result.decision is Decision.PARTIAL
    assert result.reasons[-1] == "39 of 49 checks verified (79 %, policy needs 80 %)"


def test_a_missed_entry_check_prevents_attendance() -> None:
    result = decide(lesson(V.MISSED, [V.VERIFIED] * 9, V.VERIFIED), POLICY)

    assert result.decision is Decision.PARTIAL
    assert result.reasons[0] == "entry check missed"


def test_a_student_replaced_by_another_person_halfway_attended_partially() -> None:
    randoms = [V.VERIFIED, V.VERIFIED, V.WRONG_PERSON, V.WRONG_PERSON]

    result = decide(lesson(V.VERIFIED, randoms, V.WRONG_PERSON), POLICY)

    assert result.decision is Decision.PARTIAL
    assert result.reasons[:2] == ("entry check verified", "end check failed: another person")


def test_a_late_student_without_an_entry_check_attended_partially() -> None:
    timeline = [
        check(RANDOM, V.VERIFIED, 20),
        check(RANDOM, V.VERIFIED, 30),
        check(END, V.VERIFIED),
    ]

    result = decide(timeline, POLICY)

    assert result.decision is Decision.PARTIAL
    assert result.reasons[0] == "no entry check"


def test_a_student_who_never_answers_is_absent() -> None:
    result = decide(lesson(V.MISSED, [V.MISSED] * 4, V.MISSED), POLICY)

    assert result.decision is Decision.ABSENT
    assert "0 of 6 checks verified (0 %, policy needs 80 %)" in result.reasons


def test_a_student_who_never_joined_is_absent() -> None:
    result = decide([], POLICY)

    assert result == DecisionResult(
        Decision.ABSENT, ("no check was issued: the student never joined",), 0, 0
    )


def test_a_doubtful_check_waits_for_a_reviewer_and_the_review_decides() -> None:
    timeline = lesson(V.VERIFIED, [V.VERIFIED, V.NEEDS_REVIEW, V.VERIFIED], V.VERIFIED)

    waiting = decide(timeline, POLICY)
    timeline[2] = check(RANDOM, V.NEEDS_REVIEW, 10, review=V.VERIFIED)
    reviewed = decide(timeline, POLICY)

    assert waiting.decision is Decision.PENDING_REVIEW
    assert waiting.reasons == ("1 check awaiting review",)
    assert reviewed.decision is Decision.ATTENDED
    assert reviewed.reasons[-1] == (
        "random check at 19:10 UTC set to VERIFIED by a reviewer: checked by hand"
    )


def test_a_failed_head_turn_waits_for_a_reviewer_and_is_never_silently_absent() -> None:
    timeline = [check(ENTRY, V.LIVENESS_FAILED, 0), check(RANDOM, V.LIVENESS_FAILED, 10)]

    waiting = decide(timeline, POLICY)
    timeline[0] = check(ENTRY, V.LIVENESS_FAILED, 0, review=V.LIVENESS_FAILED)
    timeline[1] = check(RANDOM, V.LIVENESS_FAILED, 10, review=V.VERIFIED)
    reviewed = decide(timeline, POLICY)

    assert waiting.decision is Decision.PENDING_REVIEW
    assert waiting.reasons == ("2 checks awaiting review (2 failed the liveness check)",)
    assert reviewed.decision is Decision.PARTIAL
    assert reviewed.reasons[0] == "entry check failed: no live head turn"
    assert reviewed.checks_verified == 1


def test_a_reviewer_can_overturn_a_machine_verdict() -> None:
    timeline = lesson(V.VERIFIED, [V.VERIFIED] * 3, V.VERIFIED)
    timeline[0] = check(ENTRY, V.VERIFIED, 0, review=V.WRONG_PERSON)

    result = decide(timeline, POLICY)

    assert result.decision is Decision.PARTIAL
    assert result.reasons[0] == "entry check failed: another person"
    assert result.checks_verified == 4


def test_captures_still_being_analysed_keep_the_decision_open() -> None:
    result = decide(lesson(V.VERIFIED, [V.VERIFIED, None], None), POLICY)

    assert result.decision is Decision.PENDING_REVIEW
    assert result.reasons == ("2 checks still being analysed",)


def test_a_review_must_settle_the_check() -> None:
    with pytest.raises(ValueError, match="NEEDS_REVIEW is not a review verdict"):
        ReviewOverride(V.NEEDS_REVIEW, "not sure")


# --- properties ---------------------------------------------------------------------------------

RANK = {Decision.ABSENT: 0, Decision.PARTIAL: 1, Decision.ATTENDED: 2}
SETTLING = [v for v in Verdict if v is not Verdict.NEEDS_REVIEW]
MACHINE_FINAL = [v for v in Verdict if v not in (V.NEEDS_REVIEW, V.LIVENESS_FAILED)]


@st.composite
def outcomes(draw: st.DrawFn) -> ChallengeOutcome:
    return check(
        draw(st.sampled_from(ChallengeKind)),
        draw(st.none() | st.sampled_from(Verdict)),
        draw(st.integers(min_value=0, max_value=120)),
        review=draw(st.none() | st.sampled_from(SETTLING)),
    )


timelines = st.lists(outcomes(), max_size=16)
mostly_settled = st.lists(
    st.builds(
        check,
        st.sampled_from(ChallengeKind),
        st.sampled_from(MACHINE_FINAL),
        st.integers(min_value=0, max_value=120),
    ),
    max_size=16,
)
policies = st.builds(
    AttendancePolicy,
    verified_share_needed_percent=st.floats(min_value=50, max_value=100),
)


def verified_instead(outcome: ChallengeOutcome) -> ChallengeOutcome:
    """The same check, at the same time, verified (by a reviewer when it was reviewed)."""
    if outcome.review is not None:
        return ChallengeOutcome(
            outcome.kind, outcome.issued_at, outcome.verdict, ReviewOverride(V.VERIFIED, "ok")
        )
    return ChallengeOutcome(outcome.kind, outcome.issued_at, V.VERIFIED, None)


@settings(max_examples=300)
@given(timelines | mostly_settled, st.data(), policies)
def test_verifying_a_check_never_makes_a_settled_decision_worse(
    timeline: list[ChallengeOutcome], data: st.DataObject, policy: AttendancePolicy
) -> None:
    if not timeline:
        return
    index = data.draw(st.integers(min_value=0, max_value=len(timeline) - 1))
    better = [*timeline]
    better[index] = verified_instead(timeline[index])

    before, after = decide(timeline, policy), decide(better, policy)

    if before.decision is not Decision.PENDING_REVIEW:
        assert after.decision is not Decision.PENDING_REVIEW
    if Decision.PENDING_REVIEW not in (before.decision, after.decision):
        assert RANK[after.decision] >= RANK[before.decision]


@settings(max_examples=300)
@given(timelines | mostly_settled, policies)
def test_attended_means_entry_and_end_verified_and_the_share_met(
    timeline: list[ChallengeOutcome], policy: AttendancePolicy
) -> None:
    result = decide(timeline, policy)

    if result.decision is Decision.ATTENDED:
        entries = [o for o in timeline if o.kind is ENTRY]
        ends = [o for o in timeline if o.kind is END]
        assert entries and all(o.final_verdict is V.VERIFIED for o in entries)
        last = max(timeline, key=lambda o: o.issued_at)
        stand_in = ends or [o for o in timeline if o.issued_at == last.issued_at]
        assert all(o.final_verdict is V.VERIFIED for o in stand_in)
        share = 100 * result.checks_verified / result.checks_total
        assert share >= policy.verified_share_needed_percent - 1e-9


@settings(max_examples=300)
@given(timelines | mostly_settled, st.randoms(use_true_random=False))
def test_the_order_of_the_timeline_does_not_matter(
    timeline: list[ChallengeOutcome], rng: random.Random
) -> None:
    shuffled = [*timeline]
    rng.shuffle(shuffled)

    assert decide(shuffled, POLICY) == decide(timeline, POLICY)


@settings(max_examples=300)
@given(timelines | mostly_settled)
def test_counts_and_the_decision_agree_with_the_timeline(timeline: list[ChallengeOutcome]) -> None:
    result = decide(timeline, POLICY)

    finals = [o.final_verdict for o in timeline]
    assert result.checks_total == len(timeline)
    assert result.checks_verified == finals.count(V.VERIFIED)
    to_review = [o.verdict for o in timeline if o.review is None]
    unsettled = None in finals or {V.NEEDS_REVIEW, V.LIVENESS_FAILED} & set(to_review) != set()
    assert (result.decision is Decision.PENDING_REVIEW) == (bool(timeline) and unsettled)
    nothing_verified = result.checks_verified == 0
    assert (result.decision is Decision.ABSENT) == (nothing_verified and not unsettled)


def test_an_early_stop_lets_the_last_check_stand_for_the_end_check() -> None:
    start = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    timeline = [
        ChallengeOutcome(ENTRY, start, V.VERIFIED),
        ChallengeOutcome(RANDOM, start + timedelta(minutes=12), V.VERIFIED),
        ChallengeOutcome(RANDOM, start + timedelta(minutes=25), V.VERIFIED),
    ]

    result = decide(timeline, POLICY)

    assert result.decision is Decision.ATTENDED
    assert (
        "no end check was issued; the last check (random at 09:25 UTC) stands for it: verified"
        in (result.reasons)
    )


def test_an_end_check_the_stop_cancelled_is_not_said_never_issued() -> None:
    start = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    timeline = [
        ChallengeOutcome(ENTRY, start, V.VERIFIED),
        ChallengeOutcome(RANDOM, start + timedelta(minutes=25), V.VERIFIED),
    ]

    result = decide(timeline, POLICY, end_check_cancelled=True)

    assert result.decision is Decision.ATTENDED
    assert result.reasons[1] == (
        "the lesson stopped before the end check could be answered; the last check"
        " (random at 09:25 UTC) stands for it: verified"
    )


def test_without_an_end_check_a_failed_last_check_still_counts_against() -> None:
    start = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    timeline = [
        ChallengeOutcome(ENTRY, start, V.VERIFIED),
        *[ChallengeOutcome(RANDOM, start + timedelta(minutes=m), V.VERIFIED) for m in (5, 10, 15)],
        ChallengeOutcome(RANDOM, start + timedelta(minutes=25), V.WRONG_PERSON),
    ]

    assert decide(timeline, POLICY).decision is Decision.PARTIAL
