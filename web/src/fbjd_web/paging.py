"""Pagination of long lists (limit/offset): what the pager shows, from the API's X-Total-Count when it sends one
and, when it does not, from whether the page came back full (previous / next only)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlencode

__all__ = ["Page", "page_of", "with_query"]


@dataclass(frozen=True, slots=True)
class Page:
    offset: int
    limit: int
    shown: int
    total: int | None  # None: the API did not say (previous / next only)

    @property
    def has_previous(self) -> bool:
        return self.offset > 0

    @property
    def has_next(self) -> bool:
        if self.total is None:
            return self.shown >= self.limit
        return self.offset + self.shown < self.total

    @property
    def previous_offset(self) -> int:
        return max(self.offset - self.limit, 0)

    @property
    def next_offset(self) -> int:
        return self.offset + self.limit

    @property
    def first_row(self) -> int:
        return self.offset + 1 if self.shown else 0

    @property
    def last_row(self) -> int:
        return self.offset + self.shown

    @property
    def number(self) -> int:
        return self.offset // self.limit + 1

    @property
    def pages(self) -> int | None:
        if self.total is None:
            return None
        return max((self.total + self.limit - 1) // self.limit, 1)


def page_of(*, offset: int, limit: int, shown: int, total_header: str | None) -> Page:
    """The page; a missing or unreadable X-Total-Count leaves the total unknown."""
    try:
        total = int(total_header) if total_header is not None else None
    except ValueError:
        total = None
    return Page(offset=offset, limit=limit, shown=shown, total=total)


def with_query(path: str, params: Mapping[str, str | int | None], **changes: str | int | None) -> str:
    """`path?…` with `params` updated by `changes`, leaving out empty values (clean, shareable URLs)."""
    merged = {**params, **changes}
    kept = [(key, str(value)) for key, value in merged.items() if value not in (None, "")]
    return f"{path}?{urlencode(kept)}" if kept else path
