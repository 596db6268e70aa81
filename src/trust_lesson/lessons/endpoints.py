from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Query, UploadFile, status

from trust_lesson.auth.dependencies import CurrentUser
from trust_lesson.courses.dependencies import ManagedTerm
from trust_lesson.courses.service import require_managed_term
from trust_lesson.deps import DbDep, NowDep, PageDep
from trust_lesson.errors import Unprocessable
from trust_lesson.evidence.dependencies import SchoolKeysDep
from trust_lesson.lessons import imports, service
from trust_lesson.lessons.dependencies import ManagedLesson, TaughtLesson, VisibleLesson
from trust_lesson.lessons.schemas import (
    ImportRejected,
    LessonCreate,
    LessonRead,
    LessonUpdate,
    in_range,
)
from trust_lesson.lessons.spreadsheet import MAX_BYTES
from trust_lesson.models import Lesson
from trust_lesson.schemas import MAX_ROW_ID

router = APIRouter(prefix="/api/v1", tags=["lessons"])


class LessonFilters:
    """`start` <= planned start < `end` (a datetime without offset is read as UTC)."""

    def __init__(
        self,
        start: datetime | None = None,
        end: datetime | None = None,
        term_id: Annotated[int | None, Query(ge=1, le=MAX_ROW_ID)] = None,
    ) -> None:
        self.start = _as_utc("start", start)
        self.end = _as_utc("end", end)
        self.term_id = term_id


def _as_utc(name: str, moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    try:
        return in_range(moment if moment.tzinfo else moment.replace(tzinfo=UTC))
    except ValueError as error:
        raise Unprocessable(f"{name}: {error}") from None


@router.get("/lessons", response_model=list[LessonRead])
async def list_lessons(
    caller: CurrentUser, db: DbDep, page: PageDep, filters: Annotated[LessonFilters, Depends()]
) -> list[Lesson]:
    lessons = await service.list_visible(
        db=db,
        caller=caller,
        start=filters.start,
        end=filters.end,
        term_id=filters.term_id,
        limit=page.limit,
        offset=page.offset,
    )
    return list(lessons)


@router.post("/lessons", response_model=LessonRead, status_code=status.HTTP_201_CREATED)
async def create_lesson(data: LessonCreate, caller: CurrentUser, db: DbDep, now: NowDep) -> Lesson:
    term = await require_managed_term(db=db, caller=caller, term_id=data.term_id)
    return await service.create(
        db=db, caller=caller, term=term, data=data, now=now, past_allowed=True
    )


@router.get("/lessons/{lesson_id}", response_model=LessonRead)
async def read_lesson(lesson: VisibleLesson) -> Lesson:
    return lesson


@router.patch("/lessons/{lesson_id}", response_model=LessonRead)
async def update_lesson(
    data: LessonUpdate, lesson: ManagedLesson, caller: CurrentUser, db: DbDep, now: NowDep
) -> Lesson:
    return await service.update_lesson(
        db=db, caller=caller, lesson=lesson, data=data, now=now, past_allowed=True
    )


@router.delete("/lessons/{lesson_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_lesson(lesson: ManagedLesson, db: DbDep) -> None:
    await service.delete(db=db, lesson=lesson)


@router.post("/lessons/{lesson_id}/start", response_model=LessonRead)
async def start_lesson(lesson: TaughtLesson, db: DbDep, now: NowDep) -> Lesson:
    return await service.start(db=db, lesson=lesson, now=now)


@router.post("/lessons/{lesson_id}/stop", response_model=LessonRead)
async def stop_lesson(lesson: TaughtLesson, db: DbDep, now: NowDep, keys: SchoolKeysDep) -> Lesson:
    return await service.stop(db=db, lesson=lesson, now=now, keys=keys)


@router.post(
    "/terms/{term_id}/lessons/import",
    response_model=list[LessonRead],
    status_code=status.HTTP_201_CREATED,
    responses={422: {"model": ImportRejected, "description": "problems, each with its row"}},
)
async def import_lessons(
    term: ManagedTerm,
    caller: CurrentUser,
    db: DbDep,
    now: NowDep,
    file: Annotated[UploadFile, File(description="an .xlsx workbook, at most 2 MB")],
    timezone: Annotated[str, Form(max_length=64, description="IANA name")] = "UTC",
) -> list[Lesson]:
    content = await file.read(MAX_BYTES + 1)
    return await imports.import_lessons(
        db=db, caller=caller, term=term, content=content, timezone=timezone, now=now,
        past_allowed=True,
    )  # fmt: skip
