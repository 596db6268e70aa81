"""Reviewers' pages: the open review items and appeals, one capture with its picture (or every
frame of a liveness burst, with what was asked and what was measured), the override, and the
answer to an appeal."""

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Path, Request
from starlette.responses import RedirectResponse, Response

from trust_lesson.attendance import appeals, bursts, pictures, reviews
from trust_lesson.attendance.dependencies import AnswerableAppeal, ReviewableCapture
from trust_lesson.attendance.schemas import NOT_A_REVIEW, REASON_MAX, AppealAnswer, ReviewCreate
from trust_lesson.deps import DbDep, NowDep, RuntimeDep
from trust_lesson.errors import DomainError
from trust_lesson.models import AppealOutcome, User
from trust_lesson.presence.verdicts import Verdict
from trust_lesson.web.dependencies import StaffViewer
from trust_lesson.web.forms import FormProblems, parse_form, problems_of
from trust_lesson.web.paging import PageRequest, page_of, page_request_named
from trust_lesson.web.templating import render

router = APIRouter(include_in_schema=False)
REVIEW_VERDICTS = [verdict for verdict in Verdict if verdict not in NOT_A_REVIEW]
# The queue's two long lists, each paged on its own.
PicturesPage = Annotated[PageRequest, Depends(page_request_named("pictures_page"))]
AppealsPage = Annotated[PageRequest, Depends(page_request_named("appeals_page"))]


@dataclass(frozen=True)
class AppealForm:
    """An answer to an appeal that was refused: what was sent and why it was refused."""

    appeal_id: int
    posted: dict[str, str]
    problems: dict[str, str]


@router.get("/reviews")
async def review_queue(
    request: Request,
    viewer: StaffViewer,
    db: DbDep,
    pictures_page: PicturesPage,
    appeals_page: AppealsPage,
) -> Response:
    return await _review_queue(
        request, viewer.user, viewer.csrf, db, pictures_page=pictures_page,
        appeals_page=appeals_page,
    )  # fmt: skip


async def _review_queue(
    request: Request,
    user: User,
    csrf: str,
    db: DbDep,
    *,
    pictures_page: PageRequest = PageRequest(1),
    appeals_page: PageRequest = PageRequest(1),
    refused: AppealForm | None = None,
    status_code: int = 200,
) -> Response:
    """`refused`: an answer to an appeal that was refused, shown again beside that appeal."""
    items = await reviews.open_items(
        db=db, caller=user, limit=pictures_page.fetch, offset=pictures_page.offset
    )
    to_answer = await appeals.to_answer(
        db=db, caller=user, limit=appeals_page.fetch, offset=appeals_page.offset
    )
    return render(
        request,
        "attendance/reviews.html",
        user=user,
        csrf=csrf,
        status_code=status_code,
        items=page_of(items, pictures_page),
        verdicts=REVIEW_VERDICTS,
        appeals=page_of(to_answer, appeals_page),
        outcomes=list(AppealOutcome),
        refused=refused,
        reason_max=REASON_MAX,
    )


@router.post("/appeals/{appeal_id}/answer")
async def answer_appeal(
    request: Request,
    viewer: StaffViewer,
    appeal: AnswerableAppeal,
    db: DbDep,
    now: NowDep,
    outcome: Annotated[str, Form(max_length=40)] = "",
    reply: Annotated[str, Form(max_length=REASON_MAX + 1)] = "",
) -> Response:
    try:
        data = parse_form(AppealAnswer, {"outcome": outcome, "reply": reply})
        await appeals.answer(db=db, appeal=appeal, reviewer=viewer.user, data=data, now=now)
    except (FormProblems, DomainError) as error:
        problems = problems_of(error)
        refused = AppealForm(appeal.id, {"outcome": outcome, "reply": reply}, problems)
        return await _review_queue(
            request, viewer.user, viewer.csrf, db, refused=refused,
            status_code=error.status_code if isinstance(error, DomainError) else 422,
        )  # fmt: skip
    return RedirectResponse("/reviews#appeals", status_code=303)


@router.get("/captures/{capture_id}")
async def capture_page(
    request: Request, viewer: StaffViewer, target: ReviewableCapture, db: DbDep
) -> Response:
    return await _capture_page(request, viewer.user, viewer.csrf, target, db, problems={})


async def _capture_page(
    request: Request,
    user: User,
    csrf: str,
    target: ReviewableCapture,
    db: DbDep,
    *,
    problems: dict[str, str],
    posted: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    """`posted`: what a refused review form sent, shown again so no typed reason is lost."""
    capture, lesson = target
    student = await db.get_one(User, capture.user_id)
    return render(
        request,
        "attendance/capture.html",
        user=user,
        csrf=csrf,
        status_code=status_code,
        capture=capture,
        lesson=lesson,
        student=student,
        burst=await bursts.burst_of(db=db, capture=capture),
        history=await reviews.capture_reviews(db=db, capture=capture),
        verdicts=REVIEW_VERDICTS,
        problems=problems,
        posted=posted or {},
        reason_max=REASON_MAX,
    )


@router.get("/captures/{capture_id}/picture")
async def capture_picture(
    viewer: StaffViewer, target: ReviewableCapture, runtime: RuntimeDep
) -> Response:
    """Only to those who may review it (else 403/404), re-encoded so no metadata leaves."""
    picture = await pictures.review_picture(blobs=runtime.blobs, capture=target[0])
    return _private_jpeg(picture)


@router.get("/captures/{capture_id}/frames/{number}")
async def capture_frame(
    viewer: StaffViewer,
    target: ReviewableCapture,
    db: DbDep,
    runtime: RuntimeDep,
    number: Annotated[int, Path(description="1-based, in the order the frames were taken")],
) -> Response:
    """One frame of a liveness burst, to those who may review it, as `/picture` serves it."""
    capture = target[0]
    burst = await bursts.burst_of(db=db, capture=capture)
    frame = await pictures.review_frame(
        blobs=runtime.blobs, capture=capture, burst=burst, number=number
    )
    return _private_jpeg(frame)


def _private_jpeg(picture: bytes) -> Response:
    """A student's picture: never kept by a browser or proxy cache."""
    return Response(picture, media_type="image/jpeg", headers={"Cache-Control": "no-store"})


@router.post("/captures/{capture_id}/review")
async def review_capture(
    request: Request,
    viewer: StaffViewer,
    target: ReviewableCapture,
    db: DbDep,
    now: NowDep,
    decision: Annotated[str, Form(max_length=40)] = "",
    reason: Annotated[str, Form(max_length=REASON_MAX + 1)] = "",
    back: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    capture, lesson = target
    try:
        data = parse_form(ReviewCreate, {"decision": decision, "reason": reason})
        await reviews.review(
            db=db, capture=capture, lesson=lesson, reviewer=viewer.user, data=data, now=now
        )
    except (FormProblems, DomainError) as error:
        problems = problems_of(error)
        posted = {"decision": decision, "reason": reason}
        return await _capture_page(
            request, viewer.user, viewer.csrf, target, db, problems=problems, posted=posted,
            status_code=error.status_code if isinstance(error, DomainError) else 422,
        )  # fmt: skip
    target_page = "/reviews" if back == "queue" else f"/captures/{capture.id}"
    return RedirectResponse(target_page, status_code=303)
