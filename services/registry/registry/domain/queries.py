"""What a list request asks for: filters, an order and a page. Plain values; the adapters turn
them into SQL."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Generic, TypeVar

T = TypeVar("T")


class SortOrder(StrEnum):
    NEWEST = "-created_at"
    OLDEST = "created_at"
    NAME = "name"  # an enterprise's name, a listing's title


@dataclass(frozen=True)
class EnterpriseFilters:
    country: str | None = None
    region: str | None = None
    sector: str | None = None
    status: str | None = None
    q: str | None = None


@dataclass(frozen=True)
class ListingFilters:
    side: str
    enterprise_id: object | None = None
    country: str | None = None  # of the enterprise
    region: str | None = None  # the enterprise's region, or one the listing delivers to or looks in
    sector: str | None = None
    kind: str | None = None
    status: str | None = "active"
    product_code: str | None = None  # a prefix: "8428" finds 842810 and 8428109000
    q: str | None = None


@dataclass(frozen=True)
class PageRequest:
    limit: int = 50
    cursor: str | None = None
    sort: SortOrder = SortOrder.NEWEST


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    total: int
    next_cursor: str | None
