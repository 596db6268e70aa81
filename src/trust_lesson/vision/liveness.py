"""What a burst of webcam frames shows for an active liveness check: observations only.

The student is asked to turn the head to one side while the room takes about five frames.
For each frame this module reports the number of faces, the head's yaw measured on the main
face's 68 landmarks, and its embedding; for the burst, how alike the faces are (the first
face against the enrolment, every other face against the first) and how much consecutive
frames differ. Turning that into VERIFIED or LIVENESS_FAILED is a rule of the presence
domain (``trust_lesson.presence.liveness``), not of the vision library.

Yaw: the nose tip (point 30) projected on the eye line, placed between the two jaw edges at
eye height (points 0 and 16): ``2 * t - 1`` where ``t`` is its relative position, so 0 is
frontal and the sign flips under mirroring. In an unmirrored camera frame the value grows
when the nose moves to the picture's right, i.e. when the student turns to their own left.
Unlike a head-pose fit (solvePnP), the measure barely moves when a flat photo is tilted in
perspective, because the nose, the jaw edges and the eye line all lie in the photo's plane
and keep their proportions along a horizontal line under a tilt about a vertical axis.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field

import dlib
import numpy as np

from trust_lesson.vision import models
from trust_lesson.vision.capture import ANALYSIS_SIDE, as_rgb
from trust_lesson.vision.decode import downscale
from trust_lesson.vision.faces import FaceBox, detect_faces, embed_chips
from trust_lesson.vision.models import CHIP_PADDING, CHIP_SIZE, FaceEncoder
from trust_lesson.vision.similarity import distance_to_score, embedding_distance, similarity

NOSE_TIP = 30
JAW_LEFT, JAW_RIGHT = 0, 16
LEFT_EYE, RIGHT_EYE = slice(36, 42), slice(42, 48)
DIFFERENCE_SIDE = 160


@dataclass(frozen=True, slots=True)
class FrameObservation:
    """One frame: how many faces, and the main (largest) face's yaw and box."""

    faces: int
    yaw: float | None
    box: FaceBox | None
    embedding: np.ndarray | None = field(repr=False)


@dataclass(frozen=True, slots=True)
class BurstObservations:
    """Everything seen in a burst, frame by frame, without any judgement.

    ``reference_similarity``: the first frame with a face against the enrolment (None without
    references or without any face). ``frame_similarities``: every frame's face against that
    first face (None where a frame has no face). ``frame_differences``: mean absolute grey
    difference (0-255) between each frame and the next, on 160 px thumbnails.
    """

    frames: tuple[FrameObservation, ...]
    reference_similarity: float | None
    frame_similarities: tuple[float | None, ...]
    frame_differences: tuple[float, ...]

    @property
    def yaw(self) -> tuple[float | None, ...]:
        return tuple(frame.yaw for frame in self.frames)

    def as_dict(self) -> dict[str, object]:
        """JSON-ready (embeddings are biometric data and are left out)."""
        return {
            "yaw": [None if y is None else round(y, 3) for y in self.yaw],
            "faces": [frame.faces for frame in self.frames],
            "reference_similarity": self.reference_similarity,
            "frame_similarities": list(self.frame_similarities),
            "frame_differences": [round(d, 2) for d in self.frame_differences],
        }


def yaw_from_points(points: np.ndarray) -> float | None:
    """Yaw measure of a 68-point face (``points`` (68, 2)); None when the face is degenerate."""
    pts = np.asarray(points, dtype=np.float64)
    axis = pts[RIGHT_EYE].mean(axis=0) - pts[LEFT_EYE].mean(axis=0)
    length = float(np.hypot(*axis))
    if length < 1e-6:
        return None
    along = pts @ (axis / length)
    span = along[JAW_RIGHT] - along[JAW_LEFT]
    if abs(span) < 1e-6:
        return None
    return float(2.0 * (along[NOSE_TIP] - along[JAW_LEFT]) / span - 1.0)


def observe_frame(rgb: np.ndarray) -> tuple[FrameObservation, np.ndarray | None]:
    """Faces, yaw and the aligned chip of the main face of one analysed frame.

    Still dlib's HOG (``method="hog"``): the yaw thresholds were measured with its boxes, and
    the 68 points on BlazeFace's boxes of turned faces are not yet measured (one mirrored
    pair of the shared set read 0.52 / -0.99 instead of opposite values).
    """
    boxes = detect_faces(rgb, method="hog")
    if not boxes:
        return FrameObservation(0, None, None, None), None
    main = max(boxes, key=lambda box: box.width * box.height)
    rect = dlib.rectangle(main.left, main.top, main.right, main.bottom)
    shape = models.shape_predictor_68()(rgb, rect)
    points = np.array([(shape.part(i).x, shape.part(i).y) for i in range(68)])
    chip = np.asarray(dlib.get_face_chip(rgb, shape, CHIP_SIZE, CHIP_PADDING), dtype=np.uint8)
    return FrameObservation(len(boxes), yaw_from_points(points), main, None), chip


def observe_burst(
    frames: Sequence[np.ndarray | bytes],
    reference_embeddings: Sequence[np.ndarray],
    *,
    encoder: FaceEncoder | None = None,
) -> BurstObservations:
    """Observe a burst of frames in order (bytes are decoded safely, arrays used as given)."""
    pictures = [downscale(as_rgb(frame), ANALYSIS_SIDE)[0] for frame in frames]
    seen = [observe_frame(rgb) for rgb in pictures]
    chips = [chip for _, chip in seen if chip is not None]
    embeddings = iter(embed_chips(np.stack(chips), encoder) if chips else [])
    observed = [
        FrameObservation(o.faces, o.yaw, o.box, None if chip is None else next(embeddings))
        for o, chip in seen
    ]
    return BurstObservations(
        frames=tuple(observed),
        reference_similarity=_reference_similarity(observed, reference_embeddings),
        frame_similarities=_similarities_to_first(observed),
        frame_differences=_differences(pictures),
    )


def _first_face(frames: Sequence[FrameObservation]) -> np.ndarray | None:
    return next((f.embedding for f in frames if f.embedding is not None), None)


def _reference_similarity(
    frames: Sequence[FrameObservation], references: Sequence[np.ndarray]
) -> float | None:
    first = _first_face(frames)
    return None if first is None else similarity(first, references)


def _similarities_to_first(frames: Sequence[FrameObservation]) -> tuple[float | None, ...]:
    first = _first_face(frames)
    if first is None:
        return tuple(None for _ in frames)
    return tuple(
        None
        if f.embedding is None
        else round(distance_to_score(embedding_distance(f.embedding, first)), 2)
        for f in frames
    )


def _thumbnail(rgb: np.ndarray) -> np.ndarray:
    small, _ = downscale(rgb, DIFFERENCE_SIDE)
    grey: np.ndarray = np.asarray(small, dtype=np.float32).mean(axis=2)
    return grey


def _differences(pictures: Sequence[np.ndarray]) -> tuple[float, ...]:
    """Mean absolute grey difference of consecutive frames (inf when the sizes differ)."""
    thumbs = [_thumbnail(rgb) for rgb in pictures]
    return tuple(
        float(np.abs(a - b).mean()) if a.shape == b.shape else float("inf")
        for a, b in itertools.pairwise(thumbs)
    )
