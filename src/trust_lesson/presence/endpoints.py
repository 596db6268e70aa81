"""Live presence over HTTP: join, the challenge due now, capture upload, capture status."""

from typing import Annotated

from fastapi import APIRouter, File, Form, Query, Request, UploadFile, status

from trust_lesson.auth.dependencies import CurrentUser
from trust_lesson.deps import DbDep, NowDep, RowIdPath, RuntimeDep
from trust_lesson.errors import PayloadTooLarge, Unprocessable
from trust_lesson.lessons.dependencies import LessonId
from trust_lesson.models import Capture
from trust_lesson.presence import captures, checks, service, waiting
from trust_lesson.presence.dependencies import StudentLesson
from trust_lesson.presence.schemas import (
    UPLOAD_PROBLEMS,
    CaptureAccepted,
    CaptureRead,
    ChallengeRead,
    JoinRead,
    NextChallengeRead,
    OwnCheckRead,
    problems,
)
from trust_lesson.schemas import MAX_ROW_ID

router = APIRouter(prefix="/api/v1", tags=["presence"])
WAIT_HELP = (
    "hold the request up to this many seconds until a challenge is due or the lesson stops;"
    " 0 answers at once"
)
CaptureId = RowIdPath
MIB = 1024 * 1024
IMAGE_HELP = "an ordinary check's picture: JPEG, PNG or WebP, at most 5 MB"
FRAMES_HELP = (
    f"a liveness check's burst, in order: {captures.MIN_FRAMES} to {captures.MAX_FRAMES} "
    "unmirrored webcam frames, each like `image`"
)


@router.post(
    "/lessons/{lesson_id}/join",
    response_model=JoinRead,
    responses=problems({403: "not a student of this lesson's term", 409: "lesson not running"}),
)
async def join_lesson(
    attended: StudentLesson, caller: CurrentUser, db: DbDep, now: NowDep, runtime: RuntimeDep
) -> JoinRead:
    session, due = await service.join(
        db=db, caller=caller, attended=attended, now=now, rng=runtime.random
    )
    answer = _next_read(due)
    return JoinRead(lesson_id=session.lesson_id, joined_at=session.joined_at, **dict(answer))


@router.get(
    "/lessons/{lesson_id}/challenges/next",
    response_model=NextChallengeRead,
    responses=problems({403: "not a student of this lesson's term", 409: "not joined yet"}),
)
async def next_challenge(
    request: Request,
    lesson_id: LessonId,
    caller: CurrentUser,
    db: DbDep,
    now: NowDep,
    runtime: RuntimeDep,
    wait: Annotated[int, Query(ge=0, le=waiting.LONGEST_WAIT_S, description=WAIT_HELP)] = 0,
) -> NextChallengeRead:
    due = await service.next_challenge(db=db, caller=caller, lesson_id=lesson_id, now=now)
    if due.waiting and wait > 0:
        await db.commit()  # the request's transaction ends here: nothing is held while waiting
        due = await waiting.hold(
            first=due,
            seconds=wait,
            lesson_id=lesson_id,
            user_id=caller.id,
            factory=runtime.session_factory,
            watch=runtime.lesson_watch,
            clock=runtime.clock,
            gone=request.is_disconnected,
        )
    return _next_read(due)


@router.get(
    "/lessons/{lesson_id}/checks",
    response_model=list[OwnCheckRead],
    responses=problems({403: "not a student of this lesson's term"}),
)
async def own_checks(
    attended: StudentLesson, caller: CurrentUser, db: DbDep, now: NowDep
) -> list[checks.OwnCheck]:
    """The caller's checks issued so far in this lesson, each with its verdict (the room's list)."""
    return await checks.own_checks(db=db, lesson_id=attended.lesson.id, user_id=caller.id, now=now)


@router.post(
    "/lessons/{lesson_id}/captures",
    response_model=CaptureAccepted,
    status_code=status.HTTP_202_ACCEPTED,
    responses=UPLOAD_PROBLEMS,
)
async def upload_capture(
    lesson_id: LessonId,
    caller: CurrentUser,
    db: DbDep,
    now: NowDep,
    runtime: RuntimeDep,
    challenge_id: Annotated[int, Form(ge=1, le=MAX_ROW_ID)],
    nonce: Annotated[str, Form(min_length=1, max_length=64)],
    image: Annotated[UploadFile | None, File(description=IMAGE_HELP)] = None,
    frames: Annotated[list[UploadFile] | None, File(description=FRAMES_HELP)] = None,
) -> CaptureAccepted:
    """An ordinary check is answered with one `image`; a liveness check (its challenge carries
    `liveness`) with its burst as repeated `frames` parts, in the order they were taken.
    422: `image` for a liveness check, `frames` for an ordinary one, fewer than 3 or more than
    8 frames, or a damaged picture."""
    if frames is not None and len(frames) > captures.MAX_FRAMES:
        raise Unprocessable(f"At most {captures.MAX_FRAMES} frames are accepted.")
    capture = await captures.accept(
        db=db,
        caller=caller,
        lesson_id=lesson_id,
        challenge_id=challenge_id,
        nonce=nonce,
        picture=None if image is None else await _read_capped(image, "The picture"),
        frames=[await _read_capped(f, f"Frame {n}") for n, f in enumerate(frames or [], 1)],
        blobs=runtime.blobs,
        worker=runtime.worker,
        now=now,
        quota_bytes=runtime.settings.storage_quota_mb * MIB,
    )
    return CaptureAccepted(capture_id=capture.id)


@router.get(
    "/captures/{capture_id}",
    response_model=CaptureRead,
    responses=problems({404: "no such capture, or not the caller's to see"}),
)
async def read_capture(capture_id: CaptureId, caller: CurrentUser, db: DbDep) -> Capture:
    return await service.visible_capture(db=db, caller=caller, capture_id=capture_id)


async def _read_capped(upload: UploadFile, name: str) -> bytes:
    data = await upload.read(captures.MAX_CAPTURE_BYTES + 1)
    if len(data) > captures.MAX_CAPTURE_BYTES:
        raise PayloadTooLarge(f"{name} is larger than {captures.MAX_CAPTURE_BYTES // MIB} MB.")
    return data


def _next_read(due: service.NextChallenge) -> NextChallengeRead:
    challenge = None if due.challenge is None else ChallengeRead.model_validate(due.challenge)
    return NextChallengeRead(
        challenge=challenge,
        next_poll_after=due.next_poll_after,
        retry_after_seconds=due.retry_after_seconds,
    )
