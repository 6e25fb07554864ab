"""The shapes of the matching API's requests and responses. No contact details ever appear here."""

from __future__ import annotations

import uuid
from dataclasses import asdict
from datetime import UTC, date, datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from eventkit.contracts import WithdrawalCause
from matching.domain.funnel import Funnel
from matching.domain.listing import Listing
from matching.domain.review import ReviewedMatch

# --- the errors the routes answer, as problem details (servicekit.problems) ---------------------

UNAUTHORIZED = (401, "The call does not carry a valid internal token from the gateway")
INVALID = (422, "Invalid fields: `errors` names each one and why")
NOT_FOUND = (404, "No such match, or not one the caller may see")
STAFF_ONLY = (403, "Only the investment agency may do this")
NOT_YOURS = (403, "Only the investment agency or the enterprises of the match may do this")
TOO_LARGE = (413, "The body is too large")
NOT_NOW = (409, "The match's status does not allow this now")
DECISION_ERRORS = (STAFF_ONLY, NOT_FOUND, NOT_NOW, TOO_LARGE, INVALID)

# The days and moments a client may name: PostgreSQL and a range's arithmetic (the day after the
# end, 90 days before it) both take them, so the calendar's edges are a 422 rather than an overflow.
EARLIEST_DAY, LATEST_DAY = date(1900, 1, 1), date(9998, 12, 31)


class OutsideTheCalendar(ValueError):
    pass


def day_within_the_calendar(day: date) -> date:
    if not EARLIEST_DAY <= day <= LATEST_DAY:
        raise OutsideTheCalendar(f"must be between {EARLIEST_DAY} and {LATEST_DAY}")
    return day


def moment_within_the_calendar(moment: datetime) -> datetime:
    """The moment with its offset (UTC when it has none), once its UTC day is within the
    calendar."""
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    try:
        day = moment.astimezone(UTC).date()
    except OverflowError:
        raise OutsideTheCalendar(f"must be between {EARLIEST_DAY} and {LATEST_DAY}") from None
    day_within_the_calendar(day)
    return moment


Day = Annotated[date, AfterValidator(day_within_the_calendar)]


class ApproveIn(BaseModel):
    """The reviewer's optional note; the body may be left out."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"note": "Both are verified; the volumes fit."}]}
    )

    note: str | None = Field(None, max_length=2000)


class RejectIn(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"reason": "The offer's lifts are freight lifts only."}]}
    )

    reason: str = Field(min_length=1, max_length=2000)


class RespondIn(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"answer": "interested"}]})

    answer: Literal["interested", "declined"]
    side: Literal["offer", "need"] | None = Field(
        default=None, description="only needed when one company owns both sides"
    )


class CloseIn(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"outcome": "A contract for 120 lifts was signed."}]}
    )

    outcome: str = Field(min_length=1, max_length=2000)


class ComponentOut(BaseModel):
    name: str
    value: float
    weight: float


class ReasonsOut(BaseModel):
    ru: list[str]
    en: list[str]
    be: list[str] = Field(default_factory=list, description="in Belarusian, one for each of ru")


class ListingOut(BaseModel):
    """A listing as matching read it from the registry's events (no contact details)."""

    id: uuid.UUID
    side: str = Field(description="offer (what the enterprise supplies) or need (what it seeks)")
    enterprise_id: uuid.UUID
    enterprise_name: str
    country: str = Field(description="the enterprise's country: RU or BY")
    region: str = Field(description="the enterprise's region, an id of GET /regions")
    city: str
    title: str
    description: str
    sector: str = Field(description="an id of GET /sectors")
    product_codes: list[str] = Field(description="EAEU TN VED / HS codes, 4 to 10 digits each")
    quantity: float | None = Field(description="how much, in `unit`; null when not said")
    unit: str | None = Field(description="a code of the units vocabulary, like t/month")
    certifications: list[str]
    status: str = Field(description="active, or closed (matched no more)")

    @classmethod
    def of(cls, listing: Listing) -> ListingOut:
        values = {name: getattr(listing, name) for name in cls.model_fields}
        return cls(
            **values
            | {
                "product_codes": list(listing.product_codes),
                "certifications": list(listing.certifications),
            }
        )


class HistoryOut(BaseModel):
    from_status: str | None
    to_status: str
    event: str
    actor: str
    note: str | None = Field(
        description="the reviewer's reason, or matching's own words (in English) for a withdrawal"
    )
    at: datetime
    cause: WithdrawalCause | None = Field(
        None, description="why matching withdrew the pair (a withdrawal's entry only)"
    )
    side: Literal["offer", "need"] | None = Field(
        None,
        description="the side that answered (a response's entry), or whose listing or enterprise "
        "the withdrawal came from",
    )


class MatchOut(BaseModel):
    id: uuid.UUID
    offer_id: uuid.UUID = Field(description="the offer's listing")
    need_id: uuid.UUID = Field(description="the need's listing")
    offer_enterprise_id: uuid.UUID
    need_enterprise_id: uuid.UUID
    score: float = Field(description="how well the offer fits the need, from 0 to 1")
    status: str = Field(
        description="proposed, approved, rejected, declined, introduced, closed or withdrawn"
    )
    sector: str
    offer_title: str
    need_title: str
    offer_enterprise_name: str
    need_enterprise_name: str
    offer_country: str
    need_country: str
    offer_region: str
    need_region: str
    offer_city: str
    need_city: str
    offer_enterprise_status: str | None = Field(
        description="verified, pending or suspended; null while matching has not heard of the "
        "enterprise"
    )
    need_enterprise_status: str | None = Field(
        description="verified, pending or suspended; null while matching has not heard of the "
        "enterprise"
    )
    components: list[ComponentOut]
    reasons: ReasonsOut
    offer_answer: str | None
    need_answer: str | None
    outcome: str | None
    review_note: str | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, reviewed: ReviewedMatch) -> MatchOut:
        """The match's own fields, each side's party prefixed by its side, and the reasons in
        every language."""
        match = reviewed.match
        own = {name: getattr(match, name) for name in cls.model_fields if hasattr(match, name)}
        own["components"] = [ComponentOut(**asdict(c)) for c in match.components]
        parties = {
            f"{side}_{name}": value
            for side, party in (("offer", reviewed.offer), ("need", reviewed.need))
            for name, value in asdict(party).items()
        }
        reasons = ReasonsOut(ru=match.reasons_ru, en=match.reasons_en, be=match.reasons_be)
        return cls(**own, **parties, sector=reviewed.sector, reasons=reasons)


class MatchDetailOut(MatchOut):
    offer: ListingOut
    need: ListingOut
    history: list[HistoryOut]


class MatchPage(BaseModel):
    items: list[MatchOut]
    total: int
    next_cursor: str | None


class StatsRow(BaseModel):
    key: str
    status: str
    period: datetime | None = None
    count: int
    mean_score: float


class StatsOut(BaseModel):
    group_by: str
    period: str | None
    items: list[StatsRow]


class FunnelRowOut(BaseModel):
    key: str = Field(
        description='"all"; a sector; "<offer_region>→<need_region>"; "BY-RU" (offer-need); or '
        "the first day of a week (Monday) or month"
    )
    proposed: int
    approved: int
    rejected: int
    interested: int
    introduced: int
    closed: int


class FunnelOut(BaseModel):
    date_from: date
    date_to: date
    group_by: str
    rows: list[FunnelRowOut]

    @classmethod
    def of(cls, funnel: Funnel) -> FunnelOut:
        return cls(
            date_from=funnel.funnel_range.date_from,
            date_to=funnel.funnel_range.date_to,
            group_by=funnel.group_by,
            rows=[FunnelRowOut(**asdict(row)) for row in funnel.rows],
        )
