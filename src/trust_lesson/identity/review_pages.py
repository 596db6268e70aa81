"""The reviewers' identity queue: each verification waiting for a person with the document
picture, the fields side by side, the scores, and a decision with a reason.

Scoped like the API (``queue.waiting`` lists through ``reviews.listed``); a decision goes
through ``reviews.decide``, the service of ``POST /api/v1/identity-verifications/{id}/review``.
The pictures are the API's reviewer-only picture route.
"""

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from starlette.responses import RedirectResponse, Response

from trust_lesson.deps import DbDep, NowDep
from trust_lesson.errors import DomainError
from trust_lesson.identity import queue, reviews
from trust_lesson.identity.dependencies import ReviewableVerification
from trust_lesson.identity.schemas import ReviewDecision
from trust_lesson.identity.wording import WORDS
from trust_lesson.web.dependencies import StaffViewer, Viewer
from trust_lesson.web.forms import FormProblems, parse_form, problems_of
from trust_lesson.web.paging import (
    PageField,
    PageRequest,
    PageRequestDep,
    page_of,
    page_still_there,
)
from trust_lesson.web.templating import render

router = APIRouter(include_in_schema=False)
DECISIONS = ("VERIFIED", "REJECTED")
REASON_MAX = 2000


@router.get("/identity-reviews")
async def identity_queue(
    request: Request,
    viewer: StaffViewer,
    db: DbDep,
    asked: PageRequestDep,
    decided: int | None = None,
) -> Response:
    return await _queue(request, viewer, db, asked=asked, decided=decided)


@router.post("/identity-reviews/{verification_id}")
async def decide(
    request: Request,
    viewer: StaffViewer,
    verification: ReviewableVerification,
    db: DbDep,
    now: NowDep,
    decision: Annotated[str, Form(max_length=40)] = "",
    reason: Annotated[str, Form(max_length=REASON_MAX + 1)] = "",
    page: PageField = 1,
) -> Response:
    """`page`: the page of the queue the form was on, where the reviewer goes back to (or the
    last page, if deciding emptied it), and where a refused form is shown again."""
    shown = PageRequest(page)
    try:
        data = parse_form(ReviewDecision, {"decision": decision, "reason": reason.strip()})
        await reviews.decide(
            db=db, caller=viewer.user, verification=verification, data=data, now=now
        )
    except (FormProblems, DomainError) as error:
        problems = problems_of(error)
        posted = {"decision": decision, "reason": reason}
        return await _queue(
            request, viewer, db, asked=shown, failed=verification.id, problems=problems,
            posted=posted, status=error.status_code if isinstance(error, DomainError) else 422,
        )  # fmt: skip
    back = await page_still_there(shown, lambda: queue.waiting_count(db=db, caller=viewer.user))
    return RedirectResponse(_queue_address(back, decided=verification.id), status_code=303)


def _queue_address(page: PageRequest, *, decided: int) -> str:
    """`/identity-reviews?decided=N` on the first page, `?page=P&decided=N` beyond it."""
    asked = {"page": page.number} if page.number > 1 else {}
    return "/identity-reviews?" + urlencode(asked | {"decided": decided})


async def _queue(
    request: Request,
    viewer: Viewer,
    db: DbDep,
    *,
    asked: PageRequest = PageRequest(1),
    decided: int | None = None,
    failed: int | None = None,
    problems: dict[str, str] | None = None,
    posted: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    """`failed` names the verification whose form was refused: its `problems` and what it
    `posted` are shown beside it, so no typed reason is lost."""
    waiting = await queue.waiting(db=db, caller=viewer.user, limit=asked.fetch, offset=asked.offset)
    return render(
        request,
        "identity/reviews.html",
        status_code=status,
        user=viewer.user,
        csrf=viewer.csrf,
        items=page_of(waiting, asked),
        decisions=DECISIONS,
        decided=decided,
        failed=failed,
        problems=problems or {},
        posted=posted or {},
        reason_max=REASON_MAX,
        words=WORDS,
    )
