"""The funnel: how many matches reached each stage in a date range, counted by their transitions.

A stage is reached by a transition of the match's history (see `match.py`): proposed when the
match is created (the first `match.proposed`, from no status; a withdrawn pair proposed again is not
counted twice), approved / rejected by the agency, interested when a side answers interested
(`match.responded` staying approved), introduced when both are, closed with an outcome. Each count
is of distinct matches that reached the stage inside the range (UTC days, both ends inclusive), and
a match reaches a stage once: its first marking transition counts, a later one (the same pair
approved again after a withdrawal and a re-proposal, the second side's interest) does not.

The counts are kept as a daily roll-up written with each transition (`stages_reached` says which
stages a use case's transitions mark); the funnel sums the roll-up's days.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from matching.domain.errors import FieldError, InvalidInput
from matching.domain.match import APPROVED, CLOSED, INTRODUCED, PROPOSED, REJECTED, Transition

GROUPINGS = ("none", "sector", "region_pair", "country_pair", "week", "month")
PERIODS = ("week", "month")  # groupings keyed by the first day of a period, listed in time order
DEFAULT_DAYS = 90
MAX_SPAN_DAYS = 5 * 366  # about five years
ALL = "all"
REGION_ARROW = "→"  # region_pair keys: "<offer_region>→<need_region>"


@dataclass(frozen=True)
class Mark:
    """The history entry that marks a stage: its event, and optionally the status it went to or
    that it came from no status (the match's creation)."""

    event_type: str
    to_status: str | None = None
    created: bool = False

    def marks(self, transition: Transition) -> bool:
        return (
            transition.event_type == self.event_type
            and self.to_status in (None, transition.to_status)
            and (not self.created or transition.from_status is None)
        )


STAGES: dict[str, Mark] = {
    "proposed": Mark("match.proposed", to_status=PROPOSED, created=True),
    "approved": Mark("match.approved", to_status=APPROVED),
    "rejected": Mark("match.rejected", to_status=REJECTED),
    "interested": Mark(
        "match.responded", to_status=APPROVED
    ),  # a declined answer goes to `declined`
    "introduced": Mark("match.introduced", to_status=INTRODUCED),
    "closed": Mark("match.closed", to_status=CLOSED),
}


def stages_reached(transitions: list[Transition]) -> list[tuple[str, datetime]]:
    """The stages these transitions mark, each once with the time of its first marking transition,
    in the order reached. Whether the match had reached a stage before is for the caller to know."""
    reached: dict[str, datetime] = {}
    for transition in transitions:
        for stage, mark in STAGES.items():
            if stage not in reached and mark.marks(transition):
                reached[stage] = transition.at
    return list(reached.items())


def day_of(at: datetime) -> date:
    """The UTC day a moment falls on: the funnel's days are UTC days."""
    return at.astimezone(UTC).date()


@dataclass(frozen=True)
class FunnelRange:
    date_from: date
    date_to: date  # inclusive

    @classmethod
    def of(cls, *, date_from: date | None, date_to: date | None, today: date) -> FunnelRange:
        """The asked range; by default the last 90 days up to today (UTC)."""
        date_to = date_to or today
        date_from = date_from or date_to - timedelta(days=DEFAULT_DAYS)
        if date_from > date_to:
            raise InvalidInput([FieldError("date_from", "must not be after date_to")])
        if (date_to - date_from).days > MAX_SPAN_DAYS:
            raise InvalidInput(
                [FieldError("date_to", f"the range may span at most {MAX_SPAN_DAYS} days")]
            )
        return cls(date_from, date_to)

    @property
    def start(self) -> datetime:
        return datetime.combine(self.date_from, time(), UTC)

    @property
    def end(self) -> datetime:
        """Exclusive: the start of the day after `date_to`."""
        return datetime.combine(self.date_to + timedelta(days=1), time(), UTC)


@dataclass(frozen=True)
class FunnelRow:
    key: str
    proposed: int = 0
    approved: int = 0
    rejected: int = 0
    interested: int = 0
    introduced: int = 0
    closed: int = 0


def period_start(day: date, period: str) -> date:
    if period == "week":
        return day - timedelta(days=day.weekday())  # ISO weeks start on Monday
    return day.replace(day=1)


def period_keys(funnel_range: FunnelRange, period: str) -> list[str]:
    """The first day of every week or month the range touches, in order."""
    keys, day = [], period_start(funnel_range.date_from, period)
    while day <= funnel_range.date_to:
        keys.append(day.isoformat())
        day = (
            day + timedelta(days=7)
            if period == "week"
            else (day.replace(day=28) + timedelta(days=4)).replace(day=1)
        )
    return keys


def arranged(rows: list[FunnelRow], *, group_by: str, funnel_range: FunnelRange) -> list[FunnelRow]:
    """Periods in time order, each period of the range present (zeros when nothing happened);
    `none` as one row `all`; other keys by proposed, most first, then by key."""
    if group_by == "none":
        return [next(iter(rows), FunnelRow(ALL))]
    if group_by in PERIODS:
        counted = {row.key: row for row in rows}
        return [counted.get(key, FunnelRow(key)) for key in period_keys(funnel_range, group_by)]
    return sorted(rows, key=lambda row: (-row.proposed, row.key))


@dataclass(frozen=True)
class Funnel:
    funnel_range: FunnelRange
    group_by: str
    rows: list[FunnelRow] = field(default_factory=list)
