"""Liveness bursts from the shared pictures through the real models (how each set is built:
tests/vision/bursts.py). A few bursts here; bench/vision.py runs the full sets."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from trust_lesson.presence.liveness import DEFAULT_RULES, LivenessVerdict, judge_liveness
from trust_lesson.presence.verdicts import ONE_STEP_TURNS, TWO_STEP_TURNS, TurnDirection
from trust_lesson.vision import faces, liveness
from trust_lesson.vision.faces import FaceBox, largest_face_embedding
from trust_lesson.vision.liveness import NOSE_TIP, nose_parallax, observe_burst

from .bursts import (
    OTHER_SIDE,
    head_turn,
    mirrored,
    one_way_clip,
    picture,
    printed_photo,
    too_late,
    two_step_turn,
)

pytestmark = pytest.mark.slow

TURNS = [
    ("face_recognition/kit_harington_1.jpeg", "face_recognition/kit_harington_2.jpeg", "RIGHT"),
    ("lfw/Conchita_Martinez_0001.jpg", "lfw/Conchita_Martinez_0003.jpg", "LEFT"),
    ("lfw/King_Abdullah_II_0001.jpg", "lfw/King_Abdullah_II_0005.jpg", "LEFT"),
]


def verdict(frames: list[bytes], direction: str, references: list[np.ndarray]) -> LivenessVerdict:
    return judge_liveness(observe_burst(frames, references), TurnDirection(direction)).verdict


@pytest.mark.parametrize("relative", [turned for _, turned, _ in TURNS] + ["lfw/Lucy_Liu_0002.jpg"])
def test_the_yaw_of_a_turned_face_flips_sign_in_the_mirror(testdata: Path, relative: str) -> None:
    rgb = picture(testdata, relative)

    yaw = observe_burst([rgb], []).yaw[0]
    mirrored_yaw = observe_burst([mirrored(rgb)], []).yaw[0]

    assert yaw is not None and mirrored_yaw is not None
    assert abs(yaw) >= DEFAULT_RULES.turn_at_least
    assert mirrored_yaw == pytest.approx(-yaw, abs=0.1)


@pytest.mark.parametrize(("start", "turned", "side"), TURNS)
def test_a_real_head_turn_is_verified_and_its_mirror_to_the_other_side(
    testdata: Path, start: str, turned: str, side: str
) -> None:
    frontal, turned_face = picture(testdata, start), picture(testdata, turned)
    enrolment = [largest_face_embedding(frontal)]

    burst = observe_burst(head_turn(frontal, turned_face), enrolment)
    judgement = judge_liveness(burst, TurnDirection(side))
    mirror = head_turn(mirrored(frontal), mirrored(turned_face))

    assert judgement.verdict is LivenessVerdict.VERIFIED, judgement.reasons
    assert judgement.turn is not None and judgement.turn >= 0.40
    assert verdict(mirror, OTHER_SIDE[side], []) is LivenessVerdict.VERIFIED


@pytest.mark.parametrize(("start", "turned", "side"), TURNS[:2])
def test_a_clip_turning_the_wrong_way_or_too_late_fails(
    testdata: Path, start: str, turned: str, side: str
) -> None:
    frontal, turned_face = picture(testdata, start), picture(testdata, turned)

    wrong_way = judge_liveness(
        observe_burst(head_turn(frontal, turned_face), []), TurnDirection(OTHER_SIDE[side])
    )

    assert wrong_way.verdict is LivenessVerdict.LIVENESS_FAILED
    assert f"did not turn {OTHER_SIDE[side].lower()} enough" in wrong_way.reasons[0]
    assert verdict(too_late(frontal), side, []) is LivenessVerdict.LIVENESS_FAILED


def test_a_printed_photo_tilted_towards_either_side_fails(testdata: Path) -> None:
    rng = np.random.default_rng(12)
    frontal = picture(testdata, "lfw/King_Abdullah_II_0001.jpg")

    for _ in range(4):
        burst = observe_burst(printed_photo(frontal, rng), [])
        judgements = [judge_liveness(burst, side) for side in ONE_STEP_TURNS]

        assert [j.verdict for j in judgements] == [LivenessVerdict.LIVENESS_FAILED] * 2
        assert all(j.turn is not None and j.turn < 0.40 for j in judgements)
        assert all(j.parallax is not None and j.parallax < 0.08 for j in judgements)


@pytest.mark.parametrize(("start", "turned", "side"), TURNS[1:])
def test_a_real_two_step_is_verified_in_its_order_only(
    testdata: Path, start: str, turned: str, side: str
) -> None:
    frontal, turned_face = picture(testdata, start), picture(testdata, turned)
    enrolment = [largest_face_embedding(frontal)]
    asked = TurnDirection(f"{side}_THEN_{OTHER_SIDE[side]}")
    reversed_order = next(order for order in TWO_STEP_TURNS if order is not asked)

    burst = observe_burst(two_step_turn(frontal, turned_face), enrolment)
    judgement = judge_liveness(burst, asked)
    mirror = two_step_turn(mirrored(frontal), mirrored(turned_face))

    assert judgement.verdict is LivenessVerdict.VERIFIED, judgement.reasons
    assert [step.side.value for step in judgement.steps] == [side, OTHER_SIDE[side]]
    assert all(step.turn is not None and step.turn >= 0.40 for step in judgement.steps)
    assert judge_liveness(burst, reversed_order).verdict is LivenessVerdict.LIVENESS_FAILED
    assert verdict(mirror, reversed_order.value, []) is LivenessVerdict.VERIFIED


def test_a_one_way_clip_or_a_print_swung_both_ways_fails_a_two_step(testdata: Path) -> None:
    frontal, turned = (picture(testdata, relative) for relative in TURNS[2][:2])
    rng = np.random.default_rng(21)

    one_way = observe_burst(one_way_clip(frontal, turned), [])
    prints = [observe_burst(printed_photo(frontal, rng, both_ways=True), []) for _ in range(2)]

    for burst in [one_way, *prints]:
        judgements = [judge_liveness(burst, order) for order in TWO_STEP_TURNS]
        assert [j.verdict for j in judgements] == [LivenessVerdict.LIVENESS_FAILED] * 2
    assert len(one_way.frames) == len(prints[0].frames) == 8


def test_a_flat_face_keeps_its_nose_in_its_plane_whatever_the_tilt(testdata: Path) -> None:
    """Any tilt of a flat picture moves its points by a homography: no nose parallax; the
    nose tip moved out of that plane by a tenth of the eye distance reads 0.1."""
    frame = observe_burst([picture(testdata, "lfw/King_Abdullah_II_0001.jpg")], []).frames[0]
    assert frame.points is not None
    tilt = np.array([[0.8, 0.05, 20.0], [0.02, 1.0, -5.0], [6e-4, 1e-4, 1.0]])
    seen = np.c_[frame.points, np.ones(68)] @ tilt.T
    tilted = seen[:, :2] / seen[:, 2:]
    eye_line = tilted[42:48].mean(axis=0) - tilted[36:42].mean(axis=0)
    to_the_right, to_the_left = tilted.copy(), tilted.copy()
    to_the_right[NOSE_TIP] += 0.1 * eye_line
    to_the_left[NOSE_TIP] -= 0.1 * eye_line

    assert nose_parallax(frame.points, tilted) == pytest.approx(0.0, abs=1e-6)
    assert nose_parallax(frame.points, to_the_right) == pytest.approx(0.1, abs=1e-6)
    assert nose_parallax(frame.points, to_the_left) == pytest.approx(-0.1, abs=1e-6)


def test_a_mild_real_turn_is_verified_by_the_nose_leaving_the_face_s_plane(
    testdata: Path,
) -> None:
    """John Schneider's turned photo is about 20 degrees: the yaw moves by less than 0.40,
    but the nose tip stands out of the face as only a head's does."""
    start = picture(testdata, "dlib_johns/John_Schneider/000302_00925785.jpg")
    turned = picture(testdata, "dlib_johns/John_Schneider/000326_00926128.jpg")

    judgement = judge_liveness(observe_burst(head_turn(start, turned), []), TurnDirection.RIGHT)

    assert judgement.verdict is LivenessVerdict.VERIFIED, judgement.reasons
    assert judgement.turn is not None and 0.25 <= judgement.turn < 0.40
    assert judgement.parallax is not None and judgement.parallax >= 0.08


def test_another_person_turning_in_the_burst_fails(testdata: Path) -> None:
    kit = picture(testdata, "face_recognition/kit_harington_1.jpeg")
    someone_else = mirrored(picture(testdata, "lfw/Conchita_Martinez_0003.jpg"))

    judgement = judge_liveness(
        observe_burst(head_turn(kit, someone_else), [largest_face_embedding(kit)]),
        TurnDirection.RIGHT,
    )

    assert judgement.verdict is LivenessVerdict.LIVENESS_FAILED
    assert any("another person than the first" in reason for reason in judgement.reasons)


def test_the_same_frame_sent_five_times_fails_as_identical(testdata: Path) -> None:
    frame = too_late(picture(testdata, "lfw/King_Abdullah_II_0001.jpg"))[0]

    judgement = judge_liveness(observe_burst([frame] * 5, []), TurnDirection.LEFT)

    assert "frames 1 and 2 are identical" in judgement.reasons


def test_only_the_first_frame_of_a_burst_is_looked_at_whole(
    testdata: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Frames 2-5 are looked at around the last face seen; the whole-frame detectors run
    once per burst (BlazeFace for the first frame), not once per frame. (Conchita Martinez's
    two photos frame her face alike; kit_harington's differ threefold in size, and there the
    turned frames are looked at whole again, as a head that jumped would be.)"""
    whole_frame_looks: list[str] = []
    detect = faces.detect_faces

    def counted(rgb: np.ndarray, **options: Any) -> list[FaceBox]:
        whole_frame_looks.append(options.get("method", "blazeface"))
        return detect(rgb, **options)

    monkeypatch.setattr(liveness, "detect_faces", counted)
    start, turned, side = TURNS[1]

    judgement = judge_liveness(
        observe_burst(head_turn(picture(testdata, start), picture(testdata, turned)), []),
        TurnDirection(side),
    )

    assert judgement.verdict is LivenessVerdict.VERIFIED, judgement.reasons
    assert whole_frame_looks == ["blazeface"]
