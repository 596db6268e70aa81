"""A re-sent or re-encoded picture is a replay; the next live frame is not."""

from __future__ import annotations

import io
from pathlib import Path

import imagehash
import numpy as np
import pytest
from PIL import Image

from trust_lesson.vision import decode_image
from trust_lesson.vision.replay import find_replay, picture_hash

from .conftest import jpeg, load, webcam_frame


def reencoded(rgb: np.ndarray, quality: int, scale: float = 1.0) -> np.ndarray:
    picture = Image.fromarray(rgb)
    if scale != 1.0:
        picture = picture.resize((round(picture.width * scale), round(picture.height * scale)))
    buffer = io.BytesIO()
    picture.save(buffer, "JPEG", quality=quality)
    return decode_image(buffer.getvalue()).rgb


def test_hash_is_64_hex_digits(astronaut: np.ndarray) -> None:
    digest = picture_hash(astronaut)

    assert len(digest) == 64
    int(digest, 16)


@pytest.mark.parametrize(("quality", "scale"), [(90, 1.0), (70, 1.0), (50, 1.0), (85, 0.9)])
def test_reencoded_picture_is_a_replay(astronaut: np.ndarray, quality: int, scale: float) -> None:
    first = decode_image(jpeg(webcam_frame(astronaut))).rgb

    match = find_replay(reencoded(first, quality, scale), [picture_hash(first)])

    assert match is not None
    assert not match.mirrored


def test_mirrored_copy_is_a_replay(astronaut: np.ndarray) -> None:
    match = find_replay(np.ascontiguousarray(astronaut[:, ::-1]), [picture_hash(astronaut)])

    assert match is not None and match.mirrored


@pytest.mark.parametrize(("dx", "dy"), [(3, 1), (5, 2), (8, 3)])
def test_next_frame_of_a_still_person_is_not_a_replay(
    astronaut: np.ndarray, dx: int, dy: int
) -> None:
    """Head or camera moved a few pixels, fresh sensor noise: a new picture."""
    first = webcam_frame(astronaut, seed=1)
    later = webcam_frame(astronaut, dx=dx, dy=dy, seed=2)

    assert find_replay(later, [picture_hash(first)]) is None


def test_unrelated_or_malformed_earlier_hashes_are_ignored(astronaut: np.ndarray) -> None:
    assert find_replay(astronaut, ["", "zz", "ab" * 8, "not hex" * 10]) is None


def test_two_photos_of_one_person_are_not_replays(testdata: Path) -> None:
    obama = load(testdata, "face_verification/face_recognition/obama.jpg")
    for other in ("obama2.jpg", "obama3.jpg", "obama_small.jpg"):
        again = load(testdata, "face_verification/face_recognition/" + other)
        assert find_replay(again, [picture_hash(obama)]) is None, other


def test_reflection_of_a_real_photo_is_a_mirrored_replay(testdata: Path) -> None:
    """The testdata README: img11_reflection is a mirrored copy of img11."""
    original = load(testdata, "face_verification/deepface/img11.jpg")
    reflection = load(testdata, "face_verification/deepface/img11_reflection.jpg")

    match = find_replay(reflection, [picture_hash(original)])

    assert match is not None and match.mirrored


def test_real_photo_resent_smaller_and_recompressed_is_a_replay(testdata: Path) -> None:
    original = load(testdata, "face_verification/face_recognition/biden.jpg")

    assert find_replay(reencoded(original, 60, 0.8), [picture_hash(original)]) is not None


def test_bits_apart_are_counted_as_imagehash_counts_them(astronaut: np.ndarray) -> None:
    """The distance is counted on integers (XOR, set bits); it is imagehash's Hamming
    distance, for the picture and for its mirror image."""
    first = decode_image(jpeg(webcam_frame(astronaut))).rgb
    earlier = picture_hash(first)
    rng = np.random.default_rng(3)
    for flips in (0, 1, 5, 6, 7, 40):
        bits = np.array(imagehash.hex_to_hash(earlier).hash).flatten()
        bits[rng.choice(bits.size, flips, replace=False)] ^= True
        nearby = str(imagehash.ImageHash(bits.reshape(16, 16)))
        expected = imagehash.hex_to_hash(nearby) - imagehash.hex_to_hash(earlier)

        match = find_replay(first, [nearby], max_bits=64)

        assert expected == flips
        assert match is not None and match.distance == flips and not match.mirrored
