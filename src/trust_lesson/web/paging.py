"""Long lists on pages, one page of rows at a time with links to the pages around it.

A list fetches one row more than it shows, so the page knows whether a next page exists
without counting the whole table."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Annotated, Generic, TypeVar

from fastapi import Depends, Query

Row = TypeVar("Row")
ROWS_PER_PAGE = 200


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


def page_request(page: Annotated[int, Query(ge=1, le=10_000)] = 1) -> PageRequest:
    return PageRequest(page)


PageRequestDep = Annotated[PageRequest, Depends(page_request)]


def page_request_named(parameter: str) -> Callable[[int], PageRequest]:
    """Like `page_request`, for a page with two long lists: each list's page its own parameter."""

    def asked(number: Annotated[int, Query(alias=parameter, ge=1, le=10_000)] = 1) -> PageRequest:
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
