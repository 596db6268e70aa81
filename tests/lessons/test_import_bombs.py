"""Issue 8/5: expansion bombs inside a small xlsx are refused from a streaming count, quickly."""

import io
import zipfile

import httpx
import pytest

from tests.lessons.test_import import lesson_count, school_term, upload
from tests.support.cost import cpu_seconds, thread_cpu_seconds
from tests.support.factories import signed_in
from tests.support.spreadsheets import lesson_workbook
from trust_lesson.errors import Unprocessable
from trust_lesson.lessons.spreadsheet import check_upload
from trust_lesson.models import Role
from trust_lesson.runtime import Runtime


def with_part(workbook: bytes, part: str, body: bytes) -> bytes:
    """The workbook with one part replaced or added (compressed: a few KiB on the wire)."""
    source = zipfile.ZipFile(io.BytesIO(workbook))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            if item.filename != part:
                target.writestr(item.filename, source.read(item.filename))
        target.writestr(part, body)
    return out.getvalue()


STYLES = b'<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><cellXfs>'
STRINGS = b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'

BOMBS = pytest.mark.parametrize(
    ("part", "body"),
    [
        ("xl/styles.xml", STYLES + b"<xf/>" * 2_000_000 + b"</cellXfs></styleSheet>"),
        ("xl/sharedStrings.xml", STRINGS + b"<si><t>x</t></si>" * 3_000_000 + b"</sst>"),
    ],
    ids=["2 million styles", "3 million shared strings"],
)
REFUSAL = "far more than a lesson plan needs"


@BOMBS
async def test_an_expansion_bomb_is_refused_fast_and_creates_nothing(
    client: httpx.AsyncClient, runtime: Runtime, part: str, body: bytes
) -> None:
    teacher = await signed_in(client, runtime, Role.INSTRUCTOR)
    term = await school_term(client, teacher)
    bomb = with_part(lesson_workbook(), part, body)
    assert len(bomb) < 200_000
    with cpu_seconds() as cost:
        response = await upload(client, teacher, term["id"], bomb)

    assert cost.cpu_s < 2.0
    assert response.status_code == 422
    assert REFUSAL in response.json()["detail"]
    assert await lesson_count(client, teacher) == 0


@BOMBS
def test_the_refusal_comes_from_a_streaming_count_before_any_parsing(
    part: str, body: bytes
) -> None:
    """The upload's own check, on this thread: openpyxl took 35 s and 1.2 GiB for the styles."""
    bomb = with_part(lesson_workbook(), part, body)

    with thread_cpu_seconds() as cost, pytest.raises(Unprocessable) as refused:
        check_upload(bomb)

    assert REFUSAL in str(refused.value)
    assert cost.cpu_s < 1.0
