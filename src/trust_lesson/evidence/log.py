"""Appending to the evidence log, inside the transaction of the event it records, and
writing signed checkpoints of it.

Appending first bumps the single log-head row (an upsert that takes its row lock on
PostgreSQL; SQLite lets one writer at a time anyway). Every other appender waits on that row
until this transaction ends, so entries get consecutive indexes in commit order and a rolled
back event leaves no entry and no gap. Keep the append the last write of a transaction: the
head row stays locked until the commit.
"""

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

import rfc8785
import sqlalchemy as sa
from sqlalchemy import Select, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from trust_lesson.clock import utc_now
from trust_lesson.db import create_engine, create_session_factory, transaction
from trust_lesson.evidence import checkpoint, merkle
from trust_lesson.evidence.keys import SchoolKeys
from trust_lesson.logs import client_address_var
from trust_lesson.models import EvidenceCheckpoint, EvidenceEntry, EvidenceLogHead, EvidenceNode
from trust_lesson.settings import Settings

HEAD_ID = 1
NODE_BATCH = 20_000


class EvidenceKind(StrEnum):
    CAPTURE_RECEIVED = "capture.received"
    CAPTURE_JUDGED = "capture.judged"
    CAPTURE_REVIEWED = "capture.reviewed"
    ATTENDANCE_DECIDED = "attendance.decided"
    APPEAL_FILED = "appeal.filed"
    APPEAL_ANSWERED = "appeal.answered"
    IDENTITY_JUDGED = "identity.judged"
    IDENTITY_REVIEWED = "identity.reviewed"
    CONSENT_GIVEN = "consent.given"
    CONSENT_WITHDRAWN = "consent.withdrawn"
    CERTIFICATE_ISSUED = "certificate.issued"
    CERTIFICATE_REVOKED = "certificate.revoked"
    ACCOUNT_DELETED = "account.deleted"
    DATA_PURGED = "data.purged"


class LogBrokenError(RuntimeError):
    """The stored log has a hole; no checkpoint is signed over it."""


def utc_text(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def entry_bytes(
    *,
    index: int,
    kind: str,
    time: datetime,
    actor_id: int | None,
    address: str | None,
    data: Mapping[str, Any],
) -> bytes:
    """The entry as the log hashes it: RFC 8785 canonical JSON, its own index included."""
    return rfc8785.dumps(
        {
            "index": index,
            "type": kind,
            "time": utc_text(time),
            "actor": actor_id,
            "address": address,
            "data": dict(data),
        }
    )


async def append(
    db: AsyncSession,
    kind: EvidenceKind,
    *,
    now: datetime,
    actor_id: int | None,
    data: Mapping[str, Any],
) -> int:
    """Record one event in the caller's transaction (flushes, never commits); its index."""
    size: int = (await db.execute(_bump_head(db))).scalar_one()
    index = size - 1
    content = entry_bytes(
        index=index,
        kind=kind,
        time=now,
        actor_id=actor_id,
        address=client_address_var.get(),
        data=data,
    )
    await db.execute(
        sa.insert(EvidenceEntry).values(
            index=index,
            kind=kind,
            recorded_at=now,
            entry=content.decode(),
            leaf_hash=merkle.leaf_hash(content),
        )
    )  # a Core insert: no unit-of-work flush on the path of every event
    return index


def _insert(db: AsyncSession, table: Any) -> Any:
    """An INSERT that can say ON CONFLICT, on PostgreSQL or SQLite."""
    dialect = db.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)


def _bump_head(db: AsyncSession) -> Any:
    statement = _insert(db, EvidenceLogHead).values(id=HEAD_ID, size=1)
    return statement.on_conflict_do_update(
        index_elements=[EvidenceLogHead.id], set_={"size": EvidenceLogHead.size + 1}
    ).returning(EvidenceLogHead.size)


async def latest_checkpoint(db: AsyncSession) -> EvidenceCheckpoint | None:
    query = select(EvidenceCheckpoint).order_by(
        EvidenceCheckpoint.size.desc(), EvidenceCheckpoint.id.desc()
    )
    return (await db.scalars(query.limit(1))).first()


async def leaf_hashes(db: AsyncSession, *, start: int = 0, end: int | None = None) -> list[bytes]:
    """The stored leaf hashes from `start` (to `end`); committed entries form a gapless prefix."""
    query = select(EvidenceEntry.index, EvidenceEntry.leaf_hash).where(EvidenceEntry.index >= start)
    if end is not None:
        query = query.where(EvidenceEntry.index < end)
    rows = await db.execute(query.order_by(EvidenceEntry.index))
    hashes = []
    for position, (index, leaf) in enumerate(rows, start=start):
        if index != position:
            raise LogBrokenError(f"entry {position} is missing from the log")
        hashes.append(leaf)
    return hashes


async def inclusion_proof(db: AsyncSession, index: int, size: int) -> list[bytes]:
    """RFC 6962 PATH(index, D[size]) from the stored subtree hashes: O(log size) rows read.

    Subtrees no checkpoint has stored yet (a log signed before the nodes were kept) are
    computed from their leaves."""
    plan = merkle.inclusion_plan(index, size)
    known = await _node_hashes(db, {node for part in plan for node in part})
    return [merkle.fold([known[node] for node in part]) for part in plan]


def stored_nodes(nodes: Iterable[merkle.Node]) -> Select[int, int, bytes]:
    """The stored subtree hashes of ``nodes``, one primary-key seek each. Written as ORs of
    equalities: SQLite scans the whole table for ``(level, position) IN (VALUES ...)``."""
    return select(EvidenceNode.level, EvidenceNode.position, EvidenceNode.hash).where(
        sa.or_(*((EvidenceNode.level == lv) & (EvidenceNode.position == p) for lv, p in nodes))
    )


async def _node_hashes(db: AsyncSession, wanted: set[merkle.Node]) -> dict[merkle.Node, bytes]:
    leaves = [position for level, position in wanted if level == 0]
    inner = [node for node in wanted if node[0] > 0]
    known: dict[merkle.Node, bytes] = {}
    if leaves:
        query = select(EvidenceEntry.index, EvidenceEntry.leaf_hash)
        for index, leaf in await db.execute(query.where(EvidenceEntry.index.in_(leaves))):
            known[(0, index)] = leaf
    if inner:
        for level, position, node in await db.execute(stored_nodes(inner)):
            known[(level, position)] = node
    for level, position in wanted - known.keys():
        start = position << level
        hashes = await leaf_hashes(db, start=start, end=start + (1 << level))
        if len(hashes) != 1 << level:
            raise LogBrokenError(f"entries {start} to {start + (1 << level) - 1} are not all there")
        known[(level, position)] = merkle.root_hash(hashes)
    return known


async def write_checkpoint(
    db: AsyncSession, *, keys: SchoolKeys, now: datetime
) -> EvidenceCheckpoint | None:
    """Sign the log's tree head, unless nothing was appended since the last checkpoint.

    The tree grows from the last checkpoint's peaks, so the cost is the new entries only, and
    every checkpoint is consistent with the one before by construction (the log never signs
    over a history someone changed later; `trust-lesson evidence verify` finds such changes).
    """
    last = await latest_checkpoint(db)
    tree = (
        merkle.TreeBuilder() if last is None else merkle.TreeBuilder.resume(last.size, last.peaks)
    )
    new = await leaf_hashes(db, start=tree.size)
    if last is not None and not new:
        return None
    nodes = [node for leaf in new for node in tree.append(leaf)]
    for start in range(0, len(nodes), NODE_BATCH):
        batch = nodes[start : start + NODE_BATCH]
        rows = [{"level": lv, "position": p, "hash": h} for lv, p, h in batch]
        await db.execute(_insert(db, EvidenceNode).on_conflict_do_nothing(), rows)
    head = checkpoint.Checkpoint(
        origin=keys.public.origin, size=tree.size, root=tree.root(), signed_at=now
    )
    row = EvidenceCheckpoint(
        size=head.size,
        root=head.root,
        peaks=tree.peaks(),
        key_id=keys.current.key_id,
        signed_at=now,
        note=checkpoint.sign_checkpoint(head, keys.public.origin, keys.signing_key),
    )
    db.add(row)
    await db.flush()
    return row


async def run_checkpoint(settings: Settings, keys: SchoolKeys) -> EvidenceCheckpoint | None:
    """One checkpoint now, in a transaction of its own, for the command line."""
    engine = create_engine(settings.resolved_database_url)
    try:
        async with transaction(create_session_factory(engine)) as db:
            return await write_checkpoint(db, keys=keys, now=utc_now())
    finally:
        await engine.dispose()
