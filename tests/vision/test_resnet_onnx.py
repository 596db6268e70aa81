"""The ONNX port of dlib's face ResNet gives dlib's own descriptors on real faces."""

from __future__ import annotations

import csv
import importlib.util
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import dlib
import numpy as np
import numpy.typing as npt
import pytest
from PIL import Image
from skimage import data as skimage_data

from trust_lesson.vision.resnet_onnx import OnnxFaceEncoder

pytestmark = pytest.mark.slow

TOLERANCE = 1e-4
SOURCE_SETS = ["deepface", "dlib_johns", "face_recognition", "lfw", "openface"]

Chips = npt.NDArray[np.uint8]


def _model_file(name: str) -> Path:
    spec = importlib.util.find_spec("face_recognition_models")
    assert spec is not None and spec.submodule_search_locations
    return Path(next(iter(spec.submodule_search_locations))) / "models" / name


RESNET = _model_file("dlib_face_recognition_resnet_model_v1.dat")


class ChipMaker:
    """dlib's HOG detector and 5-point alignment, as the vision engine uses them."""

    def __init__(self) -> None:
        self._detector = dlib.get_frontal_face_detector()
        self._landmarks = dlib.shape_predictor(
            str(_model_file("shape_predictor_5_face_landmarks.dat"))
        )

    def chips(self, image: npt.NDArray[np.uint8]) -> Chips:
        upsample = 1 if max(image.shape[:2]) < 800 else 0
        shapes = dlib.full_object_detections()
        for rect in self._detector(image, upsample):
            shapes.append(self._landmarks(image, rect))
        if len(shapes) == 0:
            return np.empty((0, 150, 150, 3), dtype=np.uint8)
        return np.stack(dlib.get_face_chips(image, shapes, size=150, padding=0.25))


@pytest.fixture(scope="module")
def encoder() -> OnnxFaceEncoder:
    return OnnxFaceEncoder.load(RESNET, threads=1)


@pytest.fixture(scope="module")
def dlib_model() -> Any:
    return dlib.face_recognition_model_v1(str(RESNET))


@pytest.fixture(scope="module")
def chip_maker() -> ChipMaker:
    return ChipMaker()


@pytest.fixture(scope="module")
def astronaut_chips(chip_maker: ChipMaker) -> Chips:
    chips = chip_maker.chips(skimage_data.astronaut())  # type: ignore[no-untyped-call]
    assert len(chips) >= 1
    return chips


def dlib_descriptors(model: Any, chips: Chips) -> npt.NDArray[np.float64]:
    """The reference: dlib's chip overload, one chip at a time, no jitter."""
    return np.array([np.asarray(model.compute_face_descriptor(chip)) for chip in chips])


def one_image_per_identity(folder: Path, source_set: str) -> list[Path]:
    with (folder / "identities.csv").open(newline="") as rows:
        chosen: dict[str, str] = {}
        for row in csv.DictReader(rows):
            if row["source_set"] == source_set:
                chosen.setdefault(row["identity"], row["file"])
    return [folder / name for name in sorted(chosen.values())]


def load_rgb(path: Path) -> npt.NDArray[np.uint8]:
    with Image.open(path) as image:
        return np.asarray(image.convert("RGB"))


def assert_same_descriptors(ours: npt.NDArray[np.float32], reference: Any, label: str) -> None:
    assert ours.shape == reference.shape == (len(reference), 128)
    worst = float(np.abs(ours - reference).max(initial=0.0))
    assert worst <= TOLERANCE, f"{label}: max difference {worst:.2e}"


def test_astronaut_descriptors_match_dlib(
    encoder: OnnxFaceEncoder, dlib_model: Any, astronaut_chips: Chips
) -> None:
    reference = dlib_descriptors(dlib_model, astronaut_chips)
    for index, chip in enumerate(astronaut_chips):
        ours = encoder.encode(chip[np.newaxis])
        assert_same_descriptors(ours, reference[index : index + 1], f"astronaut face {index}")


@pytest.mark.parametrize("source_set", SOURCE_SETS)
def test_shared_faces_match_dlib(
    testdata: Path,
    source_set: str,
    encoder: OnnxFaceEncoder,
    dlib_model: Any,
    chip_maker: ChipMaker,
) -> None:
    folder = testdata / "face_verification"
    images = one_image_per_identity(folder, source_set)
    assert images, f"no images labelled {source_set} in identities.csv"
    faces = 0
    for path in images:
        chips = chip_maker.chips(load_rgb(path))
        faces += len(chips)
        label = str(path.relative_to(folder))
        assert_same_descriptors(encoder.encode(chips), dlib_descriptors(dlib_model, chips), label)
    assert faces >= len(images) * 0.8, f"only {faces} faces found in {len(images)} images"


def test_a_batch_gives_the_same_as_one_by_one(
    encoder: OnnxFaceEncoder, astronaut_chips: Chips
) -> None:
    mirrored = np.flip(astronaut_chips, axis=2)
    darker = astronaut_chips // 2
    chips = np.concatenate([astronaut_chips, mirrored, darker])
    batch = encoder.encode(chips)
    one_by_one = np.concatenate([encoder.encode(chip[np.newaxis]) for chip in chips])
    np.testing.assert_allclose(batch, one_by_one, rtol=0, atol=1e-6)


def test_threads_can_share_one_encoder(encoder: OnnxFaceEncoder, astronaut_chips: Chips) -> None:
    expected = encoder.encode(astronaut_chips)
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda _: encoder.encode(astronaut_chips), range(8)))
    for result in results:
        np.testing.assert_array_equal(result, expected)


def test_an_empty_batch_gives_no_descriptors(encoder: OnnxFaceEncoder) -> None:
    chips = np.empty((0, 150, 150, 3), dtype=np.uint8)
    assert encoder.encode(chips).shape == (0, 128)


@pytest.mark.parametrize(
    "chips",
    [
        np.zeros((1, 150, 150, 3), dtype=np.float32),
        np.zeros((150, 150, 3), dtype=np.uint8),
        np.zeros((1, 160, 160, 3), dtype=np.uint8),
    ],
    ids=["float", "no batch axis", "wrong size"],
)
def test_chips_of_the_wrong_kind_are_refused(encoder: OnnxFaceEncoder, chips: Any) -> None:
    with pytest.raises(ValueError, match="expected uint8 chips"):
        encoder.encode(chips)
