from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Response

from trust_lesson.courses.dependencies import ManagedTerm
from trust_lesson.deps import DbDep, PageDep
from trust_lesson.reports import export, service
from trust_lesson.reports.schemas import TermReport

router = APIRouter(prefix="/api/v1", tags=["reports"])
Format = Annotated[
    Literal["json", "csv"],
    Query(description="json (default: a page of students) or csv (every student, a file)"),
]
REPORT_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "the report; with format=csv a CSV file of every student",
        "content": {"text/csv": {}},
    },
}


@router.get("/terms/{term_id}/report", response_model=TermReport, responses=REPORT_RESPONSES)
async def term_report(
    term: ManagedTerm, db: DbDep, page: PageDep, format: Format = "json"
) -> TermReport | Response:
    """The term's attendance: each lesson's current decisions counted, and per student their
    counts, attendance rate and decision in each lesson (`limit`, `offset` page the students)."""
    if format == "json":
        return await service.term_report(db=db, term=term, limit=page.limit, offset=page.offset)
    report = await service.term_report(db=db, term=term, limit=None)
    disposition = f'attachment; filename="{export.csv_name(report)}"'
    return Response(
        export.report_csv(report),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": disposition},
    )
