"""The verdict of one capture, by the course's policy. Pure CPU work: no database, no loop.

The vision engine analyses the picture; its face-similarity verdicts are re-read against the
course's thresholds (``verdict_for_similarity``), the other verdicts (REPLAYED, NO_FACE,
MULTIPLE_FACES, LOW_QUALITY) are kept. Without face templates (no enrolment, or no active
consent) no face is processed at all (R24): only the non-biometric replay check runs and
the capture is kept for human review.
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
SCORED = (Verdict.VERIFIED, Verdict.NEEDS_REVIEW, Verdict.WRONG_PERSON)


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
    verdict, reasons = _by_policy(analysis, policy)
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
        return Judgement(Verdict.REPLAYED, [_replayed(replay)], phash=phash)
    return Judgement(Verdict.NEEDS_REVIEW, [NO_ENROLMENT], phash=phash)


def _by_policy(analysis: CaptureAnalysis, policy: AttendancePolicy) -> tuple[Verdict, list[str]]:
    suggested = Verdict(analysis.verdict.value)
    score = analysis.similarity
    if suggested not in SCORED or score is None:
        return suggested, list(analysis.reasons)
    verdict = verdict_for_similarity(score, policy)
    if verdict is Verdict.VERIFIED:
        return verdict, [f"similarity {score:.1f} >= {policy.verified_at:g}"]
    if verdict is Verdict.NEEDS_REVIEW:
        return verdict, [
            f"similarity {score:.1f} between {policy.review_at:g} and {policy.verified_at:g}: "
            "kept for human review"
        ]
    return verdict, [f"similarity {score:.1f} < {policy.review_at:g}: another person"]


def _replayed(replay: ReplayMatch) -> str:
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
