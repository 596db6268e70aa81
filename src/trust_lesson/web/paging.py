"""Long lists on pages, one page of rows at a time with links to the pages around it.

A list fetches one row more than it shows, so the page knows whether a next page exists
without counting the whole table."""

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Annotated, Generic, TypeVar

from fastapi import Depends, Form, Query

Row = TypeVar("Row")
ROWS_PER_PAGE = 200
LAST_PAGE_ASKED = 10_000  # 2,000,000 rows: past it a page number is refused (422)

PageField = Annotated[int, Form(ge=1, le=LAST_PAGE_ASKED)]
"""The page of a list a form was shown on, sent back in a hidden field so the person returns to
it: refused in words (422) like the address's page number, nothing saved."""


@dataclass(frozen=True)
class PageRequest:
    """The `page` (1, 2, ...) a person asked for."""

    number: int

    @property
    def offset(self) -> int:
        return (self.number - 1) * ROWS_PER_PAGE

    @property
    def fetch(self) -> int:
        """Rows to ask the database for: one more than a page shows."""
        return ROWS_PER_PAGE + 1


def page_request(page: Annotated[int, Query(ge=1, le=LAST_PAGE_ASKED)] = 1) -> PageRequest:
    return PageRequest(page)


PageRequestDep = Annotated[PageRequest, Depends(page_request)]


def page_request_named(parameter: str) -> Callable[[int], PageRequest]:
    """Like `page_request`, for a page with two long lists: each list's page its own parameter."""

    def asked(
        number: Annotated[int, Query(alias=parameter, ge=1, le=LAST_PAGE_ASKED)] = 1,
    ) -> PageRequest:
        return PageRequest(number)

    return asked


@dataclass(frozen=True)
class PageOf(Generic[Row]):
    rows: Sequence[Row]
    number: int
    has_next: bool

    @property
    def first_row(self) -> int:
        return (self.number - 1) * ROWS_PER_PAGE + 1

    @property
    def last_row(self) -> int:
        return self.first_row + len(self.rows) - 1


def page_of(fetched: Sequence[Row], asked: PageRequest) -> PageOf[Row]:
    return PageOf(
        rows=fetched[:ROWS_PER_PAGE],
        number=asked.number,
        has_next=len(fetched) > ROWS_PER_PAGE,
    )


async def page_still_there(asked: PageRequest, count: Callable[[], Awaitable[int]]) -> PageRequest:
    """`asked`, or the list's last page when the list now ends before it (the last row of the
    last page was just settled): never an empty page past the end. `count` (the rows of the
    whole list) is asked only beyond page 1."""
    if asked.number == 1:
        return asked
    last = max(1, -(-await count() // ROWS_PER_PAGE))
    return PageRequest(min(asked.number, last))
