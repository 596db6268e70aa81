"""The liveness rule: what a burst's observations mean. Pure: no database, no web framework.

The student was asked to turn the head to one side (their own left or right) while the room
took a burst of about five frames, or, in an ordered two-step, to one side and then to the
other while it took about eight. The burst is live when, in order of the checks:

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
   in a two-step, the second side must be reached the same way, measured from the same
   first face, in frames after the one where the first step was done (a clip turning only
   one way, or both ways in the wrong order, fails);
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
class StepMeasure:
    """One step of the turn: how far the yaw and the nose parallax moved towards its side
    since the first face (each reached in ``turned_frames`` frames of the step), and the
    frame (0-based) where the step was done, None when it was not."""

    side: TurnDirection
    turn: float | None
    parallax: float | None
    done_at: int | None


@dataclass(frozen=True, slots=True)
class LivenessJudgement:
    """``turn`` and ``parallax``: the weakest step's (the only step's for a one-side turn);
    ``steps``: every step's measures; ``failed``: the checks that failed, one per reason
    (empty when VERIFIED)."""

    verdict: LivenessVerdict
    reasons: tuple[str, ...]
    turn: float | None
    parallax: float | None = None
    failed: tuple[LivenessCheck, ...] = ()
    steps: tuple[StepMeasure, ...] = ()

    @property
    def live(self) -> bool:
        return self.verdict is LivenessVerdict.VERIFIED

    def steps_as_dicts(self) -> list[dict[str, object]]:
        """JSON-ready steps: side, turn, parallax and the frame (1-based) where it was done."""
        return [
            {
                "side": step.side.value,
                "turn": None if step.turn is None else round(step.turn, 3),
                "parallax": None if step.parallax is None else round(step.parallax, 3),
                "done_at_frame": None if step.done_at is None else step.done_at + 1,
            }
            for step in self.steps
        ]


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
    steps = _steps(burst, direction, rules)
    if yaws:
        problems += _frontal_problems(yaws[0], rules)
        problems += _turn_problems(steps, rules)
    problems += _identity_problems(burst, rules)
    problems += _identical_problems(burst, rules)
    problems += [
        (LivenessCheck.SEVERAL_FACES, f"frame {number} shows {frame.faces} faces")
        for number, frame in enumerate(burst.frames, 1)
        if frame.faces > 1
    ]
    turn, parallax = _weakest(steps)
    if problems:
        return LivenessJudgement(
            LivenessVerdict.LIVENESS_FAILED,
            tuple(text for _, text in problems),
            turn,
            parallax,
            tuple(check for check, _ in problems),
            steps,
        )
    reason = ", then ".join(_turned(step, rules) for step in steps) + ", same person"
    return LivenessJudgement(LivenessVerdict.VERIFIED, (reason,), turn, parallax, (), steps)


def _weakest(steps: tuple[StepMeasure, ...]) -> tuple[float | None, float | None]:
    """The turn and parallax of the step that turned least (a one-side turn: its own)."""
    weakest = min(steps, key=lambda step: -1e9 if step.turn is None else step.turn)
    return weakest.turn, weakest.parallax


def _turned(step: StepMeasure, rules: LivenessRules) -> str:
    side = step.side.value.lower()
    if step.turn is not None and step.turn >= rules.turn_at_least:
        return f"turned {side} by {step.turn:.2f} (needs {rules.turn_at_least:.2f})"
    return (
        f"turned {side} by {step.turn or 0.0:.2f} with the nose leaving the face's plane by "
        f"{step.parallax or 0.0:.2f} (needs {rules.deep_turn_at_least:.2f} and "
        f"{rules.nose_parallax_at_least:.2f})"
    )


def _nth_largest(values: list[float], frames: int) -> float | None:
    """The ``frames``-th largest value (the smallest when there are fewer)."""
    if not values:
        return None
    ordered = sorted(values, reverse=True)
    return ordered[min(frames, len(ordered)) - 1] + 0.0  # + 0.0: no "-0.00" in reasons


def _steps(
    burst: BurstObservations, direction: TurnDirection, rules: LivenessRules
) -> tuple[StepMeasure, ...]:
    """Each step measured on the frames after the previous step was done (all frames for
    the first step), always from the first face: a second step has to be seen after the first
    and to reach its own side; a step never done leaves the later ones unmeasured."""
    measured: list[StepMeasure] = []
    after: int | None = -1
    for side in direction.steps:
        if after is None:
            measured.append(StepMeasure(side, None, None, None))
            continue
        step = _step(burst, side, after, rules)
        measured.append(step)
        after = step.done_at
    return tuple(measured)


def _step(
    burst: BurstObservations, side: TurnDirection, after: int, rules: LivenessRules
) -> StepMeasure:
    """One step on the frames after ``after``: done when ``turned_frames`` frames moved the
    yaw by ``turn_at_least``, or by ``deep_turn_at_least`` with the nose parallax (the module
    docstring, check 3); done at the frame where the first of the two ways got there."""
    moves = _moves(burst, side)
    later = [(index, change, depth) for index, change, depth in moves if index > after]
    turned = [index for index, change, _ in later if change >= rules.turn_at_least]
    deep = [
        index
        for index, change, depth in later
        if depth is not None
        and change >= rules.deep_turn_at_least
        and depth >= rules.nose_parallax_at_least
    ]
    need = rules.turned_frames
    done = [found[need - 1] for found in (turned, deep) if len(found) >= need]
    return StepMeasure(
        side,
        _nth_largest([change for _, change, _ in later], need),
        _nth_largest([depth for _, _, depth in later if depth is not None], need),
        min(done) if done else None,
    )


def _moves(burst: BurstObservations, side: TurnDirection) -> list[tuple[int, float, float | None]]:
    """Per frame with a face (its index): the change of yaw and the nose parallax towards
    ``side`` since the first face (parallax None where not measured)."""
    yaws = burst.yaw
    parallaxes = burst.parallax or tuple(None for _ in yaws)
    first = next((yaw for yaw in yaws if yaw is not None), None)
    if first is None:
        return []
    return [
        (index, side.sign * (yaw - first), None if depth is None else side.sign * depth)
        for index, (yaw, depth) in enumerate(zip(yaws, parallaxes, strict=True))
        if yaw is not None
    ]


def _frontal_problems(first: float, rules: LivenessRules) -> list[Problem]:
    if abs(first) <= rules.frontal_within:
        return []
    return [
        (
            LivenessCheck.FRONTAL,
            f"the first face is not frontal (yaw {first:+.2f}, needs within "
            f"+/-{rules.frontal_within:.2f})",
        )
    ]


def _turn_problems(steps: tuple[StepMeasure, ...], rules: LivenessRules) -> list[Problem]:
    """A reason for the first step not done (the later ones were not measured)."""
    for number, step in enumerate(steps):
        if step.done_at is not None:
            continue
        side = step.side.value.lower()
        after = f" after turning {steps[number - 1].side.value.lower()}" if number else ""
        return [
            (
                LivenessCheck.TURN,
                f"the head did not turn {side} enough{after} "
                f"({step.turn or 0.0:+.2f}, needs {rules.turn_at_least:.2f}; or "
                f"{rules.deep_turn_at_least:.2f} with the nose leaving the face's plane by "
                f"{rules.nose_parallax_at_least:.2f}, measured {step.parallax or 0.0:+.2f})",
            )
        ]
    return []


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
