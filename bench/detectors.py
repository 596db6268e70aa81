"""Face detectors side by side: counts right on the labelled set and ms per 640x480 frame.

Run: ``.venv/bin/python bench/detectors.py`` (about a minute). One run measures, on one core:
- dlib's usual recipe: HOG with upsample 1 on the full picture (the baseline);
- HOG on the picture brought to 800 px (the engine's detector before BlazeFace);
- MediaPipe's BlazeFace full-range network on the whole picture, then with the short-range
  network added, then with the full-range network also run on 2x2 overlapping tiles (the
  engine's detector now, ``faces.detect_faces``).

Counts: the face_detection set (ambiguous pictures left out), each picture brought to 640 px
as the engine does; a count is right when it lies in the labelled range. Speed: the 640x480
JPEG frames of ``bench/vision.py`` (verification photos on a grey canvas), detection only,
the detectors interleaved frame by frame so a busy machine slows them alike.

Candidates looked at and left out (none of these is measured: their weights are not in the
wheel): the YuNet wrappers ``alchemyface``, ``detekface``, ``moca-face-matcher`` and
``unicorner-face-detector`` download ``face_detection_yunet_*.onnx`` at run time, and
opencv-python ships no YuNet model; ``mediapipe`` 1.2 ships no .tflite model (its tasks API
takes a model file the caller downloads); ``uniface`` and ``insightface`` download theirs.
"""

from __future__ import annotations

import csv
import sys
import time
from collections.abc import Callable

import numpy as np

from trust_lesson.vision import decode_image
from trust_lesson.vision import models as vm
from trust_lesson.vision.decode import downscale
from trust_lesson.vision.faces import DetectorSettings, detect_faces
from vision import FRAMES, TESTDATA, frame_jpeg, identities, say

ROUNDS = 3
Counter = Callable[[np.ndarray], int]

CANDIDATES: dict[str, Counter] = {
    "dlib HOG upsample 1 (baseline)": lambda rgb: len(vm.hog_detector()(rgb, 1)),
    "HOG at 800 px (before)": lambda rgb: len(detect_faces(rgb, method="hog")),
    "BlazeFace full range": lambda rgb: len(
        detect_faces(rgb, settings=DetectorSettings(near_min_score=None, tiles=0))
    ),
    "BlazeFace full + short range": lambda rgb: len(
        detect_faces(rgb, settings=DetectorSettings(tiles=0))
    ),
    "BlazeFace full + short + 2x2 tiles (now)": lambda rgb: len(detect_faces(rgb)),
}


def count_set() -> list[tuple[int, int, np.ndarray]]:
    with (TESTDATA / "face_detection" / "expected_faces.csv").open() as rows:
        labelled = [r for r in csv.DictReader(rows) if not r["file"].startswith("ambiguous/")]
    return [
        (
            int(row["min_faces"]),
            int(row["max_faces"]),
            downscale(
                decode_image((TESTDATA / "face_detection" / row["file"]).read_bytes()).rgb, 640
            )[0],
        )
        for row in labelled
    ]


def counts_right(count: Counter, pictures: list[tuple[int, int, np.ndarray]]) -> int:
    return sum(low <= count(rgb) <= high for low, high, rgb in pictures)


def ms_per_frame(frames: list[np.ndarray]) -> dict[str, float]:
    spent = dict.fromkeys(CANDIDATES, 0.0)
    for count in CANDIDATES.values():
        count(frames[0])
    for _ in range(ROUNDS):
        for rgb in frames:
            for name, count in CANDIDATES.items():
                start = time.perf_counter()
                count(rgb)
                spent[name] += time.perf_counter() - start
    return {name: 1000 * seconds / (ROUNDS * len(frames)) for name, seconds in spent.items()}


def main() -> int:
    if not TESTDATA.is_dir():
        say(f"test data not found at {TESTDATA} (set TL_TESTDATA)")
        return 1
    pictures = count_set()
    files = sorted(identities())[:: max(1, len(identities()) // FRAMES)][:FRAMES]
    frames = [decode_image(frame_jpeg(TESTDATA / "face_verification" / f)).rgb for f in files]
    say(f"{len(pictures)} labelled pictures, {len(frames)} frames of 640x480, {ROUNDS} rounds")
    speed = ms_per_frame(frames)
    base = speed["dlib HOG upsample 1 (baseline)"]
    say(f"\n  {'detector':42s} {'counts right':>12s} {'ms/frame':>9s} {'speed':>6s}")
    for name, count in CANDIDATES.items():
        right, ms = counts_right(count, pictures), speed[name]
        say(f"  {name:42s} {right:>5d}/{len(pictures):<6d} {ms:9.1f} {base / ms:5.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
