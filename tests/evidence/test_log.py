"""The evidence log: appends in the event's transaction, gapless under concurrent writers,
signed checkpoints, and a verifier that names what was changed (SQLite and PostgreSQL)."""

import asyncio
import json
import random
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, text

from trust_lesson.db import transaction
from trust_lesson.evidence import checkpoint, log, merkle
from trust_lesson.evidence.log import EvidenceKind
from trust_lesson.evidence.verify import verify_log
from trust_lesson.logs import client_address_var
from trust_lesson.models import EvidenceCheckpoint, EvidenceEntry, EvidenceNode
from trust_lesson.runtime import Runtime

NOW = datetime(2026, 11, 29, 4, 0, tzinfo=UTC)


async def _record(runtime: Runtime, count: int, *, start: int = 0) -> None:
    for number in range(start, start + count):
        async with transaction(runtime.session_factory) as db:
            await log.append(
                db,
                EvidenceKind.CAPTURE_RECEIVED,
                now=NOW + timedelta(seconds=number),
                actor_id=7,
                data={"capture": number, "sha256": f"{number:064x}"},
            )


async def _checkpoint(runtime: Runtime) -> EvidenceCheckpoint | None:
    async with transaction(runtime.session_factory) as db:
        return await log.write_checkpoint(db, keys=runtime.school_keys, now=NOW)


async def _problems(runtime: Runtime) -> list[str]:
    async with transaction(runtime.session_factory) as db:
        report = await verify_log(db, runtime.school_keys.public)
    return [str(p) for p in report.problems]


async def _sql(runtime: Runtime, *statements: str) -> None:
    async with transaction(runtime.session_factory) as db:
        for statement in statements:
            await db.execute(text(statement.replace(":", "\\:")))  # no bind parameters


async def test_an_entry_is_canonical_json_with_its_index_time_actor_and_address(
    runtime: Runtime,
) -> None:
    token = client_address_var.set("203.0.113.9")
    try:
        await _record(runtime, 2)
    finally:
        client_address_var.reset(token)

    async with transaction(runtime.session_factory) as db:
        entries = list(await db.scalars(select(EvidenceEntry).order_by(EvidenceEntry.index)))
    assert [e.index for e in entries] == [0, 1]
    assert entries[1].entry == (
        '{"actor":7,"address":"203.0.113.9","data":{"capture":1,"sha256":"'
        + f"{1:064x}"
        + '"},"index":1,"time":"2026-11-29T04:00:01Z","type":"capture.received"}'
    )
    assert entries[1].leaf_hash == merkle.leaf_hash(entries[1].entry.encode())


async def test_a_rolled_back_event_leaves_no_entry_and_no_gap(runtime: Runtime) -> None:
    await _record(runtime, 1)
    with pytest.raises(RuntimeError):
        async with transaction(runtime.session_factory) as db:
            await log.append(db, EvidenceKind.CONSENT_GIVEN, now=NOW, actor_id=1, data={})
            raise RuntimeError("the event failed")
    await _record(runtime, 1, start=1)

    async with transaction(runtime.session_factory) as db:
        indexes = list(await db.scalars(select(EvidenceEntry.index)))
    assert sorted(indexes) == [0, 1]


async def test_concurrent_writers_leave_a_gapless_log_in_commit_order(runtime: Runtime) -> None:
    writers, rounds = 8, 5
    chooser = random.Random(11)

    async def writer(number: int) -> list[int]:
        indexes = []
        for turn in range(rounds):
            async with transaction(runtime.session_factory) as db:
                indexes.append(
                    await log.append(
                        db, EvidenceKind.CAPTURE_JUDGED, now=NOW, actor_id=number, data={"t": turn}
                    )
                )
                await asyncio.sleep(chooser.random() / 100)  # hold the head while others wait
        return indexes

    results = await asyncio.gather(*(writer(n) for n in range(writers)))

    everything = sorted(i for indexes in results for i in indexes)
    assert everything == list(range(writers * rounds))
    assert await _checkpoint(runtime) is not None
    assert await _problems(runtime) == []


async def test_a_checkpoint_signs_the_tree_head_once_per_new_size(runtime: Runtime) -> None:
    await _record(runtime, 5)
    first = await _checkpoint(runtime)
    assert first is not None and await _checkpoint(runtime) is None

    keys = runtime.school_keys
    head = checkpoint.open_checkpoint(first.note, keys.public.trusted())
    async with transaction(runtime.session_factory) as db:
        hashes = await log.leaf_hashes(db)
    assert (head.origin, head.size, head.root) == (keys.public.origin, 5, merkle.root_hash(hashes))
    assert first.key_id == keys.current.key_id

    await _record(runtime, 3, start=5)
    second = await _checkpoint(runtime)
    assert second is not None and second.size == 8
    proof = merkle.consistency_proof(hashes + (await _hashes(runtime))[5:], 5)
    assert merkle.verify_consistency(5, 8, first.root, second.root, proof)
    assert await _problems(runtime) == []


async def _hashes(runtime: Runtime) -> list[bytes]:
    async with transaction(runtime.session_factory) as db:
        return await log.leaf_hashes(db)


async def _signed_log(runtime: Runtime, size: int = 6) -> None:
    await _record(runtime, size)
    assert await _checkpoint(runtime) is not None
    assert await _problems(runtime) == []


async def test_an_edited_entry_is_named(runtime: Runtime) -> None:
    await _signed_log(runtime)
    await _sql(
        runtime,
        "UPDATE evidence_entries SET entry = replace(entry, '\"capture\":3', '\"capture\":9') "
        'WHERE "index" = 3',
    )
    assert await _problems(runtime) == [
        "entry 3: edited: its content no longer gives its leaf hash",
        "the checkpoint of size 6 no longer matches: an entry between 0 and 5 was changed",
    ]


async def test_an_entry_edited_with_its_leaf_hash_breaks_the_signed_root(
    runtime: Runtime,
) -> None:
    await _signed_log(runtime, 3)
    await _record(runtime, 1, start=3)
    assert await _checkpoint(runtime) is not None
    async with transaction(runtime.session_factory) as db:
        row = await db.get(EvidenceEntry, 3)
        assert row is not None
        forged = row.entry.replace('"capture":3', '"capture":9')
        row.entry, row.leaf_hash = forged, merkle.leaf_hash(forged.encode())

    assert await _problems(runtime) == [
        "entry 3: the checkpoint of size 4 no longer matches: an entry between 3 and 3 was changed"
    ]


async def test_no_checkpoint_is_signed_over_a_hole(runtime: Runtime) -> None:
    await _signed_log(runtime, 3)
    await _record(runtime, 3, start=3)
    await _sql(runtime, 'DELETE FROM evidence_entries WHERE "index" = 4')
    with pytest.raises(log.LogBrokenError, match="entry 4 is missing"):
        await _checkpoint(runtime)


async def test_a_deleted_entry_is_named(runtime: Runtime) -> None:
    await _signed_log(runtime)
    await _sql(runtime, 'DELETE FROM evidence_entries WHERE "index" = 2')
    problems = await _problems(runtime)
    assert problems[0] == "entry 2: deleted (the next entry in the table is 3)"


async def test_an_entry_inserted_after_the_end_is_named(runtime: Runtime) -> None:
    await _signed_log(runtime)
    async with transaction(runtime.session_factory) as db:
        content = log.entry_bytes(
            index=6, kind="consent.given", time=NOW, actor_id=1, address=None, data={}
        )
        db.add(
            EvidenceEntry(
                index=6,
                kind="consent.given",
                recorded_at=NOW,
                entry=content.decode(),
                leaf_hash=merkle.leaf_hash(content),
            )
        )
    assert await _problems(runtime) == [
        "entry 6: the log head counts 6 entries, the table holds 7: "
        "an entry was deleted or inserted"
    ]


async def test_an_entry_inserted_in_the_middle_is_named(runtime: Runtime) -> None:
    await _signed_log(runtime)
    await _sql(
        runtime,
        'UPDATE evidence_entries SET "index" = -"index" - 1 WHERE "index" >= 2',
        'UPDATE evidence_entries SET "index" = -"index" WHERE "index" < 0',
        'INSERT INTO evidence_entries ("index", kind, recorded_at, entry, leaf_hash) '
        "SELECT 2, kind, recorded_at, entry, leaf_hash FROM evidence_entries "
        'WHERE "index" = 1',
        "UPDATE evidence_log_head SET size = size + 1",
    )
    problems = await _problems(runtime)
    assert problems[0] == "entry 1: appears twice: an entry was inserted after it"


async def test_reordered_entries_are_named(runtime: Runtime) -> None:
    await _signed_log(runtime)
    await _sql(
        runtime,
        'UPDATE evidence_entries SET "index" = 100 WHERE "index" = 1',
        'UPDATE evidence_entries SET "index" = 1 WHERE "index" = 4',
        'UPDATE evidence_entries SET "index" = 4 WHERE "index" = 100',
    )
    problems = await _problems(runtime)
    assert problems[:2] == [
        "entry 1: holds entry 4: an entry was deleted, inserted or moved",
        "entry 4: holds entry 1: an entry was deleted, inserted or moved",
    ]


async def test_an_edited_checkpoint_is_reported(runtime: Runtime) -> None:
    await _signed_log(runtime)
    await _sql(runtime, "UPDATE evidence_checkpoints SET note = replace(note, '\n6\n', '\n5\n')")
    problems = await _problems(runtime)
    assert len(problems) == 1 and "does not verify" in problems[0]


def test_entries_are_json_the_rfc_canonicalises() -> None:
    content = log.entry_bytes(
        index=0, kind="x", time=NOW, actor_id=None, address=None, data={"é": 1.5, "a": [2, 1]}
    )
    assert json.loads(content)["data"] == {"a": [2, 1], "é": 1.5}
    assert content.startswith(b'{"actor":null,"address":null,"data":{"a":[2,1],"\xc3\xa9":1.5}')


async def test_a_deleted_last_entry_is_named(runtime: Runtime) -> None:
    await _signed_log(runtime)
    await _sql(runtime, 'DELETE FROM evidence_entries WHERE "index" = 5')
    assert await _problems(runtime) == [
        "entry 5: deleted: a checkpoint covers 6 entries",
        "entry 5: the log head counts 6 entries, the table holds 5: "
        "an entry was deleted or inserted",
    ]


async def test_inclusion_proofs_from_stored_nodes_are_the_rfc_paths(
    runtime: Runtime,
) -> None:
    await _record(runtime, 13)
    await _checkpoint(runtime)  # stores the subtrees of the first 13 leaves
    await _record(runtime, 9, start=13)
    head = await _checkpoint(runtime)  # grows from the peaks: stores only the new subtrees
    assert head is not None and head.size == 22
    async with transaction(runtime.session_factory) as db:
        leaves = await log.leaf_hashes(db)
        stored = await db.scalar(select(func.count()).select_from(EvidenceNode))
        for index in range(22):
            proof = await log.inclusion_proof(db, index, 22)
            assert proof == merkle.inclusion_proof(leaves, index), index
            assert merkle.verify_inclusion(index, 22, leaves[index], proof, head.root)
    assert stored == 22 - (22).bit_count()  # every perfect subtree above the leaves, once


async def test_a_proof_needs_no_stored_node_a_log_signed_before_nodes_were_kept(
    runtime: Runtime,
) -> None:
    await _record(runtime, 11)
    head = await _checkpoint(runtime)
    assert head is not None
    await _sql(runtime, "DELETE FROM evidence_nodes")

    async with transaction(runtime.session_factory) as db:
        leaves = await log.leaf_hashes(db)
        assert await log.inclusion_proof(db, 6, 11) == merkle.inclusion_proof(leaves, 6)


async def test_a_proof_reads_its_stored_nodes_by_index_never_a_scan(runtime: Runtime) -> None:
    """The plan the database chooses for a proof's node lookup (PostgreSQL told to avoid a
    sequential scan wherever an index can serve: it keeps one only where none can)."""
    wanted = merkle.inclusion_plan(333_333, 1_000_000)
    query = log.stored_nodes([node for part in wanted for node in part if node[0] > 0])
    async with transaction(runtime.session_factory) as db:
        dialect = db.get_bind().dialect
        sql = str(query.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))
        if dialect.name == "sqlite":
            plan = [row[-1] for row in await db.execute(text(f"EXPLAIN QUERY PLAN {sql}"))]
        else:
            await db.execute(text("SET LOCAL enable_seqscan = off"))
            plan = [row[0] for row in await db.execute(text(f"EXPLAIN {sql}"))]

    assert len(wanted) == 20 and plan
    assert not any("SCAN evidence_nodes" in step or "Seq Scan" in step for step in plan), plan
