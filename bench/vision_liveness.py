"""Liveness on the full burst sets built from ../shared/testdata (tests/vision/bursts.py says
how each set is built). Run alone: ``.venv/bin/python bench/vision_liveness.py``; bench/vision.py
runs it too. Prints:

- the yaw measure under mirroring (every face of face_verification and its mirror image);
- real head turns: every photo read as turned by eye (``TURNED``), started from each other
  photo of the same person that is frontal (|yaw| <= 0.25), and the mirrored burst to the
  other side; the enrolment is the person's remaining photos (none when there are none);
- replayed clips turning the wrong way (the same bursts, other side asked) or too late;
- printed photos: ``PRINTS_PER_PHOTO`` tilted-print bursts of every frontal photo, judged
  for both sides (the attacker's best case: a burst counts as caught only if both fail);
- ordered two-steps (eight frames): the real two-steps built from the same pairs (and their
  mirror images, the other order), each also judged in the wrong order; clips turning one
  way only and prints swung both ways, judged for both orders (caught only if both fail);
- the cost of observing a burst, per frame.
"""

from __future__ import annotations

import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.vision.bursts import (  # noqa: E402
    OTHER_SIDE,
    TURNED,
    head_turn,
    mirrored,
    one_way_clip,
    picture,
    printed_photo,
    too_late,
    two_step_turn,
)

from trust_lesson.presence.liveness import (  # noqa: E402
    DEFAULT_RULES,
    LivenessCheck,
    LivenessJudgement,
    judge_liveness,
)
from trust_lesson.presence.verdicts import TWO_STEP_TURNS, TurnDirection  # noqa: E402
from trust_lesson.vision.faces import largest_face_embedding  # noqa: E402
from trust_lesson.vision.liveness import observe_burst  # noqa: E402

PRINTS_PER_PHOTO = 2
# The second step of a built two-step is the mirror image of the turned photo: a turn seen
# from yaw 0, not from the start's own yaw. From a start at +0.2 it is a turn of only about
# 0.2 the other way, so the bench also counts the starts within this of 0.
CENTRED_START = 0.10


def say(message: str) -> None:
    print(message, flush=True)


class Timer:
    def __init__(self) -> None:
        self.seconds = 0.0
        self.frames = 0

        self.last_yaw: tuple[float | None, ...] = ()

    def judge(
        self, frames: list[bytes], sides: list[str], references: list[np.ndarray]
    ) -> list[LivenessJudgement]:
        start = time.perf_counter()
        burst = observe_burst(frames, references)
        self.seconds += time.perf_counter() - start
        self.frames += len(frames)
        self.last_yaw = burst.yaw
        return [judge_liveness(burst, TurnDirection(side)) for side in sides]


def shown(yaws: Sequence[float | None]) -> str:
    return "[" + ", ".join("none" if y is None else f"{y:+.2f}" for y in yaws) + "]"


def read_identities(testdata: Path) -> dict[str, str]:
    import csv

    with (testdata / "face_verification" / "identities.csv").open() as rows:
        return {row["file"]: row["identity"] for row in csv.DictReader(rows)}


def yaws(testdata: Path, names: list[str]) -> dict[str, tuple[float | None, float | None]]:
    out = {}
    for name in names:
        rgb = picture(testdata, name)
        out[name] = (observe_burst([rgb], []).yaw[0], observe_burst([mirrored(rgb)], []).yaw[0])
    return out


def mirror_figures(measured: dict[str, tuple[float | None, float | None]]) -> dict[str, Any]:
    turned = [(y, m) for y, m in measured.values() if y is not None and abs(y) >= 0.40]
    flipped = sum(m is not None and np.sign(m) == -np.sign(y) for y, m in turned)
    return {
        "faces": sum(y is not None for y, _ in measured.values()),
        "pictures": len(measured),
        "turned": len(turned),
        "flipped": flipped,
    }


def not_verified(
    label: str,
    judgement: LivenessJudgement,
    timer: Timer,
    failures: list[str],
    why: Counter[str],
) -> None:
    """A real turn not verified: its failed checks counted, its yaws and reasons listed."""
    why.update(set(judgement.failed))
    failures.append(f"{label}, yaw {shown(timer.last_yaw)}: " + "; ".join(judgement.reasons))


def same_person(ids: dict[str, str], name: str, turned: str) -> bool:
    return ids[name] == ids[turned] and name != turned


def turn_pairs(
    testdata: Path, ids: dict[str, str], frontal: set[str]
) -> Iterator[tuple[str, str, str, list[np.ndarray]]]:
    """Every frontal start of a turned photo's person: (start, turned, side, enrolment), the
    enrolment being that person's other photos (none when there are none)."""
    for turned, side in TURNED.items():
        same = [n for n in ids if same_person(ids, n, turned)]
        for start in (n for n in same if n in frontal):
            enrolment = [
                e
                for n in same
                if n != start
                if (e := largest_face_embedding(picture(testdata, n))) is not None
            ]
            yield start, turned, side, enrolment


def real_turns(
    testdata: Path, ids: dict[str, str], frontal: set[str], timer: Timer
) -> dict[str, Any]:
    verified = total = wrong_caught = late_caught = late_total = by_parallax = 0
    failures: list[str] = []
    why: Counter[str] = Counter()
    skipped = sum(n not in frontal for turned in TURNED for n in ids if same_person(ids, n, turned))
    for start, turned, side, enrolment in turn_pairs(testdata, ids, frontal):
        a, b = picture(testdata, start), picture(testdata, turned)
        for frames, asked in (
            (head_turn(a, b), side),
            (head_turn(mirrored(a), mirrored(b)), OTHER_SIDE[side]),
        ):
            right, wrong = timer.judge(frames, [asked, OTHER_SIDE[asked]], enrolment)
            total += 1
            verified += right.live
            by_parallax += right.live and (right.turn or 0.0) < DEFAULT_RULES.turn_at_least
            wrong_caught += not wrong.live
            if wrong.live:
                failures.append(f"ATTACK PASSED, wrong way: {start} -> {turned} ({asked})")
            if not right.live:
                not_verified(f"{start} -> {turned} ({asked})", right, timer, failures, why)
        late = timer.judge(too_late(a), [side, OTHER_SIDE[side]], enrolment)
        late_total += 1
        late_caught += not any(j.live for j in late)
        if any(j.live for j in late):
            failures.append(f"ATTACK PASSED, too late: {start}")
    return {
        "bursts": total,
        "verified": verified,
        "verified by the nose parallax": by_parallax,
        "wrong way caught": wrong_caught,
        "too late": late_total,
        "too late caught": late_caught,
        "non-frontal starts left out": skipped,
        "why": dict(why.most_common()),
        "failures": failures,
    }


def two_step_name(first: str) -> str:
    return f"{first}_THEN_{OTHER_SIDE[first]}"


def two_steps(
    testdata: Path, ids: dict[str, str], frontal: set[str], timer: Timer
) -> dict[str, Any]:
    """Real two-steps from every (frontal start, turned photo) pair and its mirror image, each
    judged in its order and in the wrong one; one-way clips judged for both orders."""
    verified = total = wrong_caught = one_way_caught = one_way_total = 0
    centred_verified = centred_total = 0
    failures: list[str] = []
    why: Counter[str] = Counter()
    for start, turned, side, enrolment in turn_pairs(testdata, ids, frontal):
        a, b = picture(testdata, start), picture(testdata, turned)
        for frames, first in (
            (two_step_turn(a, b), side),
            (two_step_turn(mirrored(a), mirrored(b)), OTHER_SIDE[side]),
        ):
            asked, wrong = two_step_name(first), two_step_name(OTHER_SIDE[first])
            right, reverse = timer.judge(frames, [asked, wrong], enrolment)
            start_yaw = timer.last_yaw[0]
            centred = start_yaw is not None and abs(start_yaw) <= CENTRED_START
            total += 1
            verified += right.live
            centred_total += centred
            centred_verified += centred and right.live
            wrong_caught += not reverse.live
            if reverse.live:
                failures.append(f"ATTACK PASSED, wrong order: {start} -> {turned} ({wrong})")
            if not right.live:
                not_verified(f"{start} -> {turned} ({asked})", right, timer, failures, why)
        judged = timer.judge(one_way_clip(a, b), [t.value for t in TWO_STEP_TURNS], enrolment)
        one_way_total += 1
        one_way_caught += not any(j.live for j in judged)
        if any(j.live for j in judged):
            failures.append(f"ATTACK PASSED, one-way clip: {start} -> {turned}")
    return {
        "bursts": total,
        "verified": verified,
        "centred bursts": centred_total,
        "centred verified": centred_verified,
        "wrong order caught": wrong_caught,
        "one way": one_way_total,
        "one way caught": one_way_caught,
        "why": dict(why.most_common()),
        "failures": failures,
    }


def two_step_prints(testdata: Path, frontal: set[str], timer: Timer) -> dict[str, Any]:
    """Prints swung to one side and on to the other over eight frames, judged both orders."""
    rng = np.random.default_rng(2027)
    caught = total = 0
    passed: list[str] = []
    orders = [t.value for t in TWO_STEP_TURNS]
    for name in sorted(frontal):
        rgb = picture(testdata, name)
        for _ in range(PRINTS_PER_PHOTO):
            judged = timer.judge(printed_photo(rgb, rng, both_ways=True), orders, [])
            total += 1
            caught += not any(j.live for j in judged)
            passed += [f"two-way print of {name}: {j.reasons[0]}" for j in judged if j.live]
    return {"bursts": total, "caught": caught, "passed": passed}


def prints(testdata: Path, frontal: set[str], timer: Timer) -> dict[str, Any]:
    rng = np.random.default_rng(2026)
    turns: list[float] = []
    depths: list[float] = []
    passed: list[str] = []
    caught = total = turn_passed = 0
    for name in sorted(frontal):
        rgb = picture(testdata, name)
        for _ in range(PRINTS_PER_PHOTO):
            judged = timer.judge(printed_photo(rgb, rng), ["LEFT", "RIGHT"], [])
            total += 1
            caught += not any(j.live for j in judged)
            passed += [f"print of {name}: {j.reasons[0]}" for j in judged if j.live]
            turns.append(max(j.turn if j.turn is not None else 0.0 for j in judged))
            depths.append(max(j.parallax if j.parallax is not None else 0.0 for j in judged))
            turn_passed += any(LivenessCheck.TURN not in j.failed for j in judged)
    spread, depth = np.array(turns), np.array(depths)
    return {
        "bursts": total,
        "caught": caught,
        "turn check passed": turn_passed,
        "median parallax": float(np.median(depth)),
        "p99 parallax": float(np.percentile(depth, 99)),
        "max parallax": float(depth.max()),
        "median turn": float(np.median(spread)),
        "p99 turn": float(np.percentile(spread, 99)),
        "max turn": float(spread.max()),
        "passed": passed,
    }


def measure_liveness(testdata: Path, progress: Callable[[str], None] = say) -> dict[str, Any]:
    ids = read_identities(testdata)
    progress("  liveness: yaw of every face and its mirror image ...")
    measured = yaws(testdata, sorted(ids))
    frontal = {
        n
        for n, (y, _) in measured.items()
        if y is not None and abs(y) <= DEFAULT_RULES.frontal_within
    }
    timer = Timer()
    progress("  liveness: real turns, wrong way, too late ...")
    turns = real_turns(testdata, ids, frontal, timer)
    progress(f"  liveness: printed photos ({PRINTS_PER_PHOTO} per frontal photo) ...")
    printed = prints(testdata, frontal, timer)
    progress("  liveness: two-steps (real, wrong order, one way, prints swung both ways) ...")
    two_step = {
        "turns": two_steps(testdata, ids, frontal, timer),
        "prints": two_step_prints(testdata, frontal, timer),
    }
    return {
        "mirror": mirror_figures(measured),
        "frontal": len(frontal),
        "turns": turns,
        "prints": printed,
        "two-step": two_step,
        "ms per frame": 1000 * timer.seconds / max(timer.frames, 1),
    }


def print_liveness(result: dict[str, Any]) -> None:
    mirror, turns, printed = result["mirror"], result["turns"], result["prints"]
    say("\n== Liveness (bursts of 5 frames; tests/vision/bursts.py builds them) ==")
    say(
        f"  yaw under mirroring: {mirror['flipped']}/{mirror['turned']} faces with |yaw| >= 0.40 "
        f"flip sign ({mirror['faces']}/{mirror['pictures']} pictures with a face, "
        f"{result['frontal']} frontal)"
    )
    say(
        f"  real turns VERIFIED      : {turns['verified']}/{turns['bursts']} "
        f"({turns['verified'] / max(turns['bursts'], 1):.1%}; "
        f"{turns['verified by the nose parallax']} of them by a turn below "
        f"{DEFAULT_RULES.turn_at_least:.2f} with the nose parallax); non-frontal starts left "
        f"out: {turns['non-frontal starts left out']}"
    )
    why = ", ".join(f"{check} {count}" for check, count in turns["why"].items()) or "none"
    say(f"  real turns not verified, by failed check: {why}")
    say(f"  wrong way LIVENESS_FAILED: {turns['wrong way caught']}/{turns['bursts']}")
    say(f"  too late LIVENESS_FAILED : {turns['too late caught']}/{turns['too late']}")
    say(
        f"  printed photo FAILED     : {printed['caught']}/{printed['bursts']} "
        f"({printed['caught'] / max(printed['bursts'], 1):.1%}); turn read from prints "
        f"median {printed['median turn']:.2f}, p99 {printed['p99 turn']:.2f}, "
        f"max {printed['max turn']:.2f} (threshold {DEFAULT_RULES.turn_at_least:.2f}, or "
        f"{DEFAULT_RULES.deep_turn_at_least:.2f} with the nose parallax)"
    )
    say(
        f"  nose parallax of prints  : median {printed['median parallax']:.3f}, p99 "
        f"{printed['p99 parallax']:.3f}, max {printed['max parallax']:.3f} (threshold "
        f"{DEFAULT_RULES.nose_parallax_at_least:.2f}); the turn check alone passed "
        f"{printed['turn check passed']}/{printed['bursts']} prints"
    )
    print_two_step(result["two-step"])
    say(f"  cost: {result['ms per frame']:.1f} ms per frame (detection, 68 points, embedding)")
    for failure in printed["passed"] + result["two-step"]["prints"]["passed"]:
        say(f"    attack passed: {failure}")
    for failure in turns["failures"] + result["two-step"]["turns"]["failures"]:
        say(f"    not verified: {failure}")


def print_two_step(two_step: dict[str, Any]) -> None:
    turns, printed = two_step["turns"], two_step["prints"]
    say("  ordered two-steps (bursts of 8 frames):")
    why = ", ".join(f"{check} {count}" for check, count in turns["why"].items()) or "none"
    say(
        f"    real two-steps VERIFIED  : {turns['verified']}/{turns['bursts']} "
        f"({turns['verified'] / max(turns['bursts'], 1):.1%}); not verified, by failed "
        f"check: {why}"
    )
    say(
        f"    of them from starts within +/-{CENTRED_START:.2f} of frontal: "
        f"{turns['centred verified']}/{turns['centred bursts']} VERIFIED (the other side is "
        f"the mirror image of the turned photo: a turn from yaw 0, not from the start's yaw)"
    )
    say(f"    wrong order FAILED       : {turns['wrong order caught']}/{turns['bursts']}")
    say(f"    one-way clip FAILED      : {turns['one way caught']}/{turns['one way']}")
    say(
        f"    print swung both ways FAILED: {printed['caught']}/{printed['bursts']} "
        f"({printed['caught'] / max(printed['bursts'], 1):.1%})"
    )


if __name__ == "__main__":
    import os

    default = ROOT.parent / "shared" / "testdata"
    print_liveness(measure_liveness(Path(os.environ.get("TL_TESTDATA", default))))
