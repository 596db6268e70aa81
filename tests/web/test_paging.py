"""A page a person comes back to: the same one while the list still reaches it, else the
list's last page (never an empty page past the end)."""

from trust_lesson.web.paging import ROWS_PER_PAGE, PageRequest, page_still_there


async def back_to(page: int, rows: int) -> int:
    counted: list[int] = []

    async def count() -> int:
        counted.append(rows)
        return rows

    found = await page_still_there(PageRequest(page), count)
    assert counted == ([] if page == 1 else [rows])  # page 1 is always there: nothing counted
    return found.number


async def test_a_page_the_list_still_reaches_is_kept_and_one_past_its_end_is_its_last() -> None:
    assert await back_to(2, ROWS_PER_PAGE + 1) == 2
    assert await back_to(2, ROWS_PER_PAGE) == 1  # its last row was just settled
    assert await back_to(5, 2 * ROWS_PER_PAGE + 1) == 3
    assert await back_to(3, 0) == 1  # an empty list: its first page
    assert await back_to(1, 0) == 1
