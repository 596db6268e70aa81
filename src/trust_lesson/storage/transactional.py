"""Stored objects that follow the request's transaction: no orphan when it rolls back.

A picture is stored before its row is written; if the write fails, or the transaction rolls
back later (e.g. the commit fails), the stored object is deleted again.
"""

import asyncio
import logging
from collections.abc import Iterable

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session, SessionTransaction

from trust_lesson.db import after_commit
from trust_lesson.storage.blobs import BlobStore

log = logging.getLogger("trust_lesson.storage")
_cleanups: set[asyncio.Task[None]] = set()


async def delete_quietly(blobs: BlobStore, keys: Iterable[str]) -> None:
    for key in keys:
        try:
            await blobs.delete(key)
        except Exception:
            log.warning("could not delete an unreferenced picture; the retention purge will")


def delete_on_rollback(db: AsyncSession, blobs: BlobStore, keys: Iterable[str]) -> None:
    """If the request's transaction rolls back after all, delete the stored objects."""
    session = db.sync_session
    held = list(keys)
    settled = False

    def on_rollback(_session: Session, previous: SessionTransaction) -> None:
        nonlocal settled
        if settled or previous.nested:
            return
        settled = True
        task = asyncio.get_running_loop().create_task(delete_quietly(blobs, held))
        _cleanups.add(task)
        task.add_done_callback(_cleanups.discard)

    async def committed() -> None:
        nonlocal settled
        settled = True
        event.remove(session, "after_soft_rollback", on_rollback)

    event.listen(session, "after_soft_rollback", on_rollback)
    after_commit(db, committed)
