"""The verdict of one capture, by the course's policy. Pure CPU work: no database, no loop.

The vision engine reports what the picture shows; ``verdict_of`` is the one rule that turns
those observations into a verdict, first hit wins: a copy of an earlier picture (REPLAYED), no
face (NO_FACE, or LOW_QUALITY when the picture is too dark or bright to find one), several
faces (MULTIPLE_FACES), poor quality (LOW_QUALITY), nothing to compare the face with
(NEEDS_REVIEW), then the similarity against the course's thresholds (``verdict_for_similarity``:
VERIFIED, NEEDS_REVIEW in the grey zone, WRONG_PERSON). Without face templates (no enrolment,
or no active consent) ``judge`` processes no face at all (R24): only the non-biometric replay
check runs and the capture is kept for human review.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from trust_lesson.presence.policy import AttendancePolicy
from trust_lesson.presence.verdicts import Verdict, verdict_for_similarity
from trust_lesson.vision import WEBCAM_FRAME, CaptureAnalysis, ImageRejected, analyze_capture
from trust_lesson.vision.replay import ReplayMatch, find_replay, picture_hash

NO_ENROLMENT = "no face enrolment: kept for human review"
NOTHING_TO_COMPARE = "no enrolment face to compare with"


@dataclass(frozen=True)
class Judgement:
    verdict: Verdict
    reasons: list[str]
    similarity: float | None = None
    faces: int | None = None
    phash: str | None = None
    scores: dict[str, Any] = field(default_factory=dict)


def judge(
    picture: bytes,
    references: Sequence[np.ndarray],
    previous_hashes: Sequence[str],
    policy: AttendancePolicy,
) -> Judgement:
    """The verdict, reasons and scores of one picture (see the module docstring)."""
    try:
        rgb = WEBCAM_FRAME.decode(picture).rgb
        if not references:
            return _without_enrolment(rgb, previous_hashes)
        analysis = analyze_capture(rgb, references, previous_hashes)
    except ImageRejected as error:
        return Judgement(Verdict.LOW_QUALITY, [f"the picture cannot be read: {error.message}"])
    verdict, reasons = verdict_of(analysis, policy)
    return Judgement(
        verdict=verdict,
        reasons=reasons,
        similarity=analysis.similarity,
        faces=analysis.faces,
        phash=analysis.phash,
        scores=_scores(analysis),
    )


def _without_enrolment(rgb: np.ndarray, previous_hashes: Sequence[str]) -> Judgement:
    phash = picture_hash(rgb)
    replay = find_replay(rgb, previous_hashes, current_hash=phash)
    if replay is not None:
        return Judgement(Verdict.REPLAYED, [replayed_reason(replay)], phash=phash)
    return Judgement(Verdict.NEEDS_REVIEW, [NO_ENROLMENT], phash=phash)


def verdict_of(analysis: CaptureAnalysis, policy: AttendancePolicy) -> tuple[Verdict, list[str]]:
    """The verdict of what a picture shows, and the reasons a reviewer or the student reads."""
    if analysis.replay is not None:
        return Verdict.REPLAYED, [replayed_reason(analysis.replay)]
    quality = analysis.quality
    if analysis.faces == 0:
        if quality.too_dark or quality.too_bright:
            return Verdict.LOW_QUALITY, [f"no face found; picture {p}" for p in quality.problems]
        return Verdict.NO_FACE, ["no face found"]
    if analysis.faces > 1:
        return Verdict.MULTIPLE_FACES, [f"{analysis.faces} faces in the picture"]
    if not quality.ok:
        return Verdict.LOW_QUALITY, [f"picture {problem}" for problem in quality.problems]
    if analysis.similarity is None:
        return Verdict.NEEDS_REVIEW, [NOTHING_TO_COMPARE]
    return _by_similarity(analysis.similarity, policy)


def _by_similarity(score: float, policy: AttendancePolicy) -> tuple[Verdict, list[str]]:
    verdict = verdict_for_similarity(score, policy)
    if verdict is Verdict.VERIFIED:
        return verdict, [f"similarity {score:.1f} >= {policy.verified_at:g}"]
    if verdict is Verdict.NEEDS_REVIEW:
        return verdict, [
            f"similarity {score:.1f} between {policy.review_at:g} and {policy.verified_at:g}: "
            "kept for human review"
        ]
    return verdict, [f"similarity {score:.1f} < {policy.review_at:g}: another person"]


def suggested_verdict(analysis: CaptureAnalysis) -> tuple[str, list[str]]:
    """The verdict by the default policy (PRODUCT.md's numbers), for the vision command line."""
    verdict, reasons = verdict_of(analysis, AttendancePolicy())
    return verdict.value, reasons


def replayed_reason(replay: ReplayMatch) -> str:
    how = "a mirrored copy" if replay.mirrored else "a copy"
    return f"the picture is {how} of an earlier one"


def _scores(analysis: CaptureAnalysis) -> dict[str, Any]:
    """Numbers a reviewer reads; no embedding, no picture hash."""
    replay = analysis.replay
    return {
        "quality": analysis.quality.as_dict(),
        "replay_distance": None if replay is None else replay.distance,
        "width": analysis.width,
        "height": analysis.height,
    }
