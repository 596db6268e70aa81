import pytest

from trust_lesson.presence.policy import AttendancePolicy
from trust_lesson.presence.verdicts import Verdict, verdict_for_similarity


@pytest.mark.parametrize(
    ("score", "verdict"),
    [
        (100.0, Verdict.VERIFIED),
        (90.0, Verdict.VERIFIED),
        (89.99, Verdict.NEEDS_REVIEW),
        (85.0, Verdict.NEEDS_REVIEW),
        (84.99, Verdict.WRONG_PERSON),
        (0.0, Verdict.WRONG_PERSON),
    ],
)
def test_the_default_thresholds_sort_similarity_scores(score: float, verdict: Verdict) -> None:
    assert verdict_for_similarity(score, AttendancePolicy()) is verdict


def test_a_course_with_stricter_thresholds_sends_more_to_review() -> None:
    strict = AttendancePolicy(verified_at=95, review_at=80)

    assert verdict_for_similarity(92, strict) is Verdict.NEEDS_REVIEW
    assert verdict_for_similarity(82, strict) is Verdict.NEEDS_REVIEW
    assert verdict_for_similarity(79, strict) is Verdict.WRONG_PERSON


@pytest.mark.parametrize("score", [-0.1, 100.1, float("nan")])
def test_a_score_off_the_scale_is_refused(score: float) -> None:
    with pytest.raises(ValueError, match="between 0 and 100"):
        verdict_for_similarity(score, AttendancePolicy())
