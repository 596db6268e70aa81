"""Face detection, 68-point alignment and 128-d embeddings, designed for speed.

dlib's usual recipe runs the HOG detector with one 2x upsample on the full picture (about
180 ms on a 640x480 frame here), 68 landmarks and the descriptor on the full picture. Here the
picture is first brought to at most ``analysis_side`` pixels and MediaPipe's BlazeFace
networks look at it (``vision/blazeface.py``, LiteRT on one core): the full-range network on
the whole picture and on 2x2 overlapping tiles of it shrunk to 307 px (faces seen 1.6x bigger,
down to about 30 px in a 640x480 frame), and the short-range network on the whole picture
for faces filling it. The boxes of all passes are merged (MediaPipe's weighted suppression)
and mapped onto the square boxes dlib's detector gives (``DLIB_BOX_SIDE``). On the
face_detection set (41 labelled pictures, ``bench/detectors.py``) the count is right for 40,
against 39 for dlib's recipe and 34 for the HOG at 800 px used before, at about 43 ms per
frame against dlib's 180 ms (the whole pass alone: 35/41 in 9 ms; with short range 36/41).
``method="hog"`` keeps that earlier detector (the frame brought to ``detect_side``, HOG
scores below ``min_score`` dropped) and ``"cnn"`` dlib's MMOD network.

Landmarks (68 points) and the aligned 150x150 chips are taken from the analysed picture; the
chips go to a :class:`FaceEncoder` (by default the ONNX Runtime port of dlib's ResNet, about
10 ms per face instead of 74 ms).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import dlib
import numpy as np
from PIL import Image

from trust_lesson.vision import models
from trust_lesson.vision.blazeface import FULL_RANGE, SHORT_RANGE, blend_overlaps, shrink
from trust_lesson.vision.decode import downscale
from trust_lesson.vision.models import CHIP_PADDING, CHIP_SIZE, EMBEDDING_SIZE, FaceEncoder

DetectionMethod = Literal["blazeface", "hog", "cnn"]

# BlazeFace's box around dlib's: same centre (1.4 % of the width higher), 0.914 of the side.
# Fitted on the 172 faces of the verification photos that both detectors found (median; the
# spread of the side ratio is 0.095, dlib's own pyramid steps are 0.83-1.2): the 68-point
# predictor was trained on dlib's boxes and wants them.
DLIB_BOX_SIDE = 0.914
DLIB_BOX_SHIFT_Y = -0.014


@dataclass(frozen=True, slots=True)
class FaceBox:
    """A face rectangle in the coordinates of the picture that was analysed."""

    left: int
    top: int
    right: int
    bottom: int
    score: float

    @property
    def width(self) -> int:
        return self.right - self.left

    @property
    def height(self) -> int:
        return self.bottom - self.top

    def as_list(self) -> list[int]:
        return [self.left, self.top, self.right, self.bottom]


@dataclass(frozen=True, slots=True)
class DetectorSettings:
    """How hard to look: sizes in pixels of the longer side.

    BlazeFace: ``far_min_score`` for the full-range network (run on the whole picture and on
    ``tiles`` x ``tiles`` overlapping tiles, see ``_tile_passes``), ``near_min_score`` for the
    short-range one (whole picture; None: not run), ``blend_iou`` to merge the passes' boxes.
    HOG: ``detect_side``, ``max_upscale`` and ``min_score``. Both: ``overlap`` (the share of
    the smaller box covered by a better one to drop it).
    """

    analysis_side: int = 640
    far_min_score: float = 0.6
    near_min_score: float | None = 0.7
    tiles: int = 2
    tile_overlap: float = 0.25
    blend_iou: float = 0.3
    detect_side: int = 800
    max_upscale: float = 2.0
    min_score: float = 0.2
    overlap: float = 0.5


DEFAULT_DETECTOR = DetectorSettings()


def detect_faces(
    rgb: np.ndarray,
    *,
    method: DetectionMethod = "blazeface",
    settings: DetectorSettings = DEFAULT_DETECTOR,
) -> list[FaceBox]:
    """Faces in ``rgb`` (HxWx3 uint8), best first, in ``rgb``'s own coordinates."""
    work, scale = downscale(rgb, settings.analysis_side)
    if method == "blazeface":
        found = _run_blazeface(np.ascontiguousarray(work), settings)
        boxes = [scale_box(box, scale, rgb.shape) for box in found]
        return suppress_overlaps(boxes, settings.overlap)
    factor = hog_upscale(work, settings)
    if factor > 1.0:
        work = _resize(work, factor)
    found = _run_cnn(work) if method == "cnn" else _run_hog(work, settings.min_score)
    boxes = [scale_box(box, scale * factor, rgb.shape) for box in found]
    return suppress_overlaps(boxes, settings.overlap)


def hog_upscale(work: np.ndarray, settings: DetectorSettings) -> float:
    """How much the HOG's picture is enlarged (towards ``detect_side``, at most
    ``max_upscale``)."""
    longest = max(work.shape[:2])
    return float(min(settings.max_upscale, max(1.0, settings.detect_side / longest)))


def _resize(rgb: np.ndarray, factor: float) -> np.ndarray:
    height, width = rgb.shape[:2]
    size = (round(width * factor), round(height * factor))
    return np.asarray(Image.fromarray(rgb).resize(size, Image.Resampling.BILINEAR))


def _run_blazeface(work: np.ndarray, settings: DetectorSettings) -> list[FaceBox]:
    far = models.blazeface(FULL_RANGE)
    found = [far.detect(work, settings.far_min_score)]
    if settings.near_min_score is not None:
        found.append(models.blazeface(SHORT_RANGE).detect(work, settings.near_min_score))
    found.extend(_tile_passes(work, settings))
    boxes = np.concatenate([part[0] for part in found])
    scores = np.concatenate([part[1] for part in found])
    return [
        _dlib_like(box, score) for box, score in blend_overlaps(boxes, scores, settings.blend_iou)
    ]


def _tile_passes(
    work: np.ndarray, settings: DetectorSettings
) -> list[tuple[np.ndarray, np.ndarray]]:
    """The full-range network on square input-sized tiles of the picture shrunk so that
    ``tiles`` tiles, overlapping by ``tile_overlap``, span its longer side (a 640x480 frame:
    307x230, 2x2 tiles of 192 px, faces seen 1.6x bigger than in the whole-picture pass)."""
    side = FULL_RANGE.side
    longest = round(side * settings.tiles / (1 + settings.tile_overlap))
    if settings.tiles < 2 or max(work.shape[:2]) <= longest:
        return []
    far = models.blazeface(FULL_RANGE)
    shrunk, scale = shrink(work, longest)
    height, width = shrunk.shape[:2]
    lefts = _starts(width, side, settings.tiles)
    tops = _starts(height, side, settings.tiles)
    found = []
    for top in tops:
        for left in lefts:
            tile = np.ascontiguousarray(shrunk[top : top + side, left : left + side])
            boxes, scores = far.detect(tile, settings.far_min_score)
            offset = np.array([left, top, left, top], dtype=boxes.dtype)
            found.append(((boxes + offset) / scale, scores))
    return found


def _starts(length: int, side: int, count: int) -> list[int]:
    """Where ``count`` windows of ``side`` start to cover ``length`` evenly (one if it fits)."""
    if length <= side:
        return [0]
    return sorted({index * (length - side) // (count - 1) for index in range(count)})


def _dlib_like(box: np.ndarray, score: float) -> FaceBox:
    """A square box where dlib's detector would put it (see ``DLIB_BOX_SIDE``)."""
    width = float(box[2] - box[0])
    centre_x = float(box[0] + box[2]) / 2
    centre_y = float(box[1] + box[3]) / 2 + DLIB_BOX_SHIFT_Y * width
    half = DLIB_BOX_SIDE * width / 2
    return FaceBox(
        round(centre_x - half),
        round(centre_y - half),
        round(centre_x + half),
        round(centre_y + half),
        score,
    )


def _run_hog(work: np.ndarray, min_score: float) -> list[FaceBox]:
    rects, scores, _ = models.hog_detector().run(work, 0, min_score)
    return [_box(rect, float(score)) for rect, score in zip(rects, scores, strict=True)]


def _run_cnn(work: np.ndarray) -> list[FaceBox]:
    found = models.cnn_detector()(work, 0)
    return [_box(item.rect, float(item.confidence)) for item in found]


def _box(rect: Any, score: float) -> FaceBox:
    return FaceBox(rect.left(), rect.top(), rect.right(), rect.bottom(), score)


def scale_box(box: FaceBox, scale: float, shape: tuple[int, ...]) -> FaceBox:
    """Map a box found at ``scale`` back to the picture, clipped to its borders."""
    height, width = shape[:2]

    def back(value: int, limit: int) -> int:
        return int(min(max(round(value / scale), 0), limit))

    return FaceBox(
        back(box.left, width - 1),
        back(box.top, height - 1),
        back(box.right, width),
        back(box.bottom, height),
        box.score,
    )


def suppress_overlaps(boxes: Sequence[FaceBox], overlap: float) -> list[FaceBox]:
    """Keep the best of boxes covering the same face (overlap of the smaller box's area)."""
    kept: list[FaceBox] = []
    for box in sorted(boxes, key=lambda b: b.score, reverse=True):
        if all(_covered(box, other) <= overlap for other in kept):
            kept.append(box)
    return kept


def _covered(a: FaceBox, b: FaceBox) -> float:
    width = min(a.right, b.right) - max(a.left, b.left)
    height = min(a.bottom, b.bottom) - max(a.top, b.top)
    if width <= 0 or height <= 0:
        return 0.0
    smaller = min(a.width * a.height, b.width * b.height)
    return float(width * height) / max(smaller, 1)


def landmarks(rgb: np.ndarray, boxes: Sequence[FaceBox]) -> Any:
    """68-point shapes (dlib ``full_object_detections``) for the boxes, on ``rgb`` itself.

    The 68-point predictor costs about a millisecond more than the 5-point one, and with our
    faster detection it keeps verification as accurate as dlib's usual recipe: on the labelled
    pairs the 5-point chips refused 3 of 455 same-person pairs at the 85 threshold against the
    recipe's 1; the 68-point chips refuse 1 (bench/vision.py prints the full table).
    """
    predictor = models.shape_predictor_68()
    shapes = dlib.full_object_detections()
    for box in boxes:
        shapes.append(predictor(rgb, dlib.rectangle(box.left, box.top, box.right, box.bottom)))
    return shapes


def face_chips(rgb: np.ndarray, boxes: Sequence[FaceBox]) -> np.ndarray:
    """Aligned 150x150 RGB chips, exactly as dlib's descriptor expects them (N, 150, 150, 3)."""
    if not boxes:
        return np.zeros((0, CHIP_SIZE, CHIP_SIZE, 3), dtype=np.uint8)
    image = np.ascontiguousarray(rgb)
    chips = dlib.get_face_chips(image, landmarks(image, boxes), CHIP_SIZE, CHIP_PADDING)
    return np.stack([np.asarray(chip, dtype=np.uint8) for chip in chips])


def embed_chips(chips: np.ndarray, encoder: FaceEncoder | None = None) -> np.ndarray:
    """128-d embeddings (float32) of aligned chips."""
    if len(chips) == 0:
        return np.zeros((0, EMBEDDING_SIZE), dtype=np.float32)
    chosen = encoder if encoder is not None else models.face_encoder()
    return np.asarray(chosen.encode(chips), dtype=np.float32)


def embed_faces(
    rgb: np.ndarray, boxes: Sequence[FaceBox], encoder: FaceEncoder | None = None
) -> np.ndarray:
    """128-d embeddings of the faces in ``boxes`` (N, 128)."""
    return embed_chips(face_chips(rgb, boxes), encoder)


def largest_face_embedding(
    rgb: np.ndarray, *, method: DetectionMethod = "blazeface", encoder: FaceEncoder | None = None
) -> np.ndarray | None:
    """The embedding of the biggest face (e.g. an enrolment photo or a document portrait)."""
    boxes = detect_faces(rgb, method=method)
    if not boxes:
        return None
    biggest = max(boxes, key=lambda box: box.width * box.height)
    embedding: np.ndarray = embed_faces(rgb, [biggest], encoder)[0]
    return embedding
