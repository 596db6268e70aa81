"""``analyze_capture``: everything the worker needs to judge one webcam capture.

Order of the checks, first hit wins: a replay of an earlier picture, no face (or a picture too
dark/bright to find one), several faces, poor quality, no enrolment template to compare with,
then the similarity score against the policy thresholds (>= 90 verified, 85-90 review,
< 85 wrong person).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np

from trust_lesson.vision.decode import decode_image, downscale
from trust_lesson.vision.faces import FaceBox, detect_faces, embed_chips, face_chips
from trust_lesson.vision.models import FaceEncoder
from trust_lesson.vision.quality import Quality, assess_quality
from trust_lesson.vision.replay import ReplayMatch, find_replay, picture_hash
from trust_lesson.vision.similarity import REVIEW_AT, VERIFIED_AT, similarity

ANALYSIS_SIDE = 640


class Verdict(StrEnum):
    """The verdict the vision engine suggests (the product's words)."""

    VERIFIED = "VERIFIED"
    NO_FACE = "NO_FACE"
    MULTIPLE_FACES = "MULTIPLE_FACES"
    WRONG_PERSON = "WRONG_PERSON"
    LOW_QUALITY = "LOW_QUALITY"
    REPLAYED = "REPLAYED"
    NEEDS_REVIEW = "NEEDS_REVIEW"


@dataclass(frozen=True, slots=True)
class CaptureAnalysis:
    """What was seen in one capture and the verdict it suggests, with reasons."""

    faces: int
    face_boxes: tuple[FaceBox, ...]
    similarity: float | None
    quality: Quality
    phash: str
    replay: ReplayMatch | None
    embedding: np.ndarray | None = field(repr=False)
    verdict: Verdict
    reasons: tuple[str, ...]
    width: int
    height: int

    def as_dict(self) -> dict[str, object]:
        """JSON-ready summary (the embedding is biometric data and is left out)."""
        replay = self.replay
        return {
            "faces": self.faces,
            "face_boxes": [box.as_list() for box in self.face_boxes],
            "similarity": self.similarity,
            "quality": self.quality.as_dict(),
            "phash": self.phash,
            "replay": None if replay is None else {"distance": replay.distance},
            "verdict": self.verdict.value,
            "reasons": list(self.reasons),
            "width": self.width,
            "height": self.height,
        }


def as_rgb(image: np.ndarray | bytes) -> np.ndarray:
    """RGB uint8 HxWx3 from picture bytes (safely decoded) or an array (grey is widened)."""
    if isinstance(image, bytes | bytearray | memoryview):
        return decode_image(bytes(image)).rgb
    array = np.asarray(image)
    if array.dtype != np.uint8:
        raise TypeError(f"expected a uint8 picture, got {array.dtype}")
    if array.ndim == 2:
        array = np.repeat(array[:, :, None], 3, axis=2)
    if array.ndim != 3 or array.shape[2] not in (3, 4):
        raise TypeError(f"expected an HxWx3 picture, got shape {array.shape}")
    return np.ascontiguousarray(array[:, :, :3])


def analyze_capture(
    image: np.ndarray | bytes,
    reference_embeddings: Sequence[np.ndarray],
    previous_hashes: Sequence[str],
    *,
    encoder: FaceEncoder | None = None,
) -> CaptureAnalysis:
    """Analyse one capture against the student's templates and earlier picture hashes."""
    rgb, _ = downscale(as_rgb(image), ANALYSIS_SIDE)
    boxes = detect_faces(rgb)
    main = max(boxes, key=lambda box: box.width * box.height) if boxes else None
    chip = face_chips(rgb, [main])[0] if main is not None else None
    embedding = None
    if chip is not None and len(boxes) == 1:
        embedding = embed_chips(chip[None], encoder)[0]
    score = None if embedding is None else similarity(embedding, reference_embeddings)
    quality = assess_quality(rgb, main, chip)
    phash = picture_hash(rgb)
    replay = find_replay(rgb, previous_hashes, current_hash=phash)
    verdict, reasons = suggest_verdict(len(boxes), score, quality, replay)
    return CaptureAnalysis(
        faces=len(boxes),
        face_boxes=tuple(boxes),
        similarity=score,
        quality=quality,
        phash=phash,
        replay=replay,
        embedding=embedding,
        verdict=verdict,
        reasons=tuple(reasons),
        width=rgb.shape[1],
        height=rgb.shape[0],
    )


def suggest_verdict(
    faces: int, score: float | None, quality: Quality, replay: ReplayMatch | None
) -> tuple[Verdict, list[str]]:
    """The verdict and the reasons a reviewer (or the student) reads."""
    if replay is not None:
        how = "a mirrored copy" if replay.mirrored else "a copy"
        return Verdict.REPLAYED, [f"the picture is {how} of an earlier one"]
    if faces == 0:
        return _no_face(quality)
    if faces > 1:
        return Verdict.MULTIPLE_FACES, [f"{faces} faces in the picture"]
    if not quality.ok:
        return Verdict.LOW_QUALITY, [f"picture {problem}" for problem in quality.problems]
    if score is None:
        return Verdict.NEEDS_REVIEW, ["no enrolment face to compare with"]
    return _by_score(score)


def _no_face(quality: Quality) -> tuple[Verdict, list[str]]:
    if quality.too_dark or quality.too_bright:
        return Verdict.LOW_QUALITY, [f"no face found; picture {p}" for p in quality.problems]
    return Verdict.NO_FACE, ["no face found"]


def _by_score(score: float) -> tuple[Verdict, list[str]]:
    if score >= VERIFIED_AT:
        return Verdict.VERIFIED, [f"similarity {score:.1f} >= {VERIFIED_AT:.0f}"]
    if score >= REVIEW_AT:
        return Verdict.NEEDS_REVIEW, [
            f"similarity {score:.1f} between {REVIEW_AT:.0f} and {VERIFIED_AT:.0f}"
        ]
    return Verdict.WRONG_PERSON, [f"similarity {score:.1f} < {REVIEW_AT:.0f}"]
