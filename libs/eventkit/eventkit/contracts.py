"""Event payloads: the contract between the services.

An event type names a past-tense fact. A payload model is looked up by (type, version), so a
consumer can reject what it does not understand instead of guessing.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, EmailStr, ValidationError

from eventkit.envelope import Envelope


class EventPayload(BaseModel):
    """A contract names the events it is for in its class line:
    `class ListingPublished(ListingSnapshot, event_type="listing.published")`."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    event_type: ClassVar[str]
    event_version: ClassVar[int] = 1

    def __init_subclass__(cls, *, event_type: str | None = None, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if event_type is not None:
            cls.event_type = event_type


class EnterpriseProfile(EventPayload):
    """An enterprise as the other services may know it. Contacts travel on the internal bus only:
    the notifications service needs them to write; no public response carries them."""

    enterprise_id: uuid.UUID
    name: str
    country: str
    region: str
    city: str
    legal_id: str = ""
    sectors: list[str]
    languages: list[str]
    size: str = "small"
    certifications: list[str] = []
    contact_person: str
    email: EmailStr
    phone: str | None = None
    status: str
    # The gateway account that registered it: the welcome email's confirmation link names it.
    owner_account_id: str | None = None
    # Additive, optional: true when the producer knows `email` is confirmed already (the owner's own
    # confirmed account address), so notifications sends no second confirmation and holds nothing.
    contact_email_confirmed: bool = False


class EnterpriseRegistered(EnterpriseProfile, event_type="enterprise.registered"): ...


class EnterpriseUpdated(EnterpriseProfile, event_type="enterprise.updated"):
    # Additive, optional: the identifying fields (name, country, inn, ogrn, unp) whose edit sent a
    # verified enterprise back to pending for the agency to check again (`status` is then
    # "pending"); empty for any other edit and in older events.
    recheck_because: list[str] = []


class EnterpriseSuspended(EnterpriseProfile, event_type="enterprise.suspended"):
    # The reviewer's reason, as written (additive, optional: older events have none).
    reason: str | None = None


class EnterpriseReinstated(EnterpriseProfile, event_type="enterprise.reinstated"):
    """The agency lifted a suspension: the enterprise is back at the status it had before."""


class EnterpriseDeleted(EventPayload, event_type="enterprise.deleted"):
    enterprise_id: uuid.UUID


class EnterpriseVerified(EventPayload, event_type="enterprise.verified"):
    enterprise_id: uuid.UUID
    name: str
    email: EmailStr
    languages: list[str]
    verified_by: str
    verified_at: datetime


class ListingSnapshot(EventPayload):
    """An offer (side "offer", supply) or a need (side "need", demand) as it stands after a change,
    with the enterprise facts matching scores on, so a consumer needs no other topic to act."""

    listing_id: uuid.UUID
    side: Literal["offer", "need"]
    enterprise_id: uuid.UUID
    enterprise_name: str
    enterprise_country: str
    enterprise_region: str
    enterprise_city: str
    enterprise_legal_id: str = ""
    enterprise_languages: list[str] = []
    enterprise_certifications: list[str] = []
    kind: str
    title: str
    description: str = ""
    sector: str
    product_codes: list[str] = []
    quantity: float | None = None
    unit: str | None = None
    regions: list[str] = []
    certifications: list[str] = []
    valid_until: date | None = None
    status: Literal["active", "closed"]
    version: int = 1
    # Additive, optional: why a closed listing closed: "expired" (its valid_until passed, closed by
    # the registry itself), "closed_by_owner" (the owner or the agency closed it),
    # "enterprise_deleted"; None while active and in older events.
    closed_because: str | None = None


class ListingPublished(ListingSnapshot, event_type="listing.published"): ...


class ListingChanged(ListingSnapshot, event_type="listing.changed"): ...


class ListingClosed(ListingSnapshot, event_type="listing.closed"): ...


class ListingReopened(ListingSnapshot, event_type="listing.reopened"): ...


class ListingExpiring(EventPayload, event_type="listing.expiring"):
    """An active listing's valid_until (a Moscow date, its last day) is near: the owner is told once
    per listing and date, so it may extend it (on registry.listings, keyed by the enterprise id)."""

    listing_id: uuid.UUID
    side: Literal["offer", "need"]
    enterprise_id: uuid.UUID
    enterprise_name: str
    title: str
    valid_until: date


class MatchSide(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    listing_id: uuid.UUID
    enterprise_id: uuid.UUID
    enterprise_name: str
    title: str


# Why matching withdrew a pair: its listing closed or expired, its enterprise suspended or sent back
# to the agency, the pair no longer scores, or a better pair took its place.
WithdrawalCause = Literal[
    "listing_closed",
    "listing_expired",
    "enterprise_suspended",
    "enterprise_unverified",
    "no_longer_scores",
    "displaced",
]


class MatchSnapshot(EventPayload):
    """A match after a transition of its lifecycle (keyed by the need's enterprise id, so one
    match's events stay in order). `actor` is who made the transition, `note` the reviewer's
    reason, a side's answer or the outcome."""

    match_id: uuid.UUID
    offer: MatchSide
    need: MatchSide
    score: float
    reasons_ru: list[str] = []
    reasons_en: list[str] = []
    # Additive, optional (older events have none): the reasons in Belarusian.
    reasons_be: list[str] = []
    status: str
    actor: str | None = None
    answered_by_side: Literal["offer", "need"] | None = None
    answer: Literal["interested", "declined"] | None = None
    note: str | None = None
    occurred_at: datetime
    # Additive, optional: the status before this transition ("approved" for a withdrawal of a
    # suggestion the companies had been sent; None in older events).
    previous_status: str | None = None
    # Additive, optional, on match.withdrawn: why, and whose listing (or enterprise) ended it.
    withdrawn_because: WithdrawalCause | None = None
    withdrawn_side: Literal["offer", "need"] | None = None


class MatchProposed(MatchSnapshot, event_type="match.proposed"): ...


class MatchApproved(MatchSnapshot, event_type="match.approved"): ...


class MatchRejected(MatchSnapshot, event_type="match.rejected"): ...


class MatchResponded(MatchSnapshot, event_type="match.responded"): ...


class MatchIntroduced(MatchSnapshot, event_type="match.introduced"): ...


class MatchClosed(MatchSnapshot, event_type="match.closed"): ...


class MatchWithdrawn(MatchSnapshot, event_type="match.withdrawn"):
    """The listing behind a proposed or approved match was closed, changed beyond the threshold,
    or its enterprise suspended (`withdrawn_because`, `withdrawn_side`)."""


class NotificationDead(EventPayload, event_type="notification.dead"):
    """An email the notifications service gave up on (its attempts ran out, or the server refused
    the address for good), set aside on `notifications.deliveries.dlq` for an operator to look at
    or queue again (`resend-dead`). Keyed by the delivery id."""

    delivery_id: uuid.UUID
    idempotency_key: str
    event_id: uuid.UUID
    # None for an account's own emails (sign-up, password), which belong to no enterprise.
    enterprise_id: uuid.UUID | None
    recipient: str | None
    template: str
    attempts: int
    reason: str | None


_CONTRACTS: dict[tuple[str, int], type[EventPayload]] = {
    (model.event_type, model.event_version): model
    for model in (
        EnterpriseRegistered,
        EnterpriseUpdated,
        EnterpriseVerified,
        EnterpriseSuspended,
        EnterpriseReinstated,
        EnterpriseDeleted,
        ListingPublished,
        ListingChanged,
        ListingClosed,
        ListingReopened,
        ListingExpiring,
        MatchProposed,
        MatchApproved,
        MatchRejected,
        MatchResponded,
        MatchIntroduced,
        MatchClosed,
        MatchWithdrawn,
        NotificationDead,
    )
}


class UndecodableEvent(Exception):
    """A message no consumer can act on; it belongs in the dead-letter topic with this reason."""


def current_contract(event_type: str) -> type[EventPayload]:
    """The contract a producer writes an event type with: its highest version."""
    versions = [model for (name, _), model in _CONTRACTS.items() if name == event_type]
    if not versions:
        raise KeyError(f"no contract for {event_type!r}")
    return max(versions, key=lambda model: model.event_version)


def envelope_for(payload: EventPayload, *, key: str, producer: str) -> Envelope:
    return Envelope(
        type=payload.event_type,
        version=payload.event_version,
        key=key,
        producer=producer,
        payload=payload.model_dump(mode="json"),
    )


def decode(raw: bytes) -> tuple[Envelope, EventPayload]:
    try:
        envelope = Envelope.from_bytes(raw)
    except ValidationError as error:
        raise UndecodableEvent(f"invalid envelope: {_first_error(error)}") from error
    model = _CONTRACTS.get((envelope.type, envelope.version))
    if model is None:
        raise UndecodableEvent(f"unknown event type {envelope.type!r} version {envelope.version}")
    try:
        return envelope, model.model_validate(envelope.payload)
    except ValidationError as error:
        raise UndecodableEvent(f"invalid {envelope.type} payload: {_first_error(error)}") from error


def _first_error(error: ValidationError) -> str:
    first = error.errors()[0]
    where = ".".join(str(part) for part in first["loc"]) or "body"
    return f"{where}: {first['msg']}"
