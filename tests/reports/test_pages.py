"""/admin/terms/{id}/report: the term's attendance as a person reads it, a chart of each
lesson's decisions (inline SVG, words beside the colours) and the students' totals, paged."""

import re
from html.parser import HTMLParser

import httpx

from tests.reports.stories import school_term, taught_term
from tests.support.clock import FakeClock
from tests.support.pages import inline_code
from tests.support.school import make_lesson
from trust_lesson.db import transaction
from trust_lesson.models import MemberRole, Role, TermMember, User
from trust_lesson.runtime import Runtime
from trust_lesson.web.paging import ROWS_PER_PAGE


class Page(HTMLParser):
    """The elements of a page with their attributes, and its text as one line of words."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.elements: list[tuple[str, dict[str, str]]] = []
        self._words: list[str] = []
        self.feed(html)
        self.text = " ".join(" ".join(self._words).split())

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, {name: value or "" for name, value in attrs}))

    def handle_data(self, data: str) -> None:
        self._words.append(data)

    def all(self, tag: str, **having: str) -> list[dict[str, str]]:
        wanted = {name.replace("_", "-"): value for name, value in having.items()}
        return [
            attrs for name, attrs in self.elements
            if name == tag and all(attrs.get(k) == v for k, v in wanted.items())
        ]  # fmt: skip


async def test_the_term_page_leads_to_its_attendance_report(
    client: httpx.AsyncClient, runtime: Runtime, clock: FakeClock
) -> None:
    school = await school_term(client, runtime, ["ana"])

    term_page = await client.get(
        f"/admin/terms/{school.term['id']}", headers=school.teacher.headers
    )

    assert f'<a href="{school.page}">Attendance report</a>' in term_page.text


async def test_each_lesson_is_a_bar_of_its_decisions_with_the_figures_in_words(
    client: httpx.AsyncClient, runtime: Runtime, clock: FakeClock
) -> None:
    school = await taught_term(client, runtime, clock)

    answer = await client.get(school.page, headers=await school.teacher_headers(client))

    assert answer.status_code == 200 and inline_code(answer.text) == []
    page = Page(answer.text)
    charts = page.all("svg", role="img")
    assert [chart["aria-label"] for chart in charts] == [
        "Variables: 2 attended, 1 partial, 0 absent, 0 pending review",
        "Loops: 1 attended, 0 partial, 1 absent, 1 pending review",
    ]
    segments = [(rect["data-decision"], rect["data-count"], rect["width"])
                for rect in page.all("rect") if "data-decision" in rect]  # fmt: skip
    assert segments == [
        ("ATTENDED", "2", "66.667"), ("PARTIAL", "1", "33.333"),
        ("ATTENDED", "1", "33.333"), ("ABSENT", "1", "33.333"), ("PENDING_REVIEW", "1", "33.333"),
    ]  # fmt: skip
    assert all(rect["fill"].startswith("#") for rect in page.all("rect"))  # no style attribute
    assert "Functions" in page.text and "waiting: no decision yet" in page.text
    assert "attended partial absent pending review" in page.text  # the legend, in words
    assert page.all("a", href=f"{school.api}?format=csv")


async def test_the_students_totals_and_attendance_rates(
    client: httpx.AsyncClient, runtime: Runtime, clock: FakeClock
) -> None:
    school = await taught_term(client, runtime, clock)

    answer = await client.get(school.page, headers=await school.teacher_headers(client))

    page = Page(answer.text)
    rows = [int(row["data-student-id"]) for row in page.all("tr") if "data-student-id" in row]
    assert rows == [school.students[name].id for name in ("ana", "bruno", "carla")]
    assert [cell["data-rate"] for cell in page.all("td") if "data-rate" in cell] == [
        "1.0", "0.0", "0.5",
    ]  # fmt: skip
    assert "3 lessons (2 finished), 3 students." in page.text
    for name, rate in (("ana", "100 %"), ("bruno", "0 %"), ("carla", "50 %")):
        full_name = school.students[name].user.full_name
        assert re.search(rf"{full_name} {name} (\d+ ){{5}}{rate}", page.text), name


async def test_an_empty_term_says_so_in_words(
    client: httpx.AsyncClient, runtime: Runtime, clock: FakeClock
) -> None:
    school = await school_term(client, runtime, [])

    empty = Page((await client.get(school.page, headers=school.teacher.headers)).text)
    await make_lesson(client, school.teacher, school.term["id"], start=clock(), title="Soon")
    planned = Page((await client.get(school.page, headers=school.teacher.headers)).text)

    assert "No lessons are planned in this term yet: there is no attendance to report." in (
        empty.text
    )
    assert "No attendance is decided yet" in planned.text
    assert "none of this term's 1 lesson has" in planned.text
    assert not planned.all("svg", role="img")
    assert "Nobody is enrolled as a student in this term" in planned.text


async def test_a_big_term_shows_a_page_of_students_at_a_time(
    client: httpx.AsyncClient, runtime: Runtime, clock: FakeClock
) -> None:
    school = await school_term(client, runtime, [])
    async with transaction(runtime.session_factory) as db:
        now = runtime.clock()
        pupils = [
            User(email=f"pupil{n}@school.example", username=f"pupil{n:03d}",
                 full_name=f"Pupil {n}", role=Role.STUDENT, password_hash="-",
                 created_at=now, updated_at=now)
            for n in range(ROWS_PER_PAGE + 1)
        ]  # fmt: skip
        db.add_all(pupils)
        await db.flush()
        db.add_all(
            TermMember(term_id=school.term["id"], user_id=pupil.id, role=MemberRole.STUDENT)
            for pupil in pupils
        )

    first = await client.get(school.page, headers=school.teacher.headers)
    second = await client.get(school.page, params={"page": 2}, headers=school.teacher.headers)

    assert first.text.count("data-student-id") == ROWS_PER_PAGE
    assert second.text.count("data-student-id") == 1 and "Pupil 200" in second.text
    assert f'href="{school.page}?page=2#students">Next page</a>' in first.text
    assert "201 students" in second.text
