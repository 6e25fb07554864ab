"""The review pipeline as stages and the share of each stage that reached the next."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

STAGES = ("proposed", "approved", "interested", "introduced", "closed")
# The dashboard's period when none is chosen: the last 90 days.
DEFAULT_DAYS = 90


@dataclass(frozen=True)
class Stage:
    name: str
    count: int
    rate_from_previous: float | None  # None for the first stage or when the previous one is empty


def stages_of(row: dict) -> list[Stage]:
    found, previous = [], None
    for name in STAGES:
        count = int(row.get(name) or 0)
        rate = None if previous in (None, 0) else count / previous
        found.append(Stage(name, count, rate))
        previous = count
    return found


def conversion(row: dict, *, into: str, out_of: str) -> float | None:
    base = int(row.get(out_of) or 0)
    return None if base == 0 else int(row.get(into) or 0) / base


def bar_widths(values: list[int], *, full: float = 100.0) -> list[float]:
    """Each value as a share of the largest, for bars drawn side by side."""
    top = max(values, default=0)
    return [0.0 if top == 0 else round(full * value / top, 1) for value in values]


def chosen_period(date_from: str, date_to: str, *, today: date) -> tuple[date, date, list[str]]:
    """The first and last day the reviewer asked for (ISO dates), and the fields that could not be
    read and were replaced: a missing or unreadable end is today; a missing, unreadable or later
    start is the default number of days before the end, or the calendar's first day when the end
    is nearer to it."""
    problems = []
    try:
        until = date.fromisoformat(date_to) if date_to else today
    except ValueError:
        until, problems = today, ["date_to"]
    try:
        since = date.fromisoformat(date_from) if date_from else _default_start(until)
    except ValueError:
        since, problems = _default_start(until), [*problems, "date_from"]
    if since > until:
        since, problems = _default_start(until), [*problems, "date_from"]
    return since, until, problems


def _default_start(until: date) -> date:
    days_before = timedelta(days=DEFAULT_DAYS - 1)
    return until - days_before if until - date.min >= days_before else date.min
