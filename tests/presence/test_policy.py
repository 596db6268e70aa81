from datetime import timedelta

import pytest
from pydantic import ValidationError

from trust_lesson.presence.policy import AttendancePolicy


def test_the_defaults_are_the_product_numbers() -> None:
    policy = AttendancePolicy()

    assert policy.entry_tolerance == timedelta(minutes=15)
    assert policy.recheck_mean_interval == timedelta(minutes=10)
    assert policy.recheck_min_gap == timedelta(minutes=3)
    assert policy.answer_deadline == timedelta(seconds=60)
    assert policy.end_check_lead == timedelta(minutes=5)
    assert (policy.verified_at, policy.review_at) == (90, 85)
    assert policy.verified_share_needed_percent == 80
    assert policy.image_retention == timedelta(days=180)
    assert policy.template_retention == timedelta(days=3 * 365)


def test_a_course_stores_its_policy_as_json_and_gets_the_same_policy_back() -> None:
    policy = AttendancePolicy(entry_tolerance_min=10, verified_share_needed_percent=75)

    stored = policy.model_dump_json()

    assert AttendancePolicy.model_validate_json(stored) == policy


def test_a_policy_cannot_be_changed_in_place() -> None:
    policy = AttendancePolicy()

    with pytest.raises(ValidationError):
        policy.entry_tolerance_min = 30  # type: ignore[misc]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"review_at": 92}, "review threshold (92) must not be above the verified threshold (90)"),
        ({"recheck_mean_interval_min": 3}, "must be longer than the minimum gap"),
        ({"answer_deadline_s": 180}, "so that two challenges are never open at once"),
        ({"end_check_lead_min": 0.5}, "end check can be answered before the lesson ends"),
    ],
)
def test_nonsensical_combinations_are_refused_with_a_clear_message(
    changes: dict[str, float], message: str
) -> None:
    with pytest.raises(ValidationError, match=message.replace("(", r"\(").replace(")", r"\)")):
        AttendancePolicy.model_validate(changes)


@pytest.mark.parametrize(
    "changes",
    [
        {"entry_tolerance_min": 0},
        {"recheck_min_gap_min": -1},
        {"answer_deadline_s": float("nan")},
        {"verified_at": 101},
        {"verified_share_needed_percent": 0},
        {"image_retention_days": 0},
        {"recheck_mean_interval_min": float("inf")},
        {"face_similarity": 90},
    ],
)
def test_out_of_range_or_unknown_numbers_are_refused(changes: dict[str, float]) -> None:
    with pytest.raises(ValidationError):
        AttendancePolicy.model_validate(changes)


def test_a_school_may_drop_the_review_zone() -> None:
    policy = AttendancePolicy(verified_at=88, review_at=88)

    assert policy.review_at == policy.verified_at
