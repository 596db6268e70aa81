"""Database side of the capacity bench: face templates for the simulated students, and the
exactly-once checks read from the rows themselves (the database is the truth)."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import sqlalchemy as sa
from sqlalchemy.orm import Session

from trust_lesson.biometrics.service import CONSENT_TEXT, embedding_bytes
from trust_lesson.db import create_engine, create_session_factory, transaction
from trust_lesson.models import BiometricConsent, Capture, CaptureStatus, Challenge, FaceTemplate

JUDGED = re.compile(r"capture (\d+) judged")
TROUBLE = re.compile(r"^\d\d:\d\d:\d\d (WARNING|ERROR|CRITICAL) +(.*)$")
"""A warning or error line of the services' plain log (the bench starts them with plain logs)."""


def sync_url(url: str) -> str:
    return url.replace("+aiosqlite", "").replace("+asyncpg", "+psycopg")


async def add_faces(url: str, faces: dict[int, list[np.ndarray]]) -> None:
    """Consent and face templates, written as an enrolment would (the bench measures lessons,
    not enrolment: hundreds of enrolments through the API would only slow the set-up)."""
    engine = create_engine(url)
    now = datetime.now(UTC)
    try:
        async with transaction(create_session_factory(engine)) as db:
            for user_id, embeddings in faces.items():
                db.add(
                    BiometricConsent(
                        user_id=user_id,
                        text_version=CONSENT_TEXT.text_version,
                        purpose=CONSENT_TEXT.purpose,
                        given_at=now,
                        withdrawn_at=None,
                    )
                )
                db.add_all(
                    FaceTemplate(
                        user_id=user_id,
                        embedding=embedding_bytes(embedding),
                        source_sha256="0" * 64,
                        created_at=now,
                    )
                    for embedding in embeddings
                )
    finally:
        await engine.dispose()


@dataclass(frozen=True)
class StepRows:
    """What the rows of one lesson say after the drain."""

    captures: int
    done: int
    latencies_s: tuple[float, ...]
    verdicts: dict[str, int]
    challenges_answered: int
    challenges_with_two_captures: int
    answered_without_capture: int
    timeline: tuple[tuple[float, float, bool], ...] = ()
    """Per verdict: seconds from the lesson's first capture, latency, whether a burst."""
    burst_verdicts: dict[str, int] = field(default_factory=dict)
    """Of ``verdicts``, those of liveness bursts."""

    @property
    def lost(self) -> int:
        return self.captures - self.done


def lesson_rows(url: str, lesson_id: int) -> StepRows:
    engine = sa.create_engine(sync_url(url))
    try:
        with Session(engine) as db:
            return _rows(db, lesson_id)
    finally:
        engine.dispose()


def _latency(row: sa.Row[Any]) -> float:
    return float((_utc(row.analyzed_at) - _utc(row.created_at)).total_seconds())


def _rows(db: Session, lesson_id: int) -> StepRows:
    captures = db.execute(
        sa.select(
            Capture.status,
            Capture.verdict,
            Capture.created_at,
            Capture.analyzed_at,
            Capture.frame_keys,
        ).where(Capture.lesson_id == lesson_id)
    ).all()
    done = [row for row in captures if row.status is CaptureStatus.DONE and row.verdict]
    timed = [row for row in done if row.analyzed_at is not None]
    latencies = tuple(_latency(row) for row in timed)
    start = min((_utc(row.created_at) for row in timed), default=None)
    seen = tuple(
        ((_utc(row.created_at) - start).total_seconds(), _latency(row), row.frame_keys is not None)
        for row in timed
        if start is not None
    )
    per_challenge = (
        sa.select(Capture.challenge_id)
        .where(Capture.lesson_id == lesson_id)
        .group_by(Capture.challenge_id)
        .having(sa.func.count() > 1)
    )
    answered = sa.select(sa.func.count()).where(
        Challenge.lesson_id == lesson_id, Challenge.status == "ANSWERED"
    )
    orphan = answered.where(~sa.exists().where(Capture.challenge_id == Challenge.id))
    return StepRows(
        captures=len(captures),
        done=len(done),
        latencies_s=latencies,
        timeline=seen,
        verdicts=dict(Counter(str(row.verdict.value) for row in done)),
        burst_verdicts=dict(
            Counter(str(row.verdict.value) for row in done if row.frame_keys is not None)
        ),
        challenges_answered=int(db.execute(answered).scalar_one()),
        challenges_with_two_captures=len(db.execute(per_challenge).all()),
        answered_without_capture=int(db.execute(orphan).scalar_one()),
    )


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def pending_count(url: str, lesson_id: int) -> int:
    engine = sa.create_engine(sync_url(url))
    try:
        with Session(engine) as db:
            query = sa.select(sa.func.count()).where(
                Capture.lesson_id == lesson_id, Capture.status != CaptureStatus.DONE
            )
            return int(db.execute(query).scalar_one())
    finally:
        engine.dispose()


def verdicts_written_twice(logs: list[Path], capture_ids: set[int]) -> int:
    """Captures of ``capture_ids`` whose verdict the worker's log says it wrote twice or more."""
    seen: Counter[int] = Counter()
    for log in logs:
        if log.exists():
            seen.update(int(n) for n in JUDGED.findall(log.read_text(errors="replace")))
    return sum(1 for capture_id, count in seen.items() if count > 1 and capture_id in capture_ids)


def log_sizes(logs: list[Path]) -> dict[Path, int]:
    """Where each log ends now, so a step reads only its own lines."""
    return {log: log.stat().st_size if log.exists() else 0 for log in logs}


def troubles_since(sizes: dict[Path, int]) -> dict[str, int]:
    """The warnings and errors the services logged since ``sizes``, counted by what they say
    (request ids, tracebacks and numbers left out): the cause of a step's 503s, for one."""
    seen: Counter[str] = Counter()
    for log, start in sizes.items():
        if not log.exists():
            continue
        with log.open("rb") as lines:
            lines.seek(start)
            for raw in lines:
                found = TROUBLE.match(raw.decode(errors="replace").rstrip())
                if found:
                    seen[f"{log.stem} {found[1]} {_gist(found[2])}"] += 1
    return dict(seen.most_common())


def _gist(message: str) -> str:
    message = message.split(" | ", 1)[0]
    message = re.sub(r" \[[^\]]*\]$", "", message)
    message = re.sub(r" \(Background on this error at: [^)]*\)", "", message)
    return re.sub(r"\d+(\.\d+)?", "N", message)[:120]
