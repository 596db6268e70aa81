"""The liveness rule on observations written by hand (no models): each check names itself."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from trust_lesson.presence.liveness import LivenessCheck, LivenessVerdict, judge_liveness
from trust_lesson.presence.verdicts import TurnDirection
from trust_lesson.vision.liveness import BurstObservations, FrameObservation


def burst(
    yaws: list[float | None],
    *,
    similarities: list[float | None] | None = None,
    enrolment: float | None = 97.0,
    differences: list[float] | None = None,
    parallax: list[float | None] | None = None,
) -> BurstObservations:
    frames = tuple(
        FrameObservation(0 if y is None else 1, y, None, None if y is None else np.zeros(128))
        for y in yaws
    )
    return BurstObservations(
        frames=frames,
        reference_similarity=enrolment,
        frame_similarities=tuple(similarities or [None if y is None else 95.0 for y in yaws]),
        frame_differences=tuple(differences or [8.0] * (len(yaws) - 1)),
        parallax=tuple(parallax or []),
    )


def test_a_turn_to_the_asked_side_is_verified_with_its_size() -> None:
    judgement = judge_liveness(burst([0.05, 0.1, 0.5, 0.6, 0.55]), TurnDirection.LEFT)

    assert judgement.live
    assert judgement.turn is not None and round(judgement.turn, 2) == 0.50
    assert judgement.reasons == ("turned left by 0.50 (needs 0.40), same person",)


def test_the_same_turn_asked_the_other_way_fails() -> None:
    judgement = judge_liveness(burst([0.05, 0.1, 0.5, 0.6, 0.55]), TurnDirection.RIGHT)

    assert judgement.verdict is LivenessVerdict.LIVENESS_FAILED
    assert judgement.failed == (LivenessCheck.TURN,)
    assert judgement.reasons == (
        "the head did not turn right enough (-0.05, needs 0.40; or 0.25 with the nose leaving "
        "the face's plane by 0.08, measured +0.00)",
    )


def test_a_turn_just_short_of_the_threshold_fails() -> None:
    judgement = judge_liveness(burst([0.0, -0.2, -0.39]), TurnDirection.RIGHT)

    assert not judgement.live


def test_a_milder_turn_is_verified_when_the_nose_leaves_the_face_s_plane() -> None:
    mild = burst([0.05, 0.05, 0.33, 0.36, 0.35], parallax=[0.0, 0.0, 0.11, 0.12, 0.12])

    judgement = judge_liveness(mild, TurnDirection.LEFT)

    assert judgement.live
    assert judgement.reasons == (
        "turned left by 0.30 with the nose leaving the face's plane by 0.12 (needs 0.25 and "
        "0.08), same person",
    )


def test_a_milder_turn_of_a_flat_picture_fails() -> None:
    """A tilted print: the yaw moves a little (perspective), the nose stays in the plane."""
    tilted = burst([0.05, 0.05, 0.33, 0.36, 0.35], parallax=[0.0, 0.01, 0.02, 0.03, 0.02])

    judgement = judge_liveness(tilted, TurnDirection.LEFT)

    assert judgement.failed == (LivenessCheck.TURN,)
    assert "measured +0.02" in judgement.reasons[0]


def test_the_nose_parallax_counts_only_in_frames_that_turned_the_asked_way() -> None:
    """Depth in one frame and a turn in another is no turn; nor is depth the other way."""
    scattered = burst([0.0, 0.3, 0.05, 0.3, 0.02], parallax=[0.0, 0.01, 0.2, 0.02, 0.2])
    other_way = burst([0.0, 0.0, 0.3, 0.3, 0.3], parallax=[0.0, 0.0, -0.15, -0.15, -0.15])

    assert not judge_liveness(scattered, TurnDirection.LEFT).live
    assert not judge_liveness(other_way, TurnDirection.LEFT).live
    assert not judge_liveness(other_way, TurnDirection.RIGHT).live


def test_a_burst_starting_turned_fails_even_if_it_turns_further() -> None:
    judgement = judge_liveness(burst([-0.3, -0.5, -0.8, -0.8]), TurnDirection.RIGHT)

    assert judgement.reasons == ("the first face is not frontal (yaw -0.30, needs within +/-0.25)",)


def test_one_frame_alone_is_no_turn() -> None:
    judgement = judge_liveness(burst([0.0, 0.02, 0.55, 0.05, 0.03]), TurnDirection.LEFT)

    assert judgement.reasons == (
        "the head did not turn left enough (+0.05, needs 0.40; or 0.25 with the nose leaving "
        "the face's plane by 0.08, measured +0.00)",
    )


def test_several_faces_in_a_frame_fail() -> None:
    crowded = burst([0.0, 0.3, 0.5, 0.5])
    frames = list(crowded.frames)
    frames[1] = FrameObservation(2, 0.3, None, None)

    judgement = judge_liveness(replace(crowded, frames=tuple(frames)), TurnDirection.LEFT)

    assert judgement.reasons == ("frame 2 shows 2 faces",)


def test_too_few_faces_fail() -> None:
    judgement = judge_liveness(burst([0.0, None, None, 0.5, None]), TurnDirection.LEFT)

    assert judgement.reasons[0] == "a face in 2 of 5 frames (needs 3)"


def test_no_face_at_all_fails_without_a_turn() -> None:
    judgement = judge_liveness(burst([None, None, None]), TurnDirection.LEFT)

    assert judgement.turn is None
    assert not judgement.live


def test_another_person_or_not_the_enrolled_student_fails() -> None:
    other = burst([0.0, 0.5, 0.5], similarities=[100.0, 96.0, 60.0], enrolment=70.0)

    judgement = judge_liveness(other, TurnDirection.LEFT)

    assert judgement.reasons == (
        "the first face is not the enrolled student (similarity 70.0 < 90)",
        "frame 3 shows another person than the first (similarity 60.0 < 85)",
    )


def test_identical_consecutive_frames_fail() -> None:
    judgement = judge_liveness(burst([0.0, 0.5, 0.5], differences=[0.1, 7.0]), TurnDirection.LEFT)

    assert judgement.reasons == ("frames 1 and 2 are identical",)


# An ordered two-step: eight frames, one side and then the other.
LEFT_THEN_RIGHT_YAWS: list[float | None] = [0.02, 0.2, 0.5, 0.55, 0.1, -0.45, -0.5, -0.5]


def test_a_two_step_turn_in_the_asked_order_is_verified_with_both_steps() -> None:
    judgement = judge_liveness(burst(LEFT_THEN_RIGHT_YAWS), TurnDirection.LEFT_THEN_RIGHT)

    assert judgement.live
    assert judgement.reasons == (
        "turned left by 0.48 (needs 0.40), then turned right by 0.52 (needs 0.40), same person",
    )
    assert [(step.side, step.done_at) for step in judgement.steps] == [
        (TurnDirection.LEFT, 3),
        (TurnDirection.RIGHT, 6),
    ]


def test_a_two_step_in_the_wrong_order_fails_on_its_second_step() -> None:
    judgement = judge_liveness(burst(LEFT_THEN_RIGHT_YAWS), TurnDirection.RIGHT_THEN_LEFT)

    assert judgement.failed == (LivenessCheck.TURN,)
    assert judgement.reasons[0].startswith("the head did not turn left enough after turning right")


def test_a_clip_turning_one_way_only_fails_a_two_step() -> None:
    one_way = burst([0.02, 0.2, 0.5, 0.55, 0.5, 0.5, 0.55, 0.5])

    judgement = judge_liveness(one_way, TurnDirection.LEFT_THEN_RIGHT)

    assert judgement.reasons[0].startswith("the head did not turn right enough after turning left")
    assert judgement.steps[1].turn is not None and judgement.steps[1].turn < 0


def test_the_second_step_counts_only_after_the_first_is_done() -> None:
    """Turned right first, then left: the right turn came before the left one was done."""
    early = burst([0.0, -0.5, -0.5, 0.0, 0.5, 0.5, 0.45, 0.5])

    assert not judge_liveness(early, TurnDirection.LEFT_THEN_RIGHT).live
    assert judge_liveness(early, TurnDirection.RIGHT_THEN_LEFT).live


def test_a_first_step_never_done_leaves_the_second_unmeasured() -> None:
    still = burst([0.0, 0.05, 0.02, 0.04, 0.03, 0.0, 0.01, 0.02])

    judgement = judge_liveness(still, TurnDirection.RIGHT_THEN_LEFT)

    assert judgement.reasons == (
        "the head did not turn right enough (+0.00, needs 0.40; or 0.25 with the nose leaving "
        "the face's plane by 0.08, measured +0.00)",
    )
    assert judgement.steps[1].done_at is None and judgement.steps[1].turn is None
