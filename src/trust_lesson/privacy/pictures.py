"""Pictures let go of: deleted from the blob store after the commit that let go of them.

The transaction that stops pointing at a stored picture (a purge, an account deletion) writes
its key to the ``blob_deletions`` outbox; after the commit the blobs are deleted and their
outbox rows with them. A key left behind (the store was down, the process stopped) is deleted
by the next retention sweep, so no picture outlives the row that let go of it on disk, and a
rolled-back transaction deletes nothing.
"""

import logging
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from trust_lesson.db import after_commit, transaction
from trust_lesson.models import BlobDeletion
from trust_lesson.storage.blobs import BlobStore, BlobStoreUnavailable

BATCH = 500
log = logging.getLogger("trust_lesson.privacy")


async def let_go(db: AsyncSession, *, keys: Sequence[str], now: datetime, blobs: BlobStore) -> None:
    """Queue the keys for deletion in the caller's transaction; delete them after its commit."""
    if not keys:
        return
    dialect = db.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    rows = [{"key": key, "requested_at": now} for key in keys]
    await db.execute(insert(BlobDeletion).values(rows).on_conflict_do_nothing())
    engine = db.bind
    queued = list(keys)

    async def delete_now() -> None:
        await delete_queued(async_sessionmaker(engine, expire_on_commit=False), blobs, queued)

    after_commit(db, delete_now)


async def delete_queued(
    factory: async_sessionmaker[AsyncSession], blobs: BlobStore, keys: Sequence[str] | None = None
) -> int:
    """Delete queued blobs (the given keys, or the oldest queued) and their rows; how many."""
    async with transaction(factory) as db:
        query = select(BlobDeletion.key).order_by(BlobDeletion.requested_at).limit(BATCH)
        if keys is not None:
            query = query.where(BlobDeletion.key.in_(keys))
        queued = list((await db.execute(query)).scalars())
    deleted = []
    for key in queued:
        try:
            await blobs.delete(key)
        except BlobStoreUnavailable:
            log.warning(
                "the blob store is down: %s picture(s) wait for the next sweep", len(queued)
            )
            break
        deleted.append(key)
    if deleted:
        async with transaction(factory) as db:
            await db.execute(delete(BlobDeletion).where(BlobDeletion.key.in_(deleted)))
    return len(deleted)
