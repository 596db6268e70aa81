"""``analyze_capture``: what one webcam capture shows, for the worker to judge.

The vision engine reports observations only: the faces found, the similarity of the main face
to the student's enrolment templates (0-100), the picture's quality measures and whether it
copies an earlier picture. It gives no verdict: turning observations into a verdict is a rule
of presence (``trust_lesson.presence.judging.verdict_of``, by the course's policy).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from trust_lesson.vision.decode import decode_image, downscale
from trust_lesson.vision.faces import FaceBox, detect_faces, embed_chips, face_chips
from trust_lesson.vision.models import FaceEncoder
from trust_lesson.vision.quality import Quality, assess_quality
from trust_lesson.vision.replay import ReplayMatch, find_replay, picture_hash
from trust_lesson.vision.similarity import similarity

ANALYSIS_SIDE = 640


@dataclass(frozen=True, slots=True)
class CaptureAnalysis:
    """What was seen in one capture (no verdict: see the module docstring)."""

    faces: int
    face_boxes: tuple[FaceBox, ...]
    similarity: float | None
    quality: Quality
    phash: str
    replay: ReplayMatch | None
    embedding: np.ndarray | None = field(repr=False)
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
    return CaptureAnalysis(
        faces=len(boxes),
        face_boxes=tuple(boxes),
        similarity=score,
        quality=quality,
        phash=phash,
        replay=replay,
        embedding=embedding,
        width=rgb.shape[1],
        height=rgb.shape[0],
    )
