"""The liveness rule: what a burst's observations mean. Pure: no database, no web framework.

The student was asked to turn the head to one side (their own left or right) while the room
took a burst of about five frames. The burst is live when, in order of the checks:

1. at least ``min_face_frames`` frames show a face;
2. the first frame with a face is frontal (|yaw| <= ``frontal_within``);
3. the yaw moves towards the asked side by at least ``turn_at_least`` from that first frame,
   in at least ``turned_frames`` frames (a real turn is held while the frames are taken; one
   frame whose landmarks slipped must not pass a print); or, for a milder turn, by at least
   ``deep_turn_at_least`` in frames where the nose tip also left the plane of the rest of
   the face by ``nose_parallax_at_least`` towards that side (``vision.liveness``: a flat
   picture, however tilted, keeps its nose in its plane). Printed photos tilted in
   perspective by up to 55 degrees moved the yaw by 0.08 (median) and 0.25 (99th
   percentile) on the shared pictures, their nose parallax stays near 0; real 20-40 degree
   turns read 0.25-0.7 and a nose parallax of 0.09-0.3 (``bench/vision_liveness.py``);
4. every frame shows the same person: the first face against the enrolment at the verified
   threshold, every other face against the first at ``same_person_at`` (a turned face is
   less alike than two frontal ones);
5. no two consecutive frames are identical (a still picture sent several times);
6. no frame shows several faces (which face turned would be a guess; an ordinary check
   refuses such a picture too).

Every failed check adds a reason; the verdict is VERIFIED only when none failed.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from trust_lesson.presence.verdicts import TurnDirection
from trust_lesson.vision.liveness import BurstObservations
from trust_lesson.vision.similarity import REVIEW_AT, VERIFIED_AT


class LivenessVerdict(StrEnum):
    VERIFIED = "VERIFIED"
    LIVENESS_FAILED = "LIVENESS_FAILED"


class LivenessCheck(StrEnum):
    """The checks of the rule, in the module docstring's order (what a failure was about)."""

    FACES = "FACES"
    FRONTAL = "FRONTAL"
    TURN = "TURN"
    SAME_PERSON = "SAME_PERSON"
    IDENTICAL = "IDENTICAL"
    SEVERAL_FACES = "SEVERAL_FACES"


Problem = tuple[LivenessCheck, str]


@dataclass(frozen=True, slots=True)
class LivenessRules:
    min_face_frames: int = 3
    frontal_within: float = 0.25
    turn_at_least: float = 0.40
    deep_turn_at_least: float = 0.25
    nose_parallax_at_least: float = 0.08
    turned_frames: int = 2
    enrolment_at: float = VERIFIED_AT
    same_person_at: float = REVIEW_AT
    identical_below: float = 0.5


DEFAULT_RULES = LivenessRules()


@dataclass(frozen=True, slots=True)
class LivenessJudgement:
    """``turn`` and ``parallax``: how far the yaw and the nose parallax moved towards the
    asked side (reached in ``turned_frames`` frames); ``failed``: the checks that failed,
    one per reason (empty when VERIFIED)."""

    verdict: LivenessVerdict
    reasons: tuple[str, ...]
    turn: float | None
    parallax: float | None = None
    failed: tuple[LivenessCheck, ...] = ()

    @property
    def live(self) -> bool:
        return self.verdict is LivenessVerdict.VERIFIED


def judge_liveness(
    burst: BurstObservations,
    direction: TurnDirection,
    rules: LivenessRules = DEFAULT_RULES,
) -> LivenessJudgement:
    """VERIFIED or LIVENESS_FAILED, with the reasons a reviewer reads and the measured turn."""
    problems: list[Problem] = []
    yaws = [y for y in burst.yaw if y is not None]
    if len(yaws) < rules.min_face_frames:
        problems.append(
            (
                LivenessCheck.FACES,
                f"a face in {len(yaws)} of {len(burst.frames)} frames "
                f"(needs {rules.min_face_frames})",
            )
        )
    turn = _turn(yaws, direction, rules.turned_frames)
    moves = _moves(burst, direction)
    parallax = _nth_largest([depth for _, depth in moves], rules.turned_frames)
    deep = sum(
        change >= rules.deep_turn_at_least and depth >= rules.nose_parallax_at_least
        for change, depth in moves
    )
    if yaws:
        problems += _turn_problems(yaws[0], turn, deep, parallax, direction, rules)
    problems += _identity_problems(burst, rules)
    problems += _identical_problems(burst, rules)
    problems += [
        (LivenessCheck.SEVERAL_FACES, f"frame {number} shows {frame.faces} faces")
        for number, frame in enumerate(burst.frames, 1)
        if frame.faces > 1
    ]
    if problems:
        return LivenessJudgement(
            LivenessVerdict.LIVENESS_FAILED,
            tuple(text for _, text in problems),
            turn,
            parallax,
            tuple(check for check, _ in problems),
        )
    return LivenessJudgement(
        LivenessVerdict.VERIFIED, (_verified(turn, parallax, direction, rules),), turn, parallax
    )


def _verified(
    turn: float | None, parallax: float | None, direction: TurnDirection, rules: LivenessRules
) -> str:
    side = direction.value.lower()
    if turn is not None and turn >= rules.turn_at_least:
        return f"turned {side} by {turn:.2f} (needs {rules.turn_at_least:.2f}), same person"
    return (
        f"turned {side} by {turn or 0.0:.2f} with the nose leaving the face's plane by "
        f"{parallax or 0.0:.2f} (needs {rules.deep_turn_at_least:.2f} and "
        f"{rules.nose_parallax_at_least:.2f}), same person"
    )


def _nth_largest(values: list[float], frames: int) -> float | None:
    """The ``frames``-th largest value (the smallest when there are fewer)."""
    if not values:
        return None
    ordered = sorted(values, reverse=True)
    return ordered[min(frames, len(ordered)) - 1] + 0.0  # + 0.0: no "-0.00" in reasons


def _turn(yaws: list[float], direction: TurnDirection, frames: int) -> float | None:
    """The change of yaw towards the asked side, from the first face, reached in ``frames``
    frames (the ``frames``-th largest change; the largest when there are fewer faces)."""
    return _nth_largest([direction.sign * (yaw - yaws[0]) for yaw in yaws], frames)


def _moves(burst: BurstObservations, direction: TurnDirection) -> list[tuple[float, float]]:
    """Per frame with a face: the change of yaw and the nose parallax towards the asked side
    since the first face."""
    yaws = burst.yaw
    parallaxes = burst.parallax or tuple(None for _ in yaws)
    first = next((yaw for yaw in yaws if yaw is not None), None)
    return [
        (direction.sign * (yaw - first), direction.sign * depth)
        for yaw, depth in zip(yaws, parallaxes, strict=True)
        if first is not None and yaw is not None and depth is not None
    ]


def _turn_problems(
    first: float,
    turn: float | None,
    deep: int,
    parallax: float | None,
    direction: TurnDirection,
    rules: LivenessRules,
) -> list[Problem]:
    problems = []
    if abs(first) > rules.frontal_within:
        problems.append(
            (
                LivenessCheck.FRONTAL,
                f"the first face is not frontal (yaw {first:+.2f}, needs within "
                f"+/-{rules.frontal_within:.2f})",
            )
        )
    if (turn is None or turn < rules.turn_at_least) and deep < rules.turned_frames:
        problems.append(
            (
                LivenessCheck.TURN,
                f"the head did not turn {direction.value.lower()} enough "
                f"({turn or 0.0:+.2f}, needs {rules.turn_at_least:.2f}; or "
                f"{rules.deep_turn_at_least:.2f} with the nose leaving the face's plane by "
                f"{rules.nose_parallax_at_least:.2f}, measured {parallax or 0.0:+.2f})",
            )
        )
    return problems


def _identity_problems(burst: BurstObservations, rules: LivenessRules) -> list[Problem]:
    problems = []
    enrolment = burst.reference_similarity
    if enrolment is not None and enrolment < rules.enrolment_at:
        problems.append(
            (
                LivenessCheck.SAME_PERSON,
                f"the first face is not the enrolled student "
                f"(similarity {enrolment:.1f} < {rules.enrolment_at:.0f})",
            )
        )
    for number, score in enumerate(burst.frame_similarities, 1):
        if score is not None and score < rules.same_person_at:
            problems.append(
                (
                    LivenessCheck.SAME_PERSON,
                    f"frame {number} shows another person than the first "
                    f"(similarity {score:.1f} < {rules.same_person_at:.0f})",
                )
            )
    return problems


def _identical_problems(burst: BurstObservations, rules: LivenessRules) -> list[Problem]:
    return [
        (LivenessCheck.IDENTICAL, f"frames {number} and {number + 1} are identical")
        for number, difference in enumerate(burst.frame_differences, 1)
        if difference < rules.identical_below
    ]
