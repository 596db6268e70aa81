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
Barely, not at all: perspective shrinks the far half of a tilted print, and a print tilted
by 40-55 degrees reads up to about 0.3.

Nose parallax (``BurstObservations.parallax``): how far the nose tip left the plane of the
rest of the face since the first face. A homography (what any tilt of a flat picture does
to it) is fitted from the first face's landmarks without the nose (points 27-35) to each
frame's, and the nose tip's distance from where that homography puts it is measured along
the eye line, in inter-ocular distances, with the yaw's sign. A flat picture reads about 0
whatever its tilt (only landmark noise); a head that turns moves its nose tip, which stands
out of the face, by about 0.1-0.3 for a 20-40 degree turn.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import dlib
import numpy as np
from PIL import Image

from trust_lesson.vision import models
from trust_lesson.vision.capture import ANALYSIS_SIDE, as_rgb
from trust_lesson.vision.decode import downscale
from trust_lesson.vision.faces import (
    DEFAULT_DETECTOR,
    DetectorSettings,
    FaceBox,
    detect_faces,
    embed_chips,
    hog_upscale,
    scale_box,
    suppress_overlaps,
)
from trust_lesson.vision.models import CHIP_PADDING, CHIP_SIZE, FaceEncoder
from trust_lesson.vision.similarity import distance_to_score, embedding_distance, similarity

NOSE_TIP = 30
JAW_LEFT, JAW_RIGHT = 0, 16
LEFT_EYE, RIGHT_EYE = slice(36, 42), slice(42, 48)
NOSE = range(27, 36)
FACE_PLANE = np.array([index for index in range(68) if index not in NOSE])
DIFFERENCE_SIDE = 160
NEAR_MARGIN = 0.5
NEAR_FACE_SIDE = 100
FIRST_LOOK = DetectorSettings(tiles=0)


@dataclass(frozen=True, slots=True)
class FrameObservation:
    """One frame: how many faces, and the main (largest) face's yaw, box and 68 points."""

    faces: int
    yaw: float | None
    box: FaceBox | None
    embedding: np.ndarray | None = field(repr=False)
    points: np.ndarray | None = field(default=None, repr=False)


@dataclass(frozen=True, slots=True)
class BurstObservations:
    """Everything seen in a burst, frame by frame, without any judgement.

    ``reference_similarity``: the first frame with a face against the enrolment (None without
    references or without any face). ``frame_similarities``: every frame's face against that
    first face (None where a frame has no face). ``frame_differences``: mean absolute grey
    difference (0-255) between each frame and the next, on 160 px thumbnails. ``parallax``:
    every frame's nose parallax against the first face (module docstring; None where a
    frame has no face, empty when not measured).
    """

    frames: tuple[FrameObservation, ...]
    reference_similarity: float | None
    frame_similarities: tuple[float | None, ...]
    frame_differences: tuple[float, ...]
    parallax: tuple[float | None, ...] = ()

    @property
    def yaw(self) -> tuple[float | None, ...]:
        return tuple(frame.yaw for frame in self.frames)

    def as_dict(self) -> dict[str, object]:
        """JSON-ready (embeddings are biometric data and are left out)."""
        return {
            "yaw": [None if y is None else round(y, 3) for y in self.yaw],
            "parallax": [None if p is None else round(p, 3) for p in self.parallax],
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


def nose_parallax(first: np.ndarray, points: np.ndarray) -> float | None:
    """How far the nose tip of ``points`` left the plane of the rest of the face since
    ``first`` (both (68, 2)): along the eye line, in inter-ocular distances, signed like the
    yaw (None when degenerate)."""
    start, now = np.asarray(first, np.float64), np.asarray(points, np.float64)
    plane = _homography(start[FACE_PLANE], now[FACE_PLANE])
    if plane is None:
        return None
    mapped = plane @ np.array([*start[NOSE_TIP], 1.0])
    if abs(mapped[2]) < 1e-9:
        return None
    axis = now[RIGHT_EYE].mean(axis=0) - now[LEFT_EYE].mean(axis=0)
    length_squared = float(axis @ axis)
    if length_squared < 1e-6:
        return None
    return float((now[NOSE_TIP] - mapped[:2] / mapped[2]) @ axis) / length_squared


def _homography(source: np.ndarray, target: np.ndarray) -> np.ndarray | None:
    """The 3x3 homography taking ``source`` points to ``target`` points, least squares
    (normalised direct linear transform); None when the points are degenerate."""
    to_source, to_target = _normaliser(source), _normaliser(target)
    if to_source is None or to_target is None:
        return None
    a = _homogeneous(source) @ to_source.T
    b = _homogeneous(target) @ to_target.T
    zeros = np.zeros_like(a)
    rows = np.concatenate(
        [
            np.hstack([-a, zeros, b[:, :1] * a]),
            np.hstack([zeros, -a, b[:, 1:2] * a]),
        ]
    )
    solution = np.linalg.svd(rows, full_matrices=False)[2][-1].reshape(3, 3)
    result: np.ndarray = np.linalg.inv(to_target) @ solution @ to_source
    return result


def _homogeneous(points: np.ndarray) -> np.ndarray:
    return np.hstack([points, np.ones((len(points), 1))])


def _normaliser(points: np.ndarray) -> np.ndarray | None:
    """Moves the points' centre to 0 and their mean distance from it to sqrt(2)."""
    centre = points.mean(axis=0)
    spread = float(np.linalg.norm(points - centre, axis=1).mean())
    if spread < 1e-6:
        return None
    scale = np.sqrt(2) / spread
    return np.array([[scale, 0, -scale * centre[0]], [0, scale, -scale * centre[1]], [0, 0, 1]])


def observe_frame(
    rgb: np.ndarray, near: FaceBox | None = None
) -> tuple[FrameObservation, np.ndarray | None]:
    """Faces, yaw and the aligned chip of the main face of one analysed frame.

    With ``near`` only the region around that face of the previous frame is looked at
    (``faces_near``); without it, or when no face is there, the whole frame (``first_look``,
    and the HOG on the whole frame when that finds none). The main face's box is always
    dlib's HOG's: the yaw thresholds were measured with its boxes, and the 68 points on
    BlazeFace's boxes of turned faces are not yet measured (one mirrored pair of the shared
    set read 0.52 / -0.99 instead of opposite values).
    """
    boxes = [] if near is None else _largest_first(faces_near(rgb, near))
    if not boxes:
        boxes = first_look(rgb) or _largest_first(detect_faces(rgb, method="hog"))
    if not boxes:
        return FrameObservation(0, None, None, None), None
    main = boxes[0]
    rect = dlib.rectangle(main.left, main.top, main.right, main.bottom)
    shape = models.shape_predictor_68()(rgb, rect)
    points = np.array([(shape.part(i).x, shape.part(i).y) for i in range(68)])
    chip = np.asarray(dlib.get_face_chip(rgb, shape, CHIP_SIZE, CHIP_PADDING), dtype=np.uint8)
    return FrameObservation(len(boxes), yaw_from_points(points), main, None, points), chip


def first_look(rgb: np.ndarray) -> list[FaceBox]:
    """The faces of a whole frame, the main one first, in a HOG box: BlazeFace's whole-
    picture passes (``FIRST_LOOK``: no tiles; 36 of the 41 labelled face counts right against
    34 for the HOG at 800 px, in about a fifth of its time) count the faces, and the HOG
    looks again around the largest (``faces_near``). Empty when either finds no face there."""
    found = _largest_first(detect_faces(rgb, settings=FIRST_LOOK))
    near = _largest_first(faces_near(rgb, found[0])) if found else []
    return near[:1] + found[1:] if near else []


def _largest_first(boxes: Sequence[FaceBox]) -> list[FaceBox]:
    return sorted(boxes, key=lambda box: box.width * box.height, reverse=True)


def faces_near(rgb: np.ndarray, face: FaceBox) -> list[FaceBox]:
    """The HOG's faces in the region around ``face`` (``NEAR_MARGIN`` of its side on every
    side), that region brought to a scale where the face is ``NEAR_FACE_SIDE`` pixels wide,
    in ``rgb``'s coordinates.

    Within a burst the head moves little between frames half a second apart, so frames 2-5
    are looked at only there: about a fifth of the pixels of the whole frame at 800 px. The
    boxes are the HOG's own, found one pyramid level from the face's size, as on the whole
    frame.
    """
    height, width = rgb.shape[:2]
    side = max(face.width, face.height)
    margin = round(side * NEAR_MARGIN)
    left, top = max(face.left - margin, 0), max(face.top - margin, 0)
    right, bottom = min(face.right + margin, width), min(face.bottom + margin, height)
    scale = _near_scale(side, rgb)
    region = np.ascontiguousarray(rgb[top:bottom, left:right])
    size = (max(1, round((right - left) * scale)), max(1, round((bottom - top) * scale)))
    work = np.asarray(Image.fromarray(region).resize(size, Image.Resampling.BILINEAR))
    rects, scores, _ = models.hog_detector().run(work, 0, DEFAULT_DETECTOR.min_score)
    found = [
        _moved(
            scale_box(FaceBox(r.left(), r.top(), r.right(), r.bottom(), s), scale, region.shape),
            left,
            top,
        )
        for r, s in zip(rects, scores, strict=True)
    ]
    return suppress_overlaps(found, DEFAULT_DETECTOR.overlap)


def _moved(box: FaceBox, left: int, top: int) -> FaceBox:
    return FaceBox(box.left + left, box.top + top, box.right + left, box.bottom + top, box.score)


def _near_scale(side: int, rgb: np.ndarray) -> float:
    """The whole frame's HOG scale (``hog_upscale``) times whole steps of dlib's pyramid
    (5/6 each) while the face stays at least ``NEAR_FACE_SIDE`` pixels: the boxes then come
    from the same ladder of sizes as on the whole frame, only from fewer pixels."""
    scale = hog_upscale(rgb, DEFAULT_DETECTOR)
    steps = math.floor(math.log(max(side * scale, 1) / NEAR_FACE_SIDE) / math.log(6 / 5))
    return float(scale * (5 / 6) ** max(steps, 0))


def observe_burst(
    frames: Sequence[np.ndarray | bytes],
    reference_embeddings: Sequence[np.ndarray],
    *,
    encoder: FaceEncoder | None = None,
) -> BurstObservations:
    """Observe a burst of frames in order (bytes are decoded safely, arrays used as given).

    The first frame is looked at whole; every later frame around the last face seen
    (``observe_frame``'s ``near``).
    """
    pictures = [downscale(as_rgb(frame), ANALYSIS_SIDE)[0] for frame in frames]
    seen: list[tuple[FrameObservation, np.ndarray | None]] = []
    last: FaceBox | None = None
    for rgb in pictures:
        observation, chip = observe_frame(rgb, near=last)
        seen.append((observation, chip))
        last = observation.box or last
    chips = [chip for _, chip in seen if chip is not None]
    embeddings = iter(embed_chips(np.stack(chips), encoder) if chips else [])
    observed = [
        FrameObservation(
            o.faces, o.yaw, o.box, None if chip is None else next(embeddings), o.points
        )
        for o, chip in seen
    ]
    return BurstObservations(
        frames=tuple(observed),
        reference_similarity=_reference_similarity(observed, reference_embeddings),
        frame_similarities=_similarities_to_first(observed),
        frame_differences=_differences(pictures),
        parallax=_parallaxes(observed),
    )


def _parallaxes(frames: Sequence[FrameObservation]) -> tuple[float | None, ...]:
    first = next((f.points for f in frames if f.points is not None), None)
    return tuple(
        None if first is None or f.points is None else nose_parallax(first, f.points)
        for f in frames
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
