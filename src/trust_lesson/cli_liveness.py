"""`trust-lesson vision liveness`: judge a burst of frames offline.

It sits outside ``trust_lesson.vision`` because the verdict comes from the presence domain's
liveness rule, which the vision library must not import; ``cli.py`` registers it under
``vision``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from trust_lesson.presence.liveness import LivenessJudgement, judge_liveness
from trust_lesson.presence.verdicts import TurnDirection
from trust_lesson.vision.cli import fail, read_picture, reference_embedding
from trust_lesson.vision.errors import VisionError
from trust_lesson.vision.liveness import BurstObservations, observe_burst


def report(burst: BurstObservations, judgement: LivenessJudgement) -> dict[str, object]:
    return {
        "live": judgement.live,
        "verdict": judgement.verdict.value,
        "reasons": list(judgement.reasons),
        "turn": None if judgement.turn is None else round(judgement.turn, 3),
        "steps": judgement.steps_as_dicts(),
        **burst.as_dict(),
    }


def liveness(
    frames: Annotated[list[Path], typer.Argument(help="the burst's frames, in order")],
    direction: Annotated[
        TurnDirection,
        typer.Option(
            case_sensitive=False,
            help="the side the student was asked to turn to, or both sides in order",
        ),
    ],
    reference: Annotated[
        list[Path] | None,
        typer.Option("--reference", "-r", help="enrolment photo of the student (repeatable)"),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
) -> None:
    """Did the person in the frames turn their head as asked (unmirrored frames)?"""
    references = [reference_embedding(path) for path in reference or []]
    pictures = [read_picture(path) for path in frames]
    try:
        burst = observe_burst(pictures, references)
    except VisionError as exc:
        raise fail(exc.message) from exc
    judgement = judge_liveness(burst, direction)
    result = report(burst, judgement)
    if as_json:
        typer.echo(json.dumps(result, indent=2))
        return
    typer.echo(f"verdict : {judgement.verdict.value}")
    typer.echo(f"yaw     : {result['yaw']}")
    for reason in judgement.reasons:
        typer.echo(f"  - {reason}")
