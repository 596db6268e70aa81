"""The person's own data: `GET /api/v1/users/{id}/export` (R26), the person alone."""

from fastapi import APIRouter, Response

from trust_lesson.biometrics.endpoints import OwnAccount
from trust_lesson.deps import DbDep, NowDep, RuntimeDep
from trust_lesson.privacy import export

router = APIRouter(prefix="/api/v1/users/{user_id}", tags=["privacy"])
ZIP = "application/zip"


@router.get(
    "/export",
    response_class=Response,
    responses={200: {"content": {ZIP: {}}, "description": "a ZIP: data.json and pictures/"}},
)
async def export_own_data(
    user: OwnAccount, runtime: RuntimeDep, db: DbDep, now: NowDep
) -> Response:
    """Everything the service holds about the caller, as one machine-readable archive."""
    archive = await export.archive(db=db, user=user, blobs=runtime.blobs, now=now)
    name = f"trust-lesson-export-{user.id}-{now:%Y%m%d}.zip"
    return Response(
        archive, media_type=ZIP, headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )
