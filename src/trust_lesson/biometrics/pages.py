"""Consent and face enrolment pages of the signed-in person, over the biometrics service.

`/consent` shows the text and its version, gives (button "I consent") and withdraws it;
`/enrolment` shows the webcam (`static/js/enrolment.js` sends the pictures to the API, which
checks them before anything is kept).
"""

from typing import Annotated

from fastapi import APIRouter, Form, Request
from starlette.responses import RedirectResponse, Response

from trust_lesson.biometrics import service
from trust_lesson.biometrics.schemas import ConsentGive
from trust_lesson.deps import DbDep, NowDep
from trust_lesson.errors import DomainError
from trust_lesson.web.dependencies import PageViewer, Viewer
from trust_lesson.web.forms import FormProblems, parse_form, problems_of
from trust_lesson.web.templating import render

router = APIRouter(include_in_schema=False)
DONE = {"given": "Thank you: your consent is recorded.", "withdrawn": "Your consent is withdrawn."}


@router.get("/consent")
async def consent_page(request: Request, viewer: PageViewer, db: DbDep, done: str = "") -> Response:
    return await _consent(request, viewer, db, notice=DONE.get(done, ""), problems={})


@router.post("/consent")
async def give_consent(
    request: Request,
    viewer: PageViewer,
    db: DbDep,
    now: NowDep,
    text_version: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    """The version of the text the person read is the one recorded."""
    try:
        data = parse_form(ConsentGive, {"text_version": text_version or None})
        await service.give_consent(db=db, user_id=viewer.user.id, data=data, now=now)
    except FormProblems as error:
        return await _consent(request, viewer, db, notice="", problems=error.problems, status=422)
    except DomainError as error:
        problems, status = problems_of(error), error.status_code
        return await _consent(request, viewer, db, notice="", problems=problems, status=status)
    return RedirectResponse("/consent?done=given", status_code=303)


@router.post("/consent/withdraw")
async def withdraw_consent(viewer: PageViewer, db: DbDep, now: NowDep) -> Response:
    await service.withdraw_consent(db=db, user_id=viewer.user.id, now=now)
    return RedirectResponse("/consent?done=withdrawn", status_code=303)


@router.get("/enrolment")
async def enrolment_page(request: Request, viewer: PageViewer, db: DbDep) -> Response:
    enrolment = await service.enrolment_state(db=db, user_id=viewer.user.id)
    return render(
        request,
        "biometrics/enrolment.html",
        user=viewer.user,
        csrf=viewer.csrf,
        enrolment=enrolment,
    )


async def _consent(
    request: Request,
    viewer: Viewer,
    db: DbDep,
    *,
    notice: str,
    problems: dict[str, str],
    status: int = 200,
) -> Response:
    state = service.consent_state(await service.consent_history(db=db, user_id=viewer.user.id))
    templates, _ = await service.template_summary(db=db, user_id=viewer.user.id)
    return render(
        request,
        "biometrics/consent.html",
        status_code=status,
        user=viewer.user,
        csrf=viewer.csrf,
        state=state,
        templates=templates,
        notice=notice,
        problems=problems,
    )
