"""The person's identity page: the record form, the document and selfie sent for
verification, and the newest verification's result in words.

The form saves the record through ``records.write_record`` (the API's schema, so both refuse
the same things). The pictures need the webcam, so ``static/js/identity.js`` posts them to
``POST /api/v1/users/{id}/identity/verifications`` (the API checks them; its refusal is
shown as it words it) and fetches ``/identity/result`` again while the worker reads.
"""

from typing import Any

from fastapi import APIRouter, Request
from starlette.datastructures import FormData
from starlette.responses import RedirectResponse, Response

from trust_lesson.biometrics import service as biometrics
from trust_lesson.deps import DbDep, NowDep
from trust_lesson.errors import DomainError
from trust_lesson.identity import records, reviews
from trust_lesson.identity.records import RECORD_FIELDS
from trust_lesson.identity.schemas import IdentityRecordWrite
from trust_lesson.identity.wording import WORDS
from trust_lesson.web.dependencies import PageViewer, Viewer
from trust_lesson.web.forms import FormProblems, parse_form, problems_of
from trust_lesson.web.templating import render

router = APIRouter(include_in_schema=False)
DONE = {
    "saved": "Your identity record is saved.",
    "unchanged": "Nothing changed: your record already says this.",
}
REQUIRED = frozenset(n for n, f in IdentityRecordWrite.model_fields.items() if f.is_required())


@router.get("/identity")
async def identity_page(
    request: Request, viewer: PageViewer, db: DbDep, done: str = ""
) -> Response:
    return await _page(request, viewer, db, notice=DONE.get(done, ""))


@router.post("/identity")
async def save_record(request: Request, viewer: PageViewer, db: DbDep, now: NowDep) -> Response:
    values = _submitted(await request.form())
    try:
        data = parse_form(IdentityRecordWrite, _as_input(values))
        saved = await records.write_record(
            db=db, caller=viewer.user, user=viewer.user, data=data, now=now
        )
    except (FormProblems, DomainError) as error:
        problems = problems_of(error)
        return await _page(request, viewer, db, problems=problems, values=values, status=422)
    done = "saved" if saved.changed else "unchanged"
    return RedirectResponse(f"/identity?done={done}", status_code=303)


@router.get("/identity/result")
async def result_partial(request: Request, viewer: PageViewer, db: DbDep) -> Response:
    """The newest result alone: what the page fetches again while the worker reads."""
    verification = await reviews.newest_of(db=db, user_id=viewer.user.id)
    return render(request, "identity/result.html", verification=verification, words=WORDS)


def _submitted(form: FormData) -> dict[str, str]:
    return {name: str(form.get(name, "")).strip() for name in RECORD_FIELDS}


def _as_input(values: dict[str, str]) -> dict[str, str | None]:
    """An empty optional field is no value (the API's null); a required one stays empty."""
    return {k: v if v or k in REQUIRED else None for k, v in values.items()}


async def _page(
    request: Request,
    viewer: Viewer,
    db: DbDep,
    *,
    notice: str = "",
    problems: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    user = viewer.user
    record = await records.current_record(db=db, user_id=user.id)
    state = None if record is None else await records.record_state(db=db, record=record)
    if values is None:
        values = _shown(state.model_dump() if state else {})
    return render(
        request,
        "identity/identity.html",
        status_code=status,
        user=user,
        csrf=viewer.csrf,
        record=state,
        values=values,
        consent=await biometrics.active_consent(db=db, user_id=user.id) is not None,
        verification=await reviews.newest_of(db=db, user_id=user.id),
        words=WORDS,
        notice=notice,
        problems=problems or {},
    )


def _shown(stored: dict[str, Any]) -> dict[str, str]:
    return {name: "" if stored.get(name) is None else str(stored[name]) for name in RECORD_FIELDS}
