"""Typed dependencies every domain uses: the runtime, the clock and the request's transaction."""

from collections.abc import AsyncIterator
from datetime import datetime
from typing import Annotated

from fastapi import Depends, Path, Query, Request
from sqlalchemy.ext.asyncio import AsyncSession

from trust_lesson.db import transaction
from trust_lesson.errors import Unprocessable
from trust_lesson.runtime import Runtime
from trust_lesson.schemas import MAX_ROW_ID
from trust_lesson.settings import Settings

RowIdPath = Annotated[int, Path(ge=1, le=MAX_ROW_ID)]
"""An id in a URL path: a larger one than the databases hold is a 422."""


# The small dependencies are `async def`: FastAPI runs a plain `def` dependency in its thread
# pool, a thread hop per request for a line of code (the held `challenges/next` of thousands of
# students pays it on every request).
async def get_runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


async def get_settings(runtime: RuntimeDep) -> Settings:
    return runtime.settings


SettingsDep = Annotated[Settings, Depends(get_settings)]


async def get_now(runtime: RuntimeDep) -> datetime:
    return runtime.clock()


NowDep = Annotated[datetime, Depends(get_now)]


async def get_db(runtime: RuntimeDep) -> AsyncIterator[AsyncSession]:
    """The request owns the transaction: commit on success, roll back on any error."""
    async with transaction(runtime.session_factory) as session:
        yield session


# "function": commit before the response is sent, so a failed commit is never answered 2xx.
DbDep = Annotated[AsyncSession, Depends(get_db, scope="function")]


class Page:
    """`limit` and `offset` of a list, the limit capped by ``TL_MAX_PAGE_SIZE`` (R15)."""

    def __init__(
        self,
        settings: SettingsDep,
        limit: Annotated[
            int, Query(ge=1, description="at most TL_MAX_PAGE_SIZE (200 unless configured)")
        ] = 50,
        offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
    ) -> None:
        if limit > settings.max_page_size:
            raise Unprocessable(f"limit: at most {settings.max_page_size} per page.")
        self.limit = limit
        self.offset = offset


PageDep = Annotated[Page, Depends()]


def client_address(request: Request) -> str:
    """The peer's address (a trusted proxy's X-Forwarded-For only when TL_TRUSTED_PROXIES)."""
    return request.client.host if request.client else "unknown"
