"""The person's own "Delete my account" page (GDPR 17): what goes, what stays, the export
to download first, and the password that confirms it. Who may delete their own account is
`accounts.own_deletion_refusal`'s to say; the page says it instead of the form."""

from typing import Annotated

from fastapi import APIRouter, Form, Request
from starlette.responses import RedirectResponse, Response

from trust_lesson.auth.pages import ACCOUNT_DELETED
from trust_lesson.deps import DbDep, NowDep, RuntimeDep, client_address
from trust_lesson.errors import DomainError
from trust_lesson.privacy import accounts
from trust_lesson.web.browser_session import clear_session_cookie
from trust_lesson.web.dependencies import PageViewer, Viewer
from trust_lesson.web.forms import problems_of
from trust_lesson.web.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/delete-account")
async def delete_account_page(request: Request, viewer: PageViewer, db: DbDep) -> Response:
    return await _page(request, viewer, db, problems={})


@router.post("/delete-account")
async def delete_own_account(
    request: Request,
    viewer: PageViewer,
    runtime: RuntimeDep,
    db: DbDep,
    now: NowDep,
    current_password: Annotated[str, Form(max_length=1024)] = "",
) -> Response:
    """Deleted: every session ends with the account, this browser's cookie too, and the
    person lands on the sign-in page, which says so. Refused: the page again, in words."""
    try:
        await accounts.delete_own_account(
            db=db, store=runtime.session_store, blobs=runtime.blobs,
            throttle=runtime.login_throttle, address=client_address(request), user=viewer.user,
            password=current_password, now=now,
        )  # fmt: skip
    except DomainError as error:
        problems = problems_of(error)
        return await _page(request, viewer, db, problems=problems, status=error.status_code)
    response = RedirectResponse(f"/login?done={ACCOUNT_DELETED}", status_code=303)
    clear_session_cookie(response, request)
    return response


async def _page(
    request: Request, viewer: Viewer, db: DbDep, *, problems: dict[str, str], status: int = 200
) -> Response:
    return render(
        request,
        "privacy/delete_account.html",
        status_code=status,
        user=viewer.user,
        csrf=viewer.csrf,
        refusal=await accounts.own_deletion_refusal(db=db, user=viewer.user),
        problems=problems,
    )
