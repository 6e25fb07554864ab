"""A view of the review queue as the reviewer chose it: filters, sort and page, kept in the
address so it can be bookmarked and shared. What the address says is checked here; a value that
makes no sense is dropped (and reported), never sent on to the API."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields, replace
from datetime import date, timedelta
from urllib.parse import urlencode

MATCH_STATUSES = (
    "proposed",
    "approved",
    "rejected",
    "declined",
    "introduced",
    "closed",
    "withdrawn",
)
COUNTRY_PAIRS = ("BY-RU", "RU-BY", "RU-RU", "BY-BY")
VERIFICATION = ("verified", "unverified")
SORTS = ("score", "newest", "age")
AGES = ("1", "7", "30", "90")  # "older than N days"
PAGE_SIZES = (25, 50, 100)
_IDENTIFIER = re.compile(r"^[a-z0-9_]{1,64}$")


@dataclass(frozen=True)
class QueueView:
    status: str = "proposed"
    sector: str = ""
    country_pair: str = ""
    region: str = ""
    min_score: str = ""
    older_than_days: str = ""
    verification: str = ""
    sort: str = "score"
    page: int = 1
    page_size: int = 25
    rejected_values: tuple[str, ...] = field(default=(), compare=False)

    @classmethod
    def from_query(cls, query: dict[str, str]) -> QueueView:
        checks = {
            "status": lambda v: v in MATCH_STATUSES or v == "any",
            "sector": _IDENTIFIER.match,
            "country_pair": lambda v: v in COUNTRY_PAIRS,
            "region": _IDENTIFIER.match,
            "min_score": _is_score,
            "older_than_days": lambda v: v in AGES,
            "verification": lambda v: v in VERIFICATION,
            "sort": lambda v: v in SORTS,
        }
        chosen, rejected = {}, []
        for name, accepts in checks.items():
            value = (query.get(name) or "").strip()
            if value and accepts(value):
                chosen[name] = value
            elif value:
                rejected.append(name)
        chosen["page"] = _bounded_int(query.get("page"), default=1, low=1, high=10_000)
        size = _bounded_int(query.get("page_size"), default=25, low=1, high=100)
        chosen["page_size"] = size if size in PAGE_SIZES else 25
        return cls(**chosen, rejected_values=tuple(rejected))

    def api_params(self, *, today: date) -> dict[str, str | int]:
        params: dict[str, str | int] = {
            "sort": self.sort,
            "limit": self.page_size,
            "cursor": str((self.page - 1) * self.page_size),
        }
        if self.status != "any":
            params["status"] = self.status
        for name in ("sector", "country_pair", "region", "min_score", "verification"):
            value = getattr(self, name)
            if value:
                params[name] = value
        if self.older_than_days:
            params["created_until"] = (
                today - timedelta(days=int(self.older_than_days))
            ).isoformat()
        return params

    def query(self, **changes) -> str:
        """The address's query string of this view, with some choices changed."""
        view = replace(self, **changes)
        defaults = QueueView()
        pairs = {f.name: getattr(view, f.name) for f in fields(view) if f.name != "rejected_values"}
        kept = {name: value for name, value in pairs.items() if value != getattr(defaults, name)}
        return urlencode(kept)

    @property
    def is_filtered(self) -> bool:
        return any(
            getattr(self, name)
            for name in (
                "sector",
                "country_pair",
                "region",
                "min_score",
                "older_than_days",
                "verification",
            )
        )


def _is_score(value: str) -> bool:
    try:
        return 0 <= float(value) <= 1
    except ValueError:
        return False


def _bounded_int(value: str | None, *, default: int, low: int, high: int) -> int:
    if not value or not value.isdigit() or len(value) > 6:
        return default
    return min(max(int(value), low), high)
