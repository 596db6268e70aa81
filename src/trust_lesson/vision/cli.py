"""`trust-lesson vision ...`: try the vision engine on picture files, offline.

Registered in ``trust_lesson.cli`` as ``app.add_typer(vision_app, name="vision")``. The
``document`` command lives next to ``check`` (added by the identity-documents module).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import numpy as np
import typer

from trust_lesson.vision.capture import CaptureAnalysis, analyze_capture
from trust_lesson.vision.decode import decode_image
from trust_lesson.vision.document.cli import document
from trust_lesson.vision.errors import VisionError
from trust_lesson.vision.faces import largest_face_embedding

vision_app = typer.Typer(help="Face and document checks on picture files.", no_args_is_help=True)

EXIT_REFUSED = 2


@vision_app.callback()
def vision() -> None:
    """Face and document checks on picture files (offline, models from site-packages)."""


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


def summary(path: Path, result: CaptureAnalysis) -> str:
    """A readable account of one analysis."""
    score = "-" if result.similarity is None else f"{result.similarity:.1f} / 100"
    problems = ", ".join(result.quality.problems) or "none"
    lines = [
        f"{path}  ({result.width} x {result.height})",
        f"  verdict     : {result.verdict.value}",
        f"  reasons     : {'; '.join(result.reasons)}",
        f"  faces       : {result.faces}",
        f"  similarity  : {score}",
        f"  quality     : brightness {result.quality.brightness:.0f}, problems: {problems}",
        f"  phash       : {result.phash}",
    ]
    return "\n".join(lines)


@vision_app.command()
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
    if as_json:
        typer.echo(json.dumps(result.as_dict(), indent=2))
    else:
        typer.echo(summary(image, result))


vision_app.command("document")(document)
