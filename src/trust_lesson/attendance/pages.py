"""Reviewers' pages: the open review items and appeals, one capture with its picture (or every
frame of a liveness burst, with what was asked and what was measured), the override, and the
answer to an appeal."""

from dataclasses import dataclass
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Path, Query, Request
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
from trust_lesson.web.paging import (
    PageField,
    PageRequest,
    page_of,
    page_request_named,
    page_still_there,
)
from trust_lesson.web.templating import render

router = APIRouter(include_in_schema=False)
REVIEW_VERDICTS = [verdict for verdict in Verdict if verdict not in NOT_A_REVIEW]
# The queue's two long lists, each paged on its own.
PicturesPage = Annotated[PageRequest, Depends(page_request_named("pictures_page"))]
AppealsPage = Annotated[PageRequest, Depends(page_request_named("appeals_page"))]


@dataclass(frozen=True)
class QueuePages:
    """The page each list of the queue is on. Every form of the queue sends them back (hidden
    fields), so the reviewer returns to where they were."""

    pictures: PageRequest
    appeals: PageRequest


FIRST_PAGES = QueuePages(PageRequest(1), PageRequest(1))


async def _pages_asked(pictures_page: PicturesPage, appeals_page: AppealsPage) -> QueuePages:
    return QueuePages(pictures_page, appeals_page)


async def _pages_shown(pictures_page: PageField = 1, appeals_page: PageField = 1) -> QueuePages:
    """The pages a form was shown on; a form without them (sent before they were added) was
    on the first pages."""
    return QueuePages(PageRequest(pictures_page), PageRequest(appeals_page))


AskedPages = Annotated[QueuePages, Depends(_pages_asked)]
ShownPages = Annotated[QueuePages, Depends(_pages_shown)]
BACK_HELP = '"queue": opened from the review queue, on its pages pictures_page and appeals_page'


@dataclass(frozen=True)
class AppealForm:
    """An answer to an appeal that was refused: what was sent and why it was refused."""

    appeal_id: int
    posted: dict[str, str]
    problems: dict[str, str]


@dataclass(frozen=True)
class ReviewForm:
    """A review sent from the queue that was refused: what was sent and why it was refused."""

    capture_id: int
    posted: dict[str, str]
    problems: dict[str, str]


@router.get("/reviews")
async def review_queue(
    request: Request, viewer: StaffViewer, db: DbDep, pages: AskedPages
) -> Response:
    return await _review_queue(request, viewer.user, viewer.csrf, db, pages=pages)


async def _review_queue(
    request: Request,
    user: User,
    csrf: str,
    db: DbDep,
    *,
    pages: QueuePages = FIRST_PAGES,
    refused: AppealForm | None = None,
    refused_review: ReviewForm | None = None,
    status_code: int = 200,
) -> Response:
    """`refused` (an answer to an appeal) or `refused_review` (a capture's review): a form
    that was refused, shown again beside its appeal or capture with what was typed."""
    pictures_page, appeals_page = pages.pictures, pages.appeals
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
        refused_review=refused_review,
        reason_max=REASON_MAX,
    )


async def _queue_address(db: DbDep, caller: User, shown: QueuePages, anchor: str = "") -> str:
    """The queue on the pages the reviewer was on; a list that now ends before its page (its
    last item was just settled) on its last page. Page 1 is left out of the address."""
    pictures = await page_still_there(
        shown.pictures, lambda: reviews.open_count(db=db, caller=caller)
    )
    answers = await page_still_there(
        shown.appeals, lambda: appeals.to_answer_count(db=db, caller=caller)
    )
    return queue_link(QueuePages(pictures, answers), anchor)


def queue_link(pages: QueuePages, anchor: str = "") -> str:
    """The queue's address on these pages (page 1 left out)."""
    asked = {
        name: page.number
        for name, page in (("pictures_page", pages.pictures), ("appeals_page", pages.appeals))
        if page.number > 1
    }
    return "/reviews" + (f"?{urlencode(asked)}" if asked else "") + (f"#{anchor}" if anchor else "")


@router.post("/appeals/{appeal_id}/answer")
async def answer_appeal(
    request: Request,
    viewer: StaffViewer,
    appeal: AnswerableAppeal,
    db: DbDep,
    now: NowDep,
    pages: ShownPages,
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
            request, viewer.user, viewer.csrf, db, pages=pages, refused=refused,
            status_code=error.status_code if isinstance(error, DomainError) else 422,
        )  # fmt: skip
    back = await _queue_address(db, viewer.user, pages, anchor="appeals")
    return RedirectResponse(back, status_code=303)


@router.get("/captures/{capture_id}")
async def capture_page(
    request: Request,
    viewer: StaffViewer,
    target: ReviewableCapture,
    db: DbDep,
    pages: AskedPages,
    back: Annotated[str, Query(max_length=10, description=BACK_HELP)] = "",
) -> Response:
    queue = pages if back == "queue" else None
    return await _capture_page(
        request, viewer.user, viewer.csrf, target, db, problems={}, queue=queue
    )


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
    queue: QueuePages | None = None,
) -> Response:
    """`posted`: what a refused review form sent, shown again so no typed reason is lost;
    `queue`: the queue's pages when the check was opened from the queue (its link and the
    review go back there)."""
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
        queue=queue,
        queue_link=None if queue is None else queue_link(queue),
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
    pages: ShownPages,
    decision: Annotated[str, Form(max_length=40)] = "",
    reason: Annotated[str, Form(max_length=REASON_MAX + 1)] = "",
    back: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    """From the queue (`back` is "queue", with the pages it was on) the reviewer goes back to
    the queue and a refused review is shown there again. From the capture's page opened from
    the queue (`back` is "check", with the queue's pages) back to the queue too, a refusal on
    the capture's page; else to the capture's page."""
    capture, lesson = target
    from_queue = back in ("queue", "check")
    try:
        data = parse_form(ReviewCreate, {"decision": decision, "reason": reason})
        await reviews.review(
            db=db, capture=capture, lesson=lesson, reviewer=viewer.user, data=data, now=now
        )
    except (FormProblems, DomainError) as error:
        problems = problems_of(error)
        posted = {"decision": decision, "reason": reason}
        status_code = error.status_code if isinstance(error, DomainError) else 422
        if back == "queue":
            refused = ReviewForm(capture.id, posted, problems)
            return await _review_queue(
                request, viewer.user, viewer.csrf, db, pages=pages, refused_review=refused,
                status_code=status_code,
            )  # fmt: skip
        return await _capture_page(
            request, viewer.user, viewer.csrf, target, db, problems=problems, posted=posted,
            status_code=status_code, queue=pages if back == "check" else None,
        )  # fmt: skip
    if from_queue:
        return RedirectResponse(await _queue_address(db, viewer.user, pages), status_code=303)
    return RedirectResponse(f"/captures/{capture.id}", status_code=303)
