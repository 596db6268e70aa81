"""Several worker threads judging pictures at once get exactly the answers one thread gets."""

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest
from skimage import data

from trust_lesson.vision import decode_image
from trust_lesson.vision.faces import detect_faces, largest_face_embedding


def _pictures(testdata: Path | None) -> list[np.ndarray]:
    astronaut = data.astronaut()
    pictures = [
        np.ascontiguousarray(np.roll(astronaut, shift, axis=1)) for shift in range(0, 48, 4)
    ]
    if testdata is not None:
        group = testdata / "face_detection" / "multi_face"
        pictures += [decode_image(path.read_bytes()).rgb for path in sorted(group.glob("*.jpg"))]
    return pictures


def _faces(rgb: np.ndarray) -> list[tuple[int, int, int, int]]:
    return [(box.left, box.top, box.right, box.bottom) for box in detect_faces(rgb)]


@pytest.mark.slow
def test_detection_in_four_threads_matches_one_thread(request: pytest.FixtureRequest) -> None:
    try:
        testdata: Path | None = request.getfixturevalue("testdata")
    except pytest.skip.Exception:
        testdata = None
    pictures = _pictures(testdata) * 2
    alone = [_faces(picture) for picture in pictures]

    with ThreadPoolExecutor(max_workers=4) as pool:
        together = list(pool.map(_faces, pictures))

    assert together == alone


@pytest.mark.slow
def test_embeddings_in_four_threads_match_one_thread() -> None:
    pictures = _pictures(None) * 2
    alone = [largest_face_embedding(picture) for picture in pictures]

    with ThreadPoolExecutor(max_workers=4) as pool:
        together = list(pool.map(largest_face_embedding, pictures))

    for one, many in zip(alone, together, strict=True):
        assert one is not None and many is not None
        assert np.max(np.abs(one - many)) < 1e-5
