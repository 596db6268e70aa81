"""`trust-lesson evidence verify`: recompute the whole log and check every signed checkpoint.

Each entry carries its own index inside its canonical JSON and its leaf hash beside it, so a
changed, deleted, inserted or moved row is named by index. An entry changed together with a
recomputed leaf hash no longer gives the roots the school signed: the first checkpoint it
breaks names the range of entries it lies in.
"""

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import rfc8785
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from trust_lesson.clock import utc_now
from trust_lesson.db import create_engine, create_session_factory, transaction
from trust_lesson.evidence import checkpoint, merkle
from trust_lesson.evidence.keys import PublishedKeys
from trust_lesson.models import (
    EvidenceCheckpoint,
    EvidenceEntry,
    EvidenceLogHead,
    EvidenceVerification,
)
from trust_lesson.settings import Settings


@dataclass(frozen=True, slots=True)
class Problem:
    index: int | None
    message: str

    def __str__(self) -> str:
        return f"entry {self.index}: {self.message}" if self.index is not None else self.message


@dataclass
class LogReport:
    entries: int = 0
    checkpoints: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return not self.problems


async def verify_log(db: AsyncSession, keys: PublishedKeys) -> LogReport:
    report = LogReport()
    signed = await _signed_heads(db, keys, report)
    tree, previous_index = merkle.TreeBuilder(), -1
    last_good = _compare(tree, signed, 0, report)
    rows = await db.stream(select(EvidenceEntry).order_by(EvidenceEntry.index))
    async for entry in rows.scalars():
        if entry.index != tree.size:
            report.problems.append(_gap(tree.size, entry.index))
        content = entry.entry.encode()
        previous_index = _check_entry(entry, content, previous_index, report)
        tree.append(merkle.leaf_hash(content))
        report.entries += 1
        last_good = _compare(tree, signed, last_good, report)
    _check_sizes(report, signed, await db.scalar(select(EvidenceLogHead.size)))
    return report


def _compare(
    tree: merkle.TreeBuilder, signed: dict[int, list[bytes]], last_good: int, report: LogReport
) -> int:
    """Checks the signed roots of this size; returns the largest size known good so far."""
    for root in signed.get(tree.size, []):
        if root == tree.root():
            last_good = tree.size
        else:
            report.problems.append(_broken_checkpoint(last_good, tree.size))
    return last_good


def _check_entry(entry: EvidenceEntry, content: bytes, previous: int, report: LogReport) -> int:
    """Checks one row; returns the index its JSON claims (or the row's, if unreadable)."""
    problems = report.problems
    try:
        document: Any = json.loads(content)
        canonical = rfc8785.dumps(document) == content
        claimed = document["index"] if isinstance(document, dict) else None
    except (ValueError, rfc8785.CanonicalizationError):
        problems.append(Problem(entry.index, "edited: the entry is no longer canonical JSON"))
        return entry.index
    if not canonical or not isinstance(claimed, int):
        problems.append(Problem(entry.index, "edited: the entry is no longer canonical JSON"))
        return entry.index
    if claimed == previous:
        problems.append(Problem(claimed, "appears twice: an entry was inserted after it"))
    elif claimed != entry.index:
        problems.append(
            Problem(entry.index, f"holds entry {claimed}: an entry was deleted, inserted or moved")
        )
    if merkle.leaf_hash(content) != entry.leaf_hash:
        problems.append(Problem(entry.index, "edited: its content no longer gives its leaf hash"))
    return claimed


def _gap(expected: int, found: int) -> Problem:
    if found > expected:
        return Problem(expected, f"deleted (the next entry in the table is {found})")
    return Problem(found, "stored out of order")


def _broken_checkpoint(last_good: int, size: int) -> Problem:
    return Problem(
        last_good if size - last_good == 1 else None,
        f"the checkpoint of size {size} no longer matches: an entry between {last_good} and "
        f"{size - 1} was changed",
    )


async def _signed_heads(
    db: AsyncSession, keys: PublishedKeys, report: LogReport
) -> dict[int, list[bytes]]:
    """Every checkpoint whose signature verifies, by size; the others are reported."""
    heads: dict[int, list[bytes]] = {}
    for row in await db.scalars(select(EvidenceCheckpoint).order_by(EvidenceCheckpoint.size)):
        report.checkpoints += 1
        try:
            head = checkpoint.open_checkpoint(row.note, keys.trusted())
        except checkpoint.NoteError as error:
            report.problems.append(Problem(None, f"checkpoint {row.id}: {error}"))
            continue
        if head.origin != keys.origin or (head.size, head.root) != (row.size, row.root):
            report.problems.append(Problem(None, f"checkpoint {row.id}: edited beside its note"))
        heads.setdefault(head.size, []).append(head.root)
    return heads


def _check_sizes(report: LogReport, signed: dict[int, list[bytes]], head_size: int | None) -> None:
    largest = max(signed, default=0)
    if largest > report.entries:
        report.problems.append(
            Problem(report.entries, f"deleted: a checkpoint covers {largest} entries")
        )
    if (head_size or 0) != report.entries:
        index = min(head_size or 0, report.entries)
        report.problems.append(
            Problem(
                index,
                f"the log head counts {head_size or 0} entries, the table holds "
                f"{report.entries}: an entry was deleted or inserted",
            )
        )


async def record_run(db: AsyncSession, report: LogReport, *, now: datetime) -> None:
    """Keeps the outcome of a whole-log check for the administrator's status page."""
    db.add(
        EvidenceVerification(
            ran_at=now,
            valid=report.valid,
            entries=report.entries,
            checkpoints=report.checkpoints,
            problems=len(report.problems),
            first_problem=str(report.problems[0]) if report.problems else None,
        )
    )
    await db.flush()


async def verify_and_record(
    session_factory: async_sessionmaker[AsyncSession], keys: PublishedKeys, *, now: datetime
) -> LogReport:
    """The whole check in one read-only transaction, then its outcome kept in another."""
    async with transaction(session_factory) as db:
        report = await verify_log(db, keys)
    async with transaction(session_factory) as db:
        await record_run(db, report, now=now)
    return report


async def run_verify(settings: Settings, keys: PublishedKeys) -> LogReport:
    """The whole check, recorded, for the command line."""
    engine = create_engine(settings.resolved_database_url)
    try:
        return await verify_and_record(create_session_factory(engine), keys, now=utc_now())
    finally:
        await engine.dispose()
