"""One rule turns what the vision engine saw into a verdict, by the course's thresholds."""

import pytest

from trust_lesson.presence.judging import verdict_of
from trust_lesson.presence.policy import AttendancePolicy
from trust_lesson.presence.verdicts import Verdict
from trust_lesson.vision.capture import CaptureAnalysis
from trust_lesson.vision.quality import Quality
from trust_lesson.vision.replay import ReplayMatch

DEFAULTS = AttendancePolicy()
GOOD_LIGHT = Quality(
    brightness=120,
    sharpness=150,
    face_width=180,
    too_dark=False,
    too_bright=False,
    blurred=False,
    face_too_small=False,
)


def seen(
    *,
    faces: int = 1,
    similarity: float | None = 95.0,
    quality: Quality = GOOD_LIGHT,
    replay: ReplayMatch | None = None,
) -> CaptureAnalysis:
    return CaptureAnalysis(
        faces=faces,
        face_boxes=(),
        similarity=similarity,
        quality=quality,
        phash="0" * 64,
        replay=replay,
        embedding=None,
        width=640,
        height=480,
    )


def dim(**problems: bool) -> Quality:
    values = {
        "too_dark": False,
        "too_bright": False,
        "blurred": False,
        "face_too_small": False,
        **problems,
    }
    return Quality(brightness=30, sharpness=5, face_width=40, **values)


@pytest.mark.parametrize(
    ("analysis", "verdict", "reasons"),
    [
        (seen(similarity=95.0), Verdict.VERIFIED, ["similarity 95.0 >= 90"]),
        (
            seen(similarity=87.5),
            Verdict.NEEDS_REVIEW,
            ["similarity 87.5 between 85 and 90: kept for human review"],
        ),
        (seen(similarity=60.0), Verdict.WRONG_PERSON, ["similarity 60.0 < 85: another person"]),
        (seen(similarity=None), Verdict.NEEDS_REVIEW, ["no enrolment face to compare with"]),
        (seen(faces=0, similarity=None), Verdict.NO_FACE, ["no face found"]),
        (
            seen(faces=0, similarity=None, quality=dim(too_dark=True)),
            Verdict.LOW_QUALITY,
            ["no face found; picture too dark"],
        ),
        (seen(faces=2, similarity=None), Verdict.MULTIPLE_FACES, ["2 faces in the picture"]),
        (seen(quality=dim(blurred=True)), Verdict.LOW_QUALITY, ["picture blurred"]),
        (
            seen(replay=ReplayMatch("f" * 64, distance=2, mirrored=True)),
            Verdict.REPLAYED,
            ["the picture is a mirrored copy of an earlier one"],
        ),
    ],
)
def test_what_the_picture_shows_decides_the_verdict(
    analysis: CaptureAnalysis, verdict: Verdict, reasons: list[str]
) -> None:
    assert verdict_of(analysis, DEFAULTS) == (verdict, reasons)


def test_the_course_thresholds_decide_the_grey_zone() -> None:
    strict = AttendancePolicy(verified_at=97, review_at=92)

    assert verdict_of(seen(similarity=95.0), strict)[0] is Verdict.NEEDS_REVIEW
    assert verdict_of(seen(similarity=91.0), strict)[0] is Verdict.WRONG_PERSON


def test_a_replay_wins_over_everything_else() -> None:
    copy = ReplayMatch("f" * 64, distance=0, mirrored=False)

    assert verdict_of(seen(faces=0, replay=copy), DEFAULTS)[0] is Verdict.REPLAYED
