"""The verdict of a liveness check's burst, by the course's policy. Pure CPU work.

First hit wins: a frame that cannot be read (LOW_QUALITY); a first frame that copies an
earlier picture (REPLAYED); no face templates (no enrolment, or no active consent: no face is
processed at all, R24, and a person reviews: NEEDS_REVIEW); otherwise the vision engine
observes the burst and the liveness rule (``presence.liveness``, with the policy's verified
and review thresholds for the enrolment and the same person) says VERIFIED or
LIVENESS_FAILED (which goes to review, see ``verdicts.AWAITS_REVIEW``). The measured yaw of
every frame, the turn (every step's, for a two-step), the similarities and the frame
differences go into the scores.
"""

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from trust_lesson.presence.judging import NO_ENROLMENT, Judgement, replayed_reason
from trust_lesson.presence.liveness import LivenessJudgement, LivenessRules, judge_liveness
from trust_lesson.presence.policy import AttendancePolicy
from trust_lesson.presence.verdicts import TurnDirection, Verdict
from trust_lesson.vision import WEBCAM_FRAME, ImageRejected
from trust_lesson.vision.liveness import BurstObservations, observe_burst
from trust_lesson.vision.replay import find_replay, picture_hash


def judge_burst(
    frames: Sequence[bytes],
    references: Sequence[np.ndarray],
    previous_hashes: Sequence[str],
    policy: AttendancePolicy,
    direction: TurnDirection,
) -> Judgement:
    """The verdict, reasons and scores of a burst (see the module docstring)."""
    try:
        pictures = [WEBCAM_FRAME.decode(frame).rgb for frame in frames]
    except ImageRejected as error:
        return Judgement(Verdict.LOW_QUALITY, [f"a frame cannot be read: {error.message}"])
    phash = picture_hash(pictures[0])
    replay = find_replay(pictures[0], previous_hashes, current_hash=phash)
    if replay is not None:
        return Judgement(Verdict.REPLAYED, [replayed_reason(replay)], phash=phash)
    if not references:
        return Judgement(Verdict.NEEDS_REVIEW, [NO_ENROLMENT], phash=phash)
    burst = observe_burst(pictures, references)
    judgement = judge_liveness(burst, direction, rules_for(policy))
    return Judgement(
        verdict=Verdict.VERIFIED if judgement.live else Verdict.LIVENESS_FAILED,
        reasons=list(judgement.reasons),
        similarity=burst.reference_similarity,
        faces=max(frame.faces for frame in burst.frames),
        phash=phash,
        scores=_scores(burst, judgement, direction, pictures[0]),
    )


def rules_for(policy: AttendancePolicy) -> LivenessRules:
    """The liveness rule with the course's thresholds for the enrolment and the same person."""
    return LivenessRules(enrolment_at=policy.verified_at, same_person_at=policy.review_at)


def _scores(
    burst: BurstObservations,
    judgement: LivenessJudgement,
    direction: TurnDirection,
    first: np.ndarray,
) -> dict[str, Any]:
    """Numbers a reviewer reads (no embedding, no picture hash); JSON-safe (no infinity)."""
    observed = burst.as_dict()
    differences = observed.pop("frame_differences")
    assert isinstance(differences, list)
    return {
        "liveness": {
            "direction": direction.value,
            "turn": None if judgement.turn is None else round(judgement.turn, 3),
            "steps": judgement.steps_as_dicts(),
            **observed,
            "frame_differences": [d if math.isfinite(d) else None for d in differences],
        },
        "frames": len(burst.frames),
        "width": first.shape[1],
        "height": first.shape[0],
    }
