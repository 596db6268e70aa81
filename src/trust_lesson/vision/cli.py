"""`trust-lesson vision ...`: try the vision engine on picture files, offline.

Registered in ``trust_lesson.cli`` as ``app.add_typer(vision_commands(suggest), name="vision")``.
The vision engine gives observations, never a verdict: ``suggest`` (presence's rule with the
default policy, handed in by the top-level command line, since vision imports nothing else of
the project) turns them into the verdict ``check`` shows. The ``document`` command lives next
to ``check`` (added by the identity-documents module).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Annotated

import numpy as np
import typer

from trust_lesson.vision.capture import CaptureAnalysis, analyze_capture
from trust_lesson.vision.decode import decode_image
from trust_lesson.vision.document.cli import document
from trust_lesson.vision.errors import VisionError
from trust_lesson.vision.faces import largest_face_embedding

EXIT_REFUSED = 2
Suggest = Callable[[CaptureAnalysis], tuple[str, Sequence[str]]]
"""The verdict and reasons for what a picture shows."""


def fail(message: str) -> typer.Exit:
    """Print a clear message on stderr; the caller raises the returned Exit (code 2)."""
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(EXIT_REFUSED)


def read_picture(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise fail(f"cannot read {path}: {exc.strerror or exc}") from exc


def reference_embedding(path: Path) -> np.ndarray:
    """The embedding of the biggest face in a reference photo (exit 2 when there is none)."""
    try:
        rgb = decode_image(read_picture(path)).rgb
    except VisionError as exc:
        raise fail(f"{path}: {exc.message}") from exc
    embedding = largest_face_embedding(rgb)
    if embedding is None:
        raise fail(f"{path}: no face found in the reference picture")
    return embedding


def summary(path: Path, result: CaptureAnalysis, verdict: str, reasons: Sequence[str]) -> str:
    """A readable account of one analysis."""
    score = "-" if result.similarity is None else f"{result.similarity:.1f} / 100"
    problems = ", ".join(result.quality.problems) or "none"
    lines = [
        f"{path}  ({result.width} x {result.height})",
        f"  verdict     : {verdict}",
        f"  reasons     : {'; '.join(reasons)}",
        f"  faces       : {result.faces}",
        f"  similarity  : {score}",
        f"  quality     : brightness {result.quality.brightness:.0f}, problems: {problems}",
        f"  phash       : {result.phash}",
    ]
    return "\n".join(lines)


def vision_commands(suggest: Suggest) -> typer.Typer:
    """The `vision` commands, with the rule that turns observations into a verdict."""
    app = typer.Typer(help="Face and document checks on picture files.", no_args_is_help=True)

    @app.callback()
    def vision() -> None:
        """Face and document checks on picture files (offline, models from site-packages)."""

    @app.command()
    def check(
        image: Annotated[Path, typer.Argument(help="picture to check (JPEG, PNG or WebP)")],
        reference: Annotated[
            list[Path] | None,
            typer.Option("--reference", "-r", help="enrolment photo of the student (repeatable)"),
        ] = None,
        previous: Annotated[
            list[str] | None, typer.Option(help="phash of an earlier picture (repeatable)")
        ] = None,
        as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
    ) -> None:
        """Faces, similarity to the reference photos, quality and replay hash of a picture."""
        references = [reference_embedding(path) for path in reference or []]
        try:
            result = analyze_capture(read_picture(image), references, previous or [])
        except VisionError as exc:
            raise fail(f"{image}: {exc.message}") from exc
        verdict, reasons = suggest(result)
        if as_json:
            report = {**result.as_dict(), "verdict": verdict, "reasons": list(reasons)}
            typer.echo(json.dumps(report, indent=2))
        else:
            typer.echo(summary(image, result, verdict, reasons))

    app.command("document")(document)
    return app
