"""Certificates as files, for the command line: the signed JSON, its PDF and keys.json."""

import asyncio
import json
from pathlib import Path
from typing import Any

from sqlalchemy import select

from trust_lesson.clock import utc_now
from trust_lesson.db import create_engine, create_session_factory, transaction
from trust_lesson.evidence import service
from trust_lesson.evidence.certificate_pdf import render_pdf
from trust_lesson.evidence.certificates import credential_address, lesson_certificate
from trust_lesson.evidence.keys import SchoolKeys, load_school_keys
from trust_lesson.models import AttendanceDecision
from trust_lesson.settings import Settings


async def run_issue(
    settings: Settings,
    keys: SchoolKeys,
    *,
    student_id: int,
    lesson_id: int | None = None,
    term_id: int | None = None,
) -> dict[str, Any]:
    """The certificate of a lesson or a term, in a transaction of its own."""
    engine = create_engine(settings.resolved_database_url)
    try:
        async with transaction(create_session_factory(engine)) as db:
            return await service.certificate(
                db, keys=keys, public_url=settings.public_url, student_id=student_id,
                lesson_id=lesson_id, term_id=term_id, now=utc_now(),
            )  # fmt: skip
    finally:
        await engine.dispose()


def write_certificate(document: dict[str, Any], json_path: Path, *, public_url: str) -> Path:
    """The certificate as JSON at `json_path` and as PDF beside it; the PDF's path."""
    json_path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    pdf_path = json_path.with_suffix(".pdf")
    address = credential_address(public_url, document["id"])
    pdf_path.write_bytes(render_pdf(document, address=address))
    return pdf_path


def write_lesson_certificates(settings: Settings, *, lesson_id: int, out: Path) -> list[Path]:
    """Every decided student's certificate of the lesson (JSON and PDF), and the school's
    keys.json, in `out`; the JSON files' paths."""
    keys = load_school_keys(settings, now=utc_now())
    documents = asyncio.run(_lesson_certificates(settings, keys, lesson_id))
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for student_id, document in documents:
        path = out / f"certificate-lesson{lesson_id}-student{student_id}.json"
        write_certificate(document, path, public_url=settings.public_url)
        written.append(path)
    (out / "keys.json").write_text(json.dumps(keys.public.document(), indent=2) + "\n")
    return written


async def _lesson_certificates(
    settings: Settings, keys: SchoolKeys, lesson_id: int
) -> list[tuple[int, dict[str, Any]]]:
    engine = create_engine(settings.resolved_database_url)
    try:
        async with transaction(create_session_factory(engine)) as db:
            query = select(AttendanceDecision.user_id).where(
                AttendanceDecision.lesson_id == lesson_id
            )
            return [
                (student_id, await lesson_certificate(
                    db, keys=keys, public_url=settings.public_url, lesson_id=lesson_id,
                    student_id=student_id, now=utc_now(),
                ))
                for student_id in sorted(set(await db.scalars(query)))
            ]  # fmt: skip
    finally:
        await engine.dispose()
