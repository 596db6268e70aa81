"""analyze_capture suggests the verdict a reviewer would give, with reasons."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageFilter

from trust_lesson.vision import UnsupportedImageType, Verdict, analyze_capture
from trust_lesson.vision.faces import largest_face_embedding

from .conftest import jpeg, load, webcam_frame

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def enrolled(astronaut: np.ndarray) -> list[np.ndarray]:
    """The student's enrolment template: the astronaut photographed the other way round."""
    embedding = largest_face_embedding(np.ascontiguousarray(astronaut[:, ::-1]))
    assert embedding is not None
    return [embedding]


def test_the_enrolled_student_is_verified(
    astronaut: np.ndarray, enrolled: list[np.ndarray]
) -> None:
    result = analyze_capture(jpeg(webcam_frame(astronaut)), enrolled, [])

    assert result.verdict is Verdict.VERIFIED
    assert result.faces == 1
    assert result.similarity is not None and result.similarity >= 90
    assert result.quality.ok
    assert result.embedding is not None and result.embedding.shape == (128,)


def test_the_same_picture_sent_again_is_replayed(
    astronaut: np.ndarray, enrolled: list[np.ndarray]
) -> None:
    picture = jpeg(webcam_frame(astronaut))
    first = analyze_capture(picture, enrolled, [])

    again = analyze_capture(picture, enrolled, [first.phash])

    assert again.verdict is Verdict.REPLAYED
    assert again.replay is not None and again.replay.distance == 0


def test_an_empty_room_has_no_face(coffee: np.ndarray, enrolled: list[np.ndarray]) -> None:
    result = analyze_capture(coffee, enrolled, [])

    assert result.verdict is Verdict.NO_FACE
    assert result.similarity is None


def test_a_helper_next_to_the_student_is_multiple_faces(
    astronaut: np.ndarray, enrolled: list[np.ndarray]
) -> None:
    two = np.hstack([astronaut, astronaut[:, ::-1]])

    result = analyze_capture(two, enrolled, [])

    assert result.verdict is Verdict.MULTIPLE_FACES
    assert result.faces == 2


def test_a_dark_room_is_low_quality(astronaut: np.ndarray, enrolled: list[np.ndarray]) -> None:
    dark = (webcam_frame(astronaut) * 0.25).astype(np.uint8)

    result = analyze_capture(dark, enrolled, [])

    assert result.verdict is Verdict.LOW_QUALITY
    assert result.quality.too_dark


def test_a_blurred_frame_is_low_quality(astronaut: np.ndarray, enrolled: list[np.ndarray]) -> None:
    blurred = Image.fromarray(webcam_frame(astronaut)).filter(ImageFilter.GaussianBlur(3))

    result = analyze_capture(np.asarray(blurred), enrolled, [])

    assert result.verdict is Verdict.LOW_QUALITY
    assert result.quality.blurred


def test_without_enrolment_the_capture_needs_review(astronaut: np.ndarray) -> None:
    result = analyze_capture(astronaut, [], [])

    assert result.verdict is Verdict.NEEDS_REVIEW
    assert result.reasons == ("no enrolment face to compare with",)


def test_html_upload_is_refused(enrolled: list[np.ndarray]) -> None:
    with pytest.raises(UnsupportedImageType):
        analyze_capture(b"<html><body>not a photo</body></html>", enrolled, [])


def test_someone_else_is_the_wrong_person(testdata: Path) -> None:
    folder = "face_verification/face_recognition/"
    obama = largest_face_embedding(load(testdata, folder + "obama.jpg"))
    assert obama is not None

    biden = analyze_capture(jpeg(load(testdata, folder + "biden.jpg")), [obama], [])
    obama_again = analyze_capture(jpeg(load(testdata, folder + "obama2.jpg")), [obama], [])

    assert biden.verdict is Verdict.WRONG_PERSON
    assert obama_again.verdict is Verdict.VERIFIED


def test_json_summary_holds_no_embedding(astronaut: np.ndarray) -> None:
    summary = analyze_capture(astronaut, [], []).as_dict()

    assert {"faces", "similarity", "quality", "phash", "verdict", "reasons"} <= summary.keys()
    assert "embedding" not in summary
