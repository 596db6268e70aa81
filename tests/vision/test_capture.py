"""analyze_capture reports what a capture shows: faces, similarity, quality, replays."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageFilter

from trust_lesson.vision import UnsupportedImageType, analyze_capture
from trust_lesson.vision.faces import largest_face_embedding

from .conftest import jpeg, load, webcam_frame

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def enrolled(astronaut: np.ndarray) -> list[np.ndarray]:
    """The student's enrolment template: the astronaut photographed the other way round."""
    embedding = largest_face_embedding(np.ascontiguousarray(astronaut[:, ::-1]))
    assert embedding is not None
    return [embedding]


def test_the_enrolled_student_scores_high(
    astronaut: np.ndarray, enrolled: list[np.ndarray]
) -> None:
    result = analyze_capture(jpeg(webcam_frame(astronaut)), enrolled, [])

    assert result.faces == 1
    assert result.similarity is not None and result.similarity >= 90
    assert result.quality.ok
    assert result.embedding is not None and result.embedding.shape == (128,)


def test_the_same_picture_sent_again_is_seen_as_a_replay(
    astronaut: np.ndarray, enrolled: list[np.ndarray]
) -> None:
    picture = jpeg(webcam_frame(astronaut))
    first = analyze_capture(picture, enrolled, [])

    again = analyze_capture(picture, enrolled, [first.phash])

    assert again.replay is not None and again.replay.distance == 0


def test_an_empty_room_shows_no_face(coffee: np.ndarray, enrolled: list[np.ndarray]) -> None:
    result = analyze_capture(coffee, enrolled, [])

    assert result.faces == 0
    assert result.similarity is None


def test_a_helper_next_to_the_student_is_a_second_face(
    astronaut: np.ndarray, enrolled: list[np.ndarray]
) -> None:
    two = np.hstack([astronaut, astronaut[:, ::-1]])

    result = analyze_capture(two, enrolled, [])

    assert result.faces == 2
    assert result.similarity is None


def test_a_dark_room_is_seen_as_too_dark(astronaut: np.ndarray, enrolled: list[np.ndarray]) -> None:
    dark = (webcam_frame(astronaut) * 0.25).astype(np.uint8)

    result = analyze_capture(dark, enrolled, [])

    assert result.quality.too_dark and not result.quality.ok


def test_a_blurred_frame_is_seen_as_blurred(
    astronaut: np.ndarray, enrolled: list[np.ndarray]
) -> None:
    blurred = Image.fromarray(webcam_frame(astronaut)).filter(ImageFilter.GaussianBlur(3))

    result = analyze_capture(np.asarray(blurred), enrolled, [])

    assert result.quality.blurred and not result.quality.ok


def test_without_enrolment_there_is_no_similarity(astronaut: np.ndarray) -> None:
    result = analyze_capture(astronaut, [], [])

    assert result.faces == 1
    assert result.similarity is None


def test_html_upload_is_refused(enrolled: list[np.ndarray]) -> None:
    with pytest.raises(UnsupportedImageType):
        analyze_capture(b"<html><body>not a photo</body></html>", enrolled, [])


def test_someone_else_scores_low_and_the_same_person_high(testdata: Path) -> None:
    folder = "face_verification/face_recognition/"
    obama = largest_face_embedding(load(testdata, folder + "obama.jpg"))
    assert obama is not None

    biden = analyze_capture(jpeg(load(testdata, folder + "biden.jpg")), [obama], [])
    obama_again = analyze_capture(jpeg(load(testdata, folder + "obama2.jpg")), [obama], [])

    assert biden.similarity is not None and biden.similarity < 85
    assert obama_again.similarity is not None and obama_again.similarity >= 90


def test_json_summary_holds_no_embedding(astronaut: np.ndarray) -> None:
    summary = analyze_capture(astronaut, [], []).as_dict()

    assert {"faces", "similarity", "quality", "phash", "replay"} <= summary.keys()
    assert "embedding" not in summary
    assert "verdict" not in summary  # the verdict is presence's rule, not vision's
