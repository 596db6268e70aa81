"""How much one person may have stored at once (R19): the sum of their stored pictures' sizes.

A student answers at most `MAX_CHALLENGES` checks per lesson, but with many lessons (or a
school's policy of frequent checks) the pictures of one account could still fill the disk, so
every upload that stores a picture for a person asks `require_room` first. The count is what the
database records (each stored object's size), so it is one indexed query; two uploads racing
may overshoot the quota by one picture each, never by more.
"""

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from trust_lesson.errors import PayloadTooLarge
from trust_lesson.models import Capture

MIB = 1024 * 1024


class StorageQuotaExceeded(PayloadTooLarge):
    code = "storage_quota_exceeded"


async def stored_bytes(db: AsyncSession, *, user_id: int) -> int:
    """The bytes of every picture of this person still in the store."""
    query = select(func.coalesce(func.sum(Capture.size), 0)).where(
        Capture.user_id == user_id, Capture.blob_key.is_not(None)
    )
    return int((await db.execute(query)).scalar_one())


def require_room(*, used: int, adding: int, quota_bytes: int) -> None:
    """Refuses (413) a picture that would take the person past their quota."""
    if used + adding > quota_bytes:
        raise StorageQuotaExceeded(
            f"Your stored pictures have reached the limit of {quota_bytes // MIB} MiB per "
            "person; nothing was stored. Older pictures are deleted on the school's retention "
            "schedule; ask the school if this keeps happening."
        )
