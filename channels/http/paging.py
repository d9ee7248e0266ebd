"""``limit`` / ``offset`` on list routes, with the total in an ``X-Total-Count`` header.

The JSON body keeps its shape (a plain list), so existing clients see no change: without ``limit`` a list
is whole, as before; the header is there either way.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, TypeVar

from fastapi import Depends, Query, Response

TOTAL_HEADER = "X-Total-Count"
T = TypeVar("T")


class Page:
    def __init__(self, response: Response, limit: int | None, offset: int) -> None:
        self.response, self.limit, self.offset = response, limit, offset

    def total(self, count: int) -> None:
        self.response.headers[TOTAL_HEADER] = str(count)

    def slice(self, rows: Sequence[T]) -> Sequence[T]:
        """One page of a list the service returned whole; the total is the whole list's length."""
        self.total(len(rows))
        end = None if self.limit is None else self.offset + self.limit
        return rows[self.offset : end]


async def get_page(
    response: Response,
    limit: Annotated[int | None, Query(ge=1, le=1000, description="At most this many rows.")] = None,
    offset: Annotated[int, Query(ge=0, le=1_000_000, description="Skip this many rows first.")] = 0,
) -> Page:
    return Page(response, limit, offset)


Paging = Annotated[Page, Depends(get_page)]
