"""Every table the service writes for a spreadsheet program (CSV or XLSX) is written here.

Names, titles and descriptions come from people (a lesson spreadsheet, a registration form)
and are stored as typed, so `=HYPERLINK("http://evil.example", "Open")`, `=cmd|' /C calc'!A0`
or `@SUM(1+1)` can sit in a lesson title or a student's name. A spreadsheet program that opens
an export would run them (CSV/formula injection, issue 8 finding 5). `inert` is the one rule:
a text cell that a spreadsheet could read as a formula or a command gets a leading apostrophe,
which spreadsheets show as text and never evaluate. Numbers, dates and empty cells pass as they
are. `tests/security/test_tables.py` checks that no other module writes CSV or XLSX.
"""

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime

from openpyxl import Workbook

Cell = str | int | float | date | datetime | None

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")
"""Characters a spreadsheet reads as the start of a formula (full-width forms included:
some programs fold them to the ASCII ones), and the whitespace some skip before reading on."""


def inert(value: Cell) -> Cell:
    """The cell as a spreadsheet must show it: text that could start a formula is quoted."""
    if isinstance(value, str) and value.lstrip(" ").startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[Cell]]) -> bytes:
    """UTF-8 CSV (with a byte-order mark, so spreadsheet programs read the accents right)."""
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow([inert(name) for name in header])
    writer.writerows([inert(value) for value in row] for row in rows)
    return ("\ufeff" + text.getvalue()).encode()


def xlsx_bytes(title: str, header: Sequence[str], rows: Iterable[Sequence[Cell]]) -> bytes:
    """One sheet; text cells are always stored as text, never as formulas."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title[:31])
    sheet.append([inert(name) for name in header])
    for row in rows:
        sheet.append([inert(value) for value in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
