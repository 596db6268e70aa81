"""Faces are found, counted and embedded on real photos."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

from trust_lesson.vision.faces import detect_faces, embed_faces, face_chips

from .conftest import load

pytestmark = pytest.mark.slow


def kind(count: int) -> str:
    return "none" if count == 0 else "one" if count == 1 else "several"


def test_astronaut_has_one_face(astronaut: np.ndarray) -> None:
    boxes = detect_faces(astronaut)

    assert len(boxes) == 1
    assert 150 < (boxes[0].left + boxes[0].right) / 2 < 300


def test_coffee_has_no_face(coffee: np.ndarray) -> None:
    assert detect_faces(coffee) == []


def test_two_astronauts_side_by_side_are_two_faces(astronaut: np.ndarray) -> None:
    assert len(detect_faces(np.hstack([astronaut, astronaut[:, ::-1]]))) == 2


def test_chips_and_embeddings_have_dlib_shapes(astronaut: np.ndarray) -> None:
    boxes = detect_faces(astronaut)

    chips = face_chips(astronaut, boxes)
    embeddings = embed_faces(astronaut, boxes)

    assert chips.shape == (1, 150, 150, 3)
    assert embeddings.shape == (1, 128)
    assert embeddings.dtype == np.float32


def test_big_photo_boxes_are_in_its_own_coordinates(astronaut: np.ndarray) -> None:
    big = np.kron(astronaut, np.ones((3, 3, 1), dtype=np.uint8))

    small_box, big_box = detect_faces(astronaut)[0], detect_faces(big)[0]

    assert big_box.left == pytest.approx(3 * small_box.left, abs=12)
    assert big_box.width == pytest.approx(3 * small_box.width, abs=24)


def expected_counts(testdata: Path) -> list[dict[str, str]]:
    with (testdata / "face_detection" / "expected_faces.csv").open() as rows:
        return [row for row in csv.DictReader(rows) if not row["file"].startswith("ambiguous/")]


def test_labelled_photos_are_classified_none_one_or_several(testdata: Path) -> None:
    """Every labelled photo (ambiguous ones aside) lands in the right class; counts are
    within the labelled range for most (small 38-50 px faces in crowds are the known misses,
    see faces.py)."""
    wrong, counted = [], 0
    rows = expected_counts(testdata)
    for row in rows:
        found = len(detect_faces(load(testdata, "face_detection/" + row["file"])))
        if kind(found) != kind(int(row["min_faces"])):
            wrong.append(f"{row['file']}: {found}")
        counted += int(row["min_faces"]) <= found <= int(row["max_faces"])

    assert wrong == []
    assert counted >= 0.8 * len(rows)
