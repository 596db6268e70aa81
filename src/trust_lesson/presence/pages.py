"""The lesson room: the page a student keeps open during a lesson (camera, checks, the call).

The page itself holds no state: `static/js/room.js` joins, waits for each check with the held
`challenges/next`, answers it and shows the verdicts, through the JSON API.
"""

from fastapi import APIRouter, Request
from starlette.responses import Response

from trust_lesson.presence.dependencies import StudentLesson
from trust_lesson.web.dependencies import PageViewer
from trust_lesson.web.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/lessons/{lesson_id}/room")
async def lesson_room(request: Request, viewer: PageViewer, attended: StudentLesson) -> Response:
    return render(
        request, "presence/room.html", user=viewer.user, csrf=viewer.csrf, lesson=attended.lesson
    )
