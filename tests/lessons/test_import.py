from datetime import UTC, datetime, time
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.factories import Person, signed_in
from tests.support.school import enrol, make_course, make_lesson, make_term
from tests.support.spreadsheets import lesson_workbook
from trust_lesson.models import Role
from trust_lesson.runtime import Runtime

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


async def upload(
    client: httpx.AsyncClient,
    person: Person,
    term_id: int,
    content: bytes,
    *,
    timezone: str | None = None,
    filename: str = "lessons.xlsx",
) -> httpx.Response:
    data = {"timezone": timezone} if timezone else {}
    return await client.post(
        f"/api/v1/terms/{term_id}/lessons/import",
        files={"file": (filename, content, XLSX)},
        data=data,
        headers=person.headers,
    )


async def school_term(
    client: httpx.AsyncClient, teacher: Person, course: str = "Learn Python", number: int = 0
) -> dict[str, Any]:
    created = await make_course(client, teacher, course)
    term = await make_term(client, teacher, created["id"])
    while term["term_number"] < number:
        term = await make_term(client, teacher, created["id"])
    return term


async def lesson_count(client: httpx.AsyncClient, person: Person) -> int:
    return len((await client.get("/api/v1/lessons", headers=person.headers)).json())


def messages(response: httpx.Response) -> str:
    return " ".join(error["message"] for error in response.json()["errors"])


def rows(response: httpx.Response) -> list[int | None]:
    assert response.status_code == 422, response.text
    return [error["row"] for error in response.json()["errors"]]


async def test_a_valid_sheet_creates_its_lessons_in_the_school_time_zone(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    teacher = await signed_in(client, runtime, Role.INSTRUCTOR)
    term = await school_term(client, teacher)
    sheet = lesson_workbook(
        lessons=[
            ("Variables", datetime(2026, 3, 10), time(10, 0), 60, None, "Names"),
            ("Loops", "2026-03-11", "14:30", "90", "", ""),
            ("Functions", "12/03/2026", time(9, 15), 45.0, None, None),
        ],
        trailing_formulas=200,
    )

    response = await upload(client, teacher, term["id"], sheet, timezone="America/Sao_Paulo")

    assert response.status_code == 201, response.text
    created = response.json()
    assert [lesson["title"] for lesson in created] == ["Variables", "Loops", "Functions"]
    assert [lesson["start_date"] for lesson in created] == [
        "2026-03-10T13:00:00Z",
        "2026-03-11T17:30:00Z",
        "2026-03-12T12:15:00Z",
    ]
    assert {lesson["instructor_id"] for lesson in created} == {teacher.id}
    assert [lesson["duration_min"] for lesson in created] == [60, 90, 45]


async def test_an_instructor_of_the_term_is_named_by_username(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    teacher = await signed_in(client, runtime, Role.INSTRUCTOR)
    smith = await signed_in(client, runtime, Role.INSTRUCTOR, name="Smith")
    term = await school_term(client, teacher)
    await enrol(client, teacher, term["id"], smith, "INSTRUCTOR")
    sheet = lesson_workbook(lessons=[("Loops", "2026-03-11", "14:30", 60, "smith ", "")])

    response = await upload(client, teacher, term["id"], sheet)

    assert response.status_code == 201, response.text
    assert response.json()[0]["instructor_id"] == smith.id


@pytest.mark.parametrize("role", [Role.INSTRUCTOR, Role.ADMIN])
async def test_who_manages_the_course_may_name_themselves_without_being_enrolled(
    client: httpx.AsyncClient, runtime: Runtime, role: Role
) -> None:
    """The same rule as leaving the column blank, and as the "Plan a lesson" form."""
    planner = await signed_in(client, runtime, role)
    term = await school_term(client, planner)
    named = planner.user.username.upper()
    sheet = lesson_workbook(lessons=[("Loops", "2026-03-11", "14:30", 60, named, "")])

    response = await upload(client, planner, term["id"], sheet)

    assert response.status_code == 201, response.text
    assert response.json()[0]["instructor_id"] == planner.id


@pytest.mark.parametrize(
    ("sheet", "expected_rows", "words"),
    [
        (lesson_workbook(course=None), [2], "Course name is empty"),
        (lesson_workbook(term=None), [3], "Term number is empty"),
        (lesson_workbook(term="two"), [3], "not a whole number"),
        (lesson_workbook(course="Learn Java"), [2], 'course "Learn Java"'),
        (lesson_workbook(term=1), [3], "term 1"),
        (
            lesson_workbook(header=("Name", "Date", "Time", "Duration", "Teacher", "Description")),
            [5, 5],
            'no "Title" in column A',
        ),
        (
            lesson_workbook(
                lessons=[
                    ("Variables", "2026-03-10", "10:00", 60, None, ""),
                    ("Loops", "No date", "10:00", 60, None, ""),
                    ("Functions", "2026-03-12", "25:61", 60, None, ""),
                    ("Classes", "2026-03-13", "10:00", "an hour", None, ""),
                    (None, "2026-03-14", "10:00", 60, None, ""),
                ]
            ),
            [7, 8, 9, 10],
            'Date "No date" is not a date',
        ),
        (
            lesson_workbook(lessons=[("Loops", "2026-03-11", "14:30", 60, "Nobody", "")]),
            [6],
            'Instructor "Nobody" is not an instructor',
        ),
    ],
    ids=[
        "no-course-name",
        "no-term-number",
        "bad-term-number",
        "other-course",
        "other-term",
        "wrong-header",
        "bad-cells",
        "unknown-instructor",
    ],
)
async def test_a_faulty_sheet_names_its_rows_and_creates_nothing(
    client: httpx.AsyncClient,
    runtime: Runtime,
    sheet: bytes,
    expected_rows: list[int],
    words: str,
) -> None:
    teacher = await signed_in(client, runtime, Role.INSTRUCTOR)
    term = await school_term(client, teacher)

    response = await upload(client, teacher, term["id"], sheet)

    assert rows(response) == expected_rows
    assert words in messages(response)
    assert response.json()["code"] == "invalid"
    assert await lesson_count(client, teacher) == 0


async def test_a_row_repeating_an_earlier_one_names_both_rows_and_plans_nothing(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    """The same lesson written twice: the title differs only in case and spaces, and the blank
    instructor cell means the planner, who is named in the repeat."""
    teacher = await signed_in(client, runtime, Role.INSTRUCTOR)
    term = await school_term(client, teacher)
    sheet = lesson_workbook(
        lessons=[
            ("Loops", "2026-03-11", "14:30", 60, None, ""),
            ("Functions", "2026-03-12", "14:30", 60, None, ""),
            ("  loops ", "11/03/2026", "14:30:00", 90, teacher.user.username, "again"),
        ]
    )

    response = await upload(client, teacher, term["id"], sheet)

    assert rows(response) == [8]
    assert "Repeats row 6" in messages(response)
    assert await lesson_count(client, teacher) == 0


async def test_the_same_title_at_another_time_is_another_lesson(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    teacher = await signed_in(client, runtime, Role.INSTRUCTOR)
    term = await school_term(client, teacher)
    sheet = lesson_workbook(
        lessons=[
            ("Loops", "2026-03-11", "14:30", 60, None, ""),
            ("Loops", "2026-03-18", "14:30", 60, None, ""),
        ]
    )

    response = await upload(client, teacher, term["id"], sheet)

    assert response.status_code == 201, response.text
    assert await lesson_count(client, teacher) == 2


async def test_the_same_title_and_start_by_another_instructor_is_the_same_lesson(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    """The term's students are expected at each of its lessons: one title at one time is one
    lesson, whoever the sheet names as its instructor."""
    teacher = await signed_in(client, runtime, Role.INSTRUCTOR)
    smith = await signed_in(client, runtime, Role.INSTRUCTOR, name="Smith")
    term = await school_term(client, teacher)
    await enrol(client, teacher, term["id"], smith, "INSTRUCTOR")
    sheet = lesson_workbook(
        lessons=[
            ("Loops", "2026-03-11", "14:30", 60, None, ""),
            ("Loops", "2026-03-11", "14:30", 60, "smith", ""),
        ]
    )

    response = await upload(client, teacher, term["id"], sheet)

    assert rows(response) == [7]
    assert "Repeats row 6: the same title and start." in messages(response)
    assert await lesson_count(client, teacher) == 0


async def test_importing_the_same_sheet_again_says_its_lessons_are_already_planned(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    teacher = await signed_in(client, runtime, Role.INSTRUCTOR)
    term = await school_term(client, teacher)
    sheet = lesson_workbook(
        lessons=[
            ("Loops", "2026-03-11", "14:30", 60, None, ""),
            ("Functions", "2026-03-12", "14:30", 60, None, ""),
        ]
    )
    first = await upload(client, teacher, term["id"], sheet, timezone="America/Sao_Paulo")

    again = await upload(client, teacher, term["id"], sheet, timezone="America/Sao_Paulo")

    assert first.status_code == 201, first.text
    assert rows(again) == [6, 7]
    assert '"Loops" at 2026-03-11 14:30 is already planned in this term' in messages(again)
    assert await lesson_count(client, teacher) == 2


async def test_a_planned_lesson_given_to_another_instructor_is_still_already_planned(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    """Every student of the term is expected at its lessons, whoever teaches them."""
    teacher = await signed_in(client, runtime, Role.INSTRUCTOR)
    smith = await signed_in(client, runtime, Role.INSTRUCTOR, name="Smith")
    term = await school_term(client, teacher)
    await enrol(client, teacher, term["id"], smith, "INSTRUCTOR")
    await make_lesson(
        client, teacher, term["id"], title="Loops", start=datetime(2026, 3, 11, 14, 30, tzinfo=UTC)
    )
    sheet = lesson_workbook(lessons=[("LOOPS", "2026-03-11", "14:30", 60, "Smith", "")])

    response = await upload(client, teacher, term["id"], sheet)

    assert rows(response) == [6]
    assert "already planned" in messages(response)
    assert await lesson_count(client, teacher) == 1


async def test_the_same_lesson_in_another_term_is_not_already_planned(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    teacher = await signed_in(client, runtime, Role.INSTRUCTOR)
    first_term = await school_term(client, teacher)
    other_course = await school_term(client, teacher, "Learn Go")
    loops = [("Loops", "2026-03-11", "14:30", 60, None, "")]
    await upload(client, teacher, first_term["id"], lesson_workbook(lessons=loops))

    response = await upload(
        client, teacher, other_course["id"], lesson_workbook(course="Learn Go", lessons=loops)
    )

    assert response.status_code == 201, response.text
    assert await lesson_count(client, teacher) == 2


async def test_bad_time_and_bad_duration_are_reported_in_words(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    teacher = await signed_in(client, runtime, Role.INSTRUCTOR)
    term = await school_term(client, teacher)
    sheet = lesson_workbook(lessons=[("Loops", "2026-03-11", "half past two", 0, None, "")])

    response = await upload(client, teacher, term["id"], sheet)

    [error] = response.json()["errors"]
    assert error["row"] == 6
    assert 'Time "half past two" is not a time of day' in error["message"]
    assert "Duration 0 must be between 1 and 1440" in error["message"]


async def test_anything_but_an_xlsx_is_refused_by_its_content(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    teacher = await signed_in(client, runtime, Role.INSTRUCTOR)
    term = await school_term(client, teacher)

    html = await upload(client, teacher, term["id"], b"<html><script>x</script></html>")
    fake_zip = await upload(client, teacher, term["id"], b"PK\x03\x04not really a zip")
    big = await upload(client, teacher, term["id"], b"PK\x03\x04" + b"0" * (2 * 1024 * 1024))
    zone = await upload(client, teacher, term["id"], lesson_workbook(), timezone="Mars/Olympus")

    assert html.status_code == 415
    assert fake_zip.status_code == 415
    assert big.status_code == 413
    assert zone.status_code == 422


async def test_only_the_term_managers_may_import(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    teacher = await signed_in(client, runtime, Role.INSTRUCTOR)
    student = await signed_in(client, runtime, Role.STUDENT)
    other = await signed_in(client, runtime, Role.INSTRUCTOR)
    term = await school_term(client, teacher)
    await enrol(client, teacher, term["id"], student)

    as_student = await upload(client, student, term["id"], lesson_workbook())
    as_stranger = await upload(client, other, term["id"], lesson_workbook())

    assert as_student.status_code == 403
    assert as_stranger.status_code == 404
    assert "Learn Python" not in as_stranger.text


# --- the real files from the original project (../shared/testdata/spreadsheets) ---------------


async def real_upload(
    client: httpx.AsyncClient, runtime: Runtime, folder: Path, name: str, course: str, term: int
) -> tuple[Person, httpx.Response]:
    teacher = await signed_in(client, runtime, Role.INSTRUCTOR)
    target = await school_term(client, teacher, course, term)
    content = (folder / "spreadsheets" / name).read_bytes()
    return teacher, await upload(client, teacher, target["id"], content)


@pytest.mark.parametrize(
    ("name", "course", "term", "count"),
    [("lessons.xlsx", "Python do Zero", 1, 1), ("lessons1.xlsx", "name…", 1, 1)],
)
async def test_the_real_valid_files_import(
    client: httpx.AsyncClient,
    runtime: Runtime,
    testdata: Path,
    name: str,
    course: str,
    term: int,
    count: int,
) -> None:
    _, response = await real_upload(client, runtime, testdata, name, course, term)

    assert response.status_code == 201, response.text
    assert len(response.json()) == count
    assert response.json()[0]["start_date"] == "2025-12-10T10:00:00Z"


async def test_lessons2_imports_when_smith_teaches_the_term(
    client: httpx.AsyncClient, runtime: Runtime, testdata: Path
) -> None:
    teacher = await signed_in(client, runtime, Role.INSTRUCTOR)
    smith = await signed_in(client, runtime, Role.INSTRUCTOR, name="Smith")
    term = await school_term(client, teacher, "Learn Python", 2)
    await enrol(client, teacher, term["id"], smith, "INSTRUCTOR")
    content = (testdata / "spreadsheets" / "lessons2.xlsx").read_bytes()

    response = await upload(client, teacher, term["id"], content)

    assert response.status_code == 201, response.text
    assert [lesson["instructor_id"] for lesson in response.json()] == [teacher.id, smith.id]


async def test_an_instructor_of_the_term_is_named_by_username_or_by_email(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    """Teachers write a colleague's email as often as their username; both name the person,
    and a name nobody of the term has is refused saying what to write."""
    teacher = await signed_in(client, runtime, Role.INSTRUCTOR)
    smith = await signed_in(client, runtime, Role.INSTRUCTOR, name="Smith")
    term = await school_term(client, teacher)
    await enrol(client, teacher, term["id"], smith, "INSTRUCTOR")
    by_email = ("Loops", "2026-03-11", "14:30", 60, smith.user.email.upper(), "")
    unknown = ("Lists", "2026-03-12", "14:30", 60, "nobody@school.example", "")

    refused = await upload(
        client, teacher, term["id"], lesson_workbook(lessons=[by_email, unknown])
    )
    planned = await upload(client, teacher, term["id"], lesson_workbook(lessons=[by_email]))

    assert rows(refused) == [7]
    assert messages(refused) == (
        'Instructor "nobody@school.example" is not an instructor of this term'
        " (write the username or the email of one, or nothing for yourself)."
    )
    assert planned.status_code == 201, planned.text
    assert [lesson["instructor_id"] for lesson in planned.json()] == [smith.id]


@pytest.mark.parametrize(
    ("name", "course", "term", "expected_rows", "words"),
    [
        ("lessons2.xlsx", "Learn Python", 2, [7], 'Instructor "Smith" is not an instructor'),
        ("lessons-invalid-date.xlsx", "Learn Python", 2, [7], 'Date "No date"'),
        ("lessons-no-lesson-header.xlsx", "Learn Python", 2, [5], 'no "Title"'),
        ("lessons-no-name.xlsx", "Learn Python", 1, [2], "Course name is empty"),
        ("lessons-no-number.xlsx", "name…", 1, [3], "Term number is empty"),
    ],
)
async def test_the_real_faulty_files_are_refused_with_their_rows(
    client: httpx.AsyncClient,
    runtime: Runtime,
    testdata: Path,
    name: str,
    course: str,
    term: int,
    expected_rows: list[int],
    words: str,
) -> None:
    teacher, response = await real_upload(client, runtime, testdata, name, course, term)

    assert rows(response) == expected_rows
    assert words in messages(response)
    assert await lesson_count(client, teacher) == 0
