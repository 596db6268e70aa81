"""Text lines with boxes from RapidOCR (ONNX Runtime), loaded once per process.

Two ways to use it: ``read_lines`` runs RapidOCR's whole pipeline on an image (detection at
RapidOCR's own scale, which enlarges the shorter side to 736 pixels, then every box read),
and ``detect_boxes`` / ``recognize_boxes`` split it so a caller detects once at a bounded
scale and reads only the boxes it chose. ``stats`` counts what each did.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

import numpy as np

Point = tuple[float, float]
Box = tuple[Point, Point, Point, Point]
THREADS = 1  # ONNX Runtime intra-op threads per model: one inference runs at a time anyway
BATCH_SPREAD = 1.3  # boxes read together differ in length by at most this factor
BATCH_SIZE = 6

_engine: Any = None
_engine_lock = threading.Lock()
_run_lock = threading.Lock()


@dataclass(frozen=True)
class OcrLine:
    """One line of text as read, its recognition score (0-1) and its four corners."""

    text: str
    score: float
    box: Box

    @property
    def center(self) -> Point:
        xs, ys = zip(*self.box, strict=True)
        return (sum(xs) / 4, sum(ys) / 4)

    @property
    def height(self) -> float:
        (x0, y0), _, _, (x3, y3) = self.box
        return float(np.hypot(x3 - x0, y3 - y0))

    @property
    def width(self) -> float:
        (x0, y0), (x1, y1), _, _ = self.box
        return float(np.hypot(x1 - x0, y1 - y0))


def _get_engine() -> Any:
    global _engine
    if _engine is None:
        with _engine_lock:
            if _engine is None:
                from rapidocr_onnxruntime import RapidOCR

                _engine = RapidOCR(intra_op_num_threads=THREADS, inter_op_num_threads=1)
    return _engine


@dataclass
class OcrStats:
    """What this process ran: detections (and their input pixels) and boxes read."""

    detections: int = 0
    detected_pixels: int = 0
    boxes_read: int = 0


stats = OcrStats()


def read_lines(image: np.ndarray, *, detect: bool = True) -> list[OcrLine]:
    """OCR an RGB image; with ``detect=False`` the whole image is read as one line."""
    engine = _get_engine()
    bgr = np.ascontiguousarray(image[:, :, ::-1])
    with _run_lock:  # one inference at a time per process keeps memory and cores in check
        result, _ = engine(bgr, use_det=detect, use_cls=True, use_rec=True)
        _count_whole_image(engine, bgr, detect, len(result or ()))
    if not result:
        return []
    if not detect:
        h, w = image.shape[:2]
        box = ((0.0, 0.0), (float(w), 0.0), (float(w), float(h)), (0.0, float(h)))
        return [OcrLine(str(text), float(score), box) for text, score in result]
    return [_line(item) for item in result]


def _line(item: Any) -> OcrLine:
    corners, text, score = item
    pts = tuple((float(x), float(y)) for x, y in corners)
    return OcrLine(str(text), float(score), (pts[0], pts[1], pts[2], pts[3]))


def _count_whole_image(engine: Any, bgr: np.ndarray, detect: bool, lines: int) -> None:
    if detect:  # RapidOCR's detector enlarges the shorter side to its limit (736)
        h, w = bgr.shape[:2]
        factor = max(engine.text_det.limit_side_len / min(h, w), 1.0)
        stats.detections += 1
        stats.detected_pixels += _multiple_of_32(h * factor) * _multiple_of_32(w * factor)
    stats.boxes_read += lines


def detect_boxes(image: np.ndarray, *, side: int) -> list[Box]:
    """Text boxes of an RGB image, detected once with its longest side scaled to ``side``."""
    import cv2
    from rapidocr_onnxruntime.ch_ppocr_det.utils import DetPreProcess

    engine = _get_engine()
    det = engine.text_det
    h, w = image.shape[:2]
    factor = side / max(h, w)
    size = (max(round(w * factor / 32) * 32, 32), max(round(h * factor / 32) * 32, 32))
    scaled = cv2.resize(np.ascontiguousarray(image[:, :, ::-1]), size)
    tensor = DetPreProcess(max(size), "max", det.mean, det.std)(scaled)
    with _run_lock:
        predictions = det.infer(tensor)[0]
        stats.detections += 1
        stats.detected_pixels += size[0] * size[1]
    found, _ = det.postprocess_op(predictions, (h, w))
    boxes = det.filter_tag_det_res(found, (h, w)) if len(found) else []
    return [_box(b) for b in engine.sorted_boxes(np.asarray(boxes))] if len(boxes) else []


def recognize_boxes(image: np.ndarray, boxes: list[Box]) -> list[OcrLine]:
    """Read the chosen boxes of an RGB image (upright check per box), in the order given.

    Boxes of similar length are read together: a batch is padded to its longest box, so
    mixing a 44-character MRZ row with short words would read mostly padding.
    """
    if not boxes:
        return []
    engine = _get_engine()
    bgr = np.ascontiguousarray(image[:, :, ::-1])
    crops = engine.get_crop_img_list(bgr, [np.asarray(b, dtype=np.float32) for b in boxes])
    texts: list[tuple[str, float]] = [("", 0.0)] * len(crops)
    with _run_lock:
        crops, _, _ = engine.text_cls(crops)
        for batch in _batches(crops):
            results, _ = engine.text_rec([crops[i] for i in batch])
            for i, (text, score, *_rest) in zip(batch, results, strict=True):
                texts[i] = (str(text), float(score))
        stats.boxes_read += len(crops)
    return [
        OcrLine(text, score, box)
        for (text, score), box in zip(texts, boxes, strict=True)
        if text and score >= engine.text_score
    ]


def _batches(crops: list[np.ndarray]) -> list[list[int]]:
    order = sorted(range(len(crops)), key=lambda i: crops[i].shape[1] / crops[i].shape[0])
    batches: list[list[int]] = []
    for i in order:
        ratio = crops[i].shape[1] / crops[i].shape[0]
        last = batches[-1] if batches else None
        if last is not None and len(last) < BATCH_SIZE:
            first = crops[last[0]].shape[1] / crops[last[0]].shape[0]
            if ratio <= BATCH_SPREAD * max(first, 320 / 48):
                last.append(i)
                continue
        batches.append([i])
    return batches


def _multiple_of_32(length: float) -> int:
    return max(round(int(length) / 32) * 32, 32)


def _box(points: Any) -> Box:
    pts = [(float(x), float(y)) for x, y in points]
    return (pts[0], pts[1], pts[2], pts[3])
