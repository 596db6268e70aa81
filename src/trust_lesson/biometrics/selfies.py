"""Checks of enrolment selfies (CPU work: run it in a worker thread, never on the event loop).

Cheap checks first: every selfie's header is checked against the selfie budget (format by
content, bytes, 12.6 megapixels, JPEG scans) and duplicates are refused before any picture is
decoded. Then the selfies are decoded and analysed one at a time, so a request holds at most
one decoded picture (the process-wide decode semaphore bounds parallel requests). Each is
analysed and judged exactly like a lesson capture (``presence.judging.verdict_of``): it must
show exactly one face, lit well, sharp and big enough. The selfies of one enrolment must also
show the same person: every pair must score at least ``REVIEW_AT`` (85) on the calibrated
similarity, the score below which a capture counts as another person. Every refusal names the
image(s) and the reason.
"""

import hashlib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import Any, TypeVar

import numpy as np

from trust_lesson.errors import DomainError
from trust_lesson.presence.judging import verdict_of
from trust_lesson.presence.policy import AttendancePolicy
from trust_lesson.presence.verdicts import Verdict
from trust_lesson.vision import SELFIE, CaptureAnalysis, ImageRejected, analyze_capture
from trust_lesson.vision.models import FaceEncoder
from trust_lesson.vision.similarity import REVIEW_AT, distance_to_score, embedding_distance

MAX_SELFIES = 5
T = TypeVar("T")
_UNSAFE = re.compile(r"[^\w .()+-]")
_ADVICE = {
    Verdict.NO_FACE: "take the selfie facing the camera, with your whole face in the picture",
    Verdict.MULTIPLE_FACES: "a selfie must show only you",
    Verdict.LOW_QUALITY: "take it again in good light, holding the camera still and close",
}


@dataclass(frozen=True, slots=True)
class SelfieFile:
    """An uploaded selfie: its position (1-based), the name it came with, its bytes."""

    position: int
    filename: str | None
    data: bytes

    @property
    def label(self) -> str:
        """How the person recognises the picture in a message: ``image 2 (me.jpg)``."""
        if not self.filename:
            return f"image {self.position}"
        name = _UNSAFE.sub("_", self.filename.rsplit("/", 1)[-1].rsplit("\\", 1)[-1])[:80]
        return f"image {self.position} ({name})"


@dataclass(frozen=True, slots=True)
class AcceptedSelfie:
    label: str
    embedding: np.ndarray
    sha256: str
    phash: str | None = None


@dataclass(frozen=True, slots=True)
class SelfieProblem:
    images: tuple[str, ...]
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return {"images": list(self.images), "reason": self.reason}


class SelfieRejected(DomainError):
    """One or more selfies refused; the body lists every problem with the images concerned."""

    status_code = 422
    code = "enrolment_refused"

    def __init__(
        self, problems: Sequence[SelfieProblem], *, status: int = 422, code: str | None = None
    ) -> None:
        detail = "; ".join(f"{' and '.join(p.images)}: {p.reason}" for p in problems)
        super().__init__(f"Enrolment refused. {detail}")
        self.problems = list(problems)
        self.status_code = status
        self.code = code or self.code

    def body(self) -> dict[str, Any]:
        return {**super().body(), "problems": [p.as_dict() for p in self.problems]}


def examine_selfies(
    files: Sequence[SelfieFile], *, encoder: FaceEncoder | None = None
) -> list[AcceptedSelfie]:
    """The selfies' face embeddings, or :class:`SelfieRejected` naming every problem."""
    for file in files:
        _checked(file, SELFIE.probe)
    _refuse(_duplicates(files))
    analyses = [analyze_capture(_checked(f, _rgb), [], [], encoder=encoder) for f in files]
    _refuse([p for f, a in zip(files, analyses, strict=True) if (p := _face_problem(f, a))])
    accepted = [_accepted(f, a) for f, a in zip(files, analyses, strict=True)]
    _refuse(disagreements(accepted))
    return accepted


def _rgb(data: bytes) -> np.ndarray:
    return SELFIE.decode(data).rgb


def _checked(file: SelfieFile, check: Callable[[bytes], T]) -> T:
    try:
        return check(file.data)
    except ImageRejected as error:
        problem = SelfieProblem((file.label,), error.message)
        raise SelfieRejected([problem], status=error.http_status, code=error.code) from error


def _refuse(problems: Sequence[SelfieProblem]) -> None:
    if problems:
        raise SelfieRejected(problems)


def _duplicates(files: Sequence[SelfieFile]) -> list[SelfieProblem]:
    first_seen: dict[str, str] = {}
    problems = []
    for file in files:
        digest = _sha256(file.data)
        if digest in first_seen:
            reason = f"the same file as {first_seen[digest]}; send different selfies"
            problems.append(SelfieProblem((file.label,), reason))
        first_seen.setdefault(digest, file.label)
    return problems


def _face_problem(file: SelfieFile, analysis: CaptureAnalysis) -> SelfieProblem | None:
    verdict, reasons = verdict_of(analysis, AttendancePolicy())
    advice = _ADVICE.get(verdict)
    if advice is None:
        return None
    return SelfieProblem((file.label,), f"{'; '.join(reasons)}: {advice}")


def _accepted(file: SelfieFile, analysis: CaptureAnalysis) -> AcceptedSelfie:
    if analysis.embedding is None:
        raise RuntimeError("an accepted selfie has exactly one face and so an embedding")
    return AcceptedSelfie(file.label, analysis.embedding, _sha256(file.data), analysis.phash)


def disagreements(selfies: Sequence[AcceptedSelfie]) -> list[SelfieProblem]:
    """Pairs of selfies whose faces score below ``REVIEW_AT``: not the same person."""
    problems = []
    for a, b in combinations(selfies, 2):
        score = distance_to_score(embedding_distance(a.embedding, b.embedding))
        if score < REVIEW_AT:
            reason = (
                f"these do not show the same person (similarity {score:.0f} < "
                f"{REVIEW_AT:.0f}); every selfie of an enrolment must show you"
            )
            problems.append(SelfieProblem((a.label, b.label), reason))
    return problems


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def refuse_strangers(selfies: Sequence[AcceptedSelfie], portrait: np.ndarray) -> None:
    """Anchored enrolment: every selfie must show the person of the verified document, scoring
    at least ``REVIEW_AT`` against its portrait (below it a capture counts as another person)."""
    problems = []
    for selfie in selfies:
        score = distance_to_score(embedding_distance(selfie.embedding, portrait))
        if score < REVIEW_AT:
            reason = (
                f"this is not the person of your verified identity document (similarity "
                f"{score:.0f} < {REVIEW_AT:.0f} to its portrait); only you can enrol your face"
            )
            problems.append(SelfieProblem((selfie.label,), reason))
    if problems:
        raise SelfieRejected(problems, code="not_the_verified_person")
