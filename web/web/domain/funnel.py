"""The review pipeline as stages and the share of each stage that reached the next."""

from __future__ import annotations

from dataclasses import dataclass

STAGES = ("proposed", "approved", "interested", "introduced", "closed")


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
