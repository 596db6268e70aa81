"""``trust-lesson vision document IMAGE [--json]``: read an identity document."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from trust_lesson.vision.document.analysis import DocumentAnalysis, analyze_document
from trust_lesson.vision.document.regions import needs_printed_fields
from trust_lesson.vision.errors import VisionError


def document(image: Path, json_output: bool = typer.Option(False, "--json")) -> None:
    """Read the MRZ (with check digits), the labelled fields and the portrait of IMAGE."""
    try:
        data = image.read_bytes()
    except OSError as exc:
        typer.echo(f"Cannot read {image}: {exc.strerror or exc}", err=True)
        raise typer.Exit(2) from None
    try:
        analysis = analyze_document(data)
    except VisionError as exc:
        typer.echo(f"{image}: {exc.message}", err=True)
        raise typer.Exit(2) from None
    if json_output:
        typer.echo(json.dumps(analysis.to_dict(), ensure_ascii=False, indent=2))
    else:
        typer.echo(summary(image.name, analysis))


def summary(name: str, analysis: DocumentAnalysis) -> str:
    """A few readable lines: MRZ verdict, its fields, labelled fields, portrait."""
    lines = [f"{name}:"]
    mrz = analysis.mrz
    if mrz is None:
        lines.append("  MRZ: not found")
    else:
        verdict = "valid" if mrz.valid else "INVALID check digits"
        if mrz.ambiguities:
            verdict = "AMBIGUOUS (more than one reading passes the check digits)"
        lines.append(f"  MRZ {mrz.format}: {verdict}")
        data = mrz.to_dict()
        for key in ("document_type", "document_number", "surname", "given_names", "nationality",
                    "issuing_state", "birth_date", "expiry_date", "sex", "optional_data",
                    "optional_data_2"):  # fmt: skip
            if data[key] is not None:
                lines.append(f"    {key:16} {data[key]}")
        lines.extend(f"    repaired {r}" for r in mrz.repairs)
        lines.extend(
            f"    ambiguous {a.field}: {' or '.join(a.candidates)}" for a in mrz.ambiguities
        )
    for key, found in analysis.fields.items():
        lines.append(f"  field {key:16} {found.value}  ({found.label})")
    if not analysis.fields and mrz is not None and not needs_printed_fields(mrz):
        lines.append("  printed fields: not read (the valid MRZ gives them)")
    portrait = "found" if analysis.portrait_box else "not found"
    lines.append(f"  portrait: {portrait}; {analysis.timings.get('total', 0.0):.2f} s")
    return "\n".join(lines)
