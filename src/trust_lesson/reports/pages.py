"""The term attendance report page: a chart of each lesson's decisions, and the students'."""

from fastapi import APIRouter, Request
from starlette.responses import Response

from trust_lesson.courses.dependencies import ManagedTerm
from trust_lesson.deps import DbDep
from trust_lesson.reports import chart, service
from trust_lesson.web.dependencies import StaffViewer
from trust_lesson.web.paging import PageRequestDep, page_of
from trust_lesson.web.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/admin/terms/{term_id}/report")
async def term_report_page(
    request: Request, viewer: StaffViewer, term: ManagedTerm, db: DbDep, page: PageRequestDep
) -> Response:
    report = await service.term_report(db=db, term=term, limit=page.fetch, offset=page.offset)
    return render(
        request,
        "reports/term.html",
        user=viewer.user,
        csrf=viewer.csrf,
        report=report,
        students=page_of(report.students, page),
        bars=chart.bars(report.lessons),
        kinds=chart.KINDS,
    )
