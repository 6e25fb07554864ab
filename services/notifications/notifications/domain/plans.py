"""Which emails a platform event causes."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from functools import partial

from eventkit.contracts import (
    EnterpriseRegistered,
    EnterpriseSuspended,
    EnterpriseUpdated,
    EnterpriseVerified,
    EventPayload,
    ListingExpiring,
    MatchApproved,
    MatchIntroduced,
    MatchResponded,
    MatchSide,
    MatchSnapshot,
    MatchWithdrawn,
)
from eventkit.envelope import Envelope
from notifications.domain.deliveries import CONTACT_CONFIRMATION, Delivery, preferred_language

MATCH_TEMPLATES = {MatchApproved: "suggestion", MatchIntroduced: "introduction"}
ACCOUNT_INVITATION = "account_invitation"
# How long the gateway keeps an invitation's link valid; the email says so.
INVITATION_VALID_HOURS = 72
# The gateway's own emails about an account: confirming its address at sign-up, and a forgotten
# password. How long each link works is the gateway's rule; the emails say so.
ACCOUNT_CONFIRMATION = "account_confirmation"
CONFIRMATION_VALID_DAYS = 7
PASSWORD_RESET = "password_reset"
PASSWORD_RESET_VALID_HOURS = 1
ACCOUNT_EXISTS = "account_exists"
# How long its link works; the emails kept for the address wait as long. After that, saving the
# address again brings a new link.
CONTACT_CONFIRMATION_VALID_DAYS = 30
DEFAULT_AGENCY_EMAIL = "agency@unionmatch.local"


@dataclass(frozen=True)
class AgencyContact:
    """How a company reaches the investment agency (NOTIFICATIONS_AGENCY_EMAIL, _AGENCY_PHONE)."""

    email: str = DEFAULT_AGENCY_EMAIL
    phone: str | None = None


def deliveries_for(
    envelope: Envelope,
    payload: EventPayload,
    *,
    public_base_url: str,
    agency: AgencyContact = AgencyContact(),
) -> list[Delivery]:
    if isinstance(payload, EnterpriseRegistered):
        return [_to_enterprise(envelope, payload, "welcome", public_base_url)]
    if isinstance(payload, EnterpriseVerified):
        return [_to_enterprise(envelope, payload, "verified", public_base_url)]
    if (
        isinstance(payload, EnterpriseUpdated) and payload.recheck_because
    ):  # an identity edit sent it back to pending
        return [
            _to_enterprise(
                envelope,
                payload,
                "recheck",
                public_base_url,
                {"changed": list(payload.recheck_because)},
            )
        ]
    if isinstance(payload, EnterpriseSuspended):
        facts = {
            "reason": payload.reason or "",
            "agency_email": agency.email,
            "agency_phone": agency.phone or "",
        }
        return [_to_enterprise(envelope, payload, "suspended", public_base_url, facts)]
    if isinstance(payload, (MatchResponded, MatchWithdrawn)):
        return suggestion_ended(envelope, payload)
    if isinstance(payload, ListingExpiring):
        return [listing_expiring(envelope, payload, public_base_url)]
    template = MATCH_TEMPLATES.get(type(payload))
    if template:
        return _to_each_side(envelope, payload, template)
    return []


def contact_confirmation(envelope: Envelope, recipient) -> Delivery:
    """The one email an unconfirmed enterprise address gets: a link that confirms it (signed when it
    is sent), after which the emails kept for it go out. One per event that gave the address."""
    return Delivery.plan(
        event_id=envelope.event_id,
        enterprise_id=recipient.enterprise_id,
        recipient=recipient.email,
        template=CONTACT_CONFIRMATION,
        language=recipient.language,
        context={
            "name": recipient.name,
            "email": recipient.email,
            "valid_days": CONTACT_CONFIRMATION_VALID_DAYS,
        },
    )


def account_invitation(
    *, invitation_id: uuid.UUID, email: str, name: str, role: str, link: str, language: str
) -> Delivery:
    """The email that gives a person a staff account: keyed by the invitation alone, so the same
    invitation asked for twice is one email (the first request's details win)."""
    return Delivery(
        id=uuid.uuid4(),
        idempotency_key=str(invitation_id),
        event_id=invitation_id,
        enterprise_id=None,
        recipient=email,
        template=ACCOUNT_INVITATION,
        language=language,
        context={"name": name, "role": role, "link": link, "valid_hours": INVITATION_VALID_HOURS},
    )


# What each of the gateway's account emails says besides its link.
ACCOUNT_EMAIL_FACTS = {
    # Proves a new account's address: sent to that address at sign-up.
    ACCOUNT_CONFIRMATION: {"valid_days": CONFIRMATION_VALID_DAYS},
    # The one-time link to choose a new password, for someone who asked for it by address.
    PASSWORD_RESET: {"valid_hours": PASSWORD_RESET_VALID_HOURS},
    # Someone registered with an address that has an account: its owner is told, with the way to a
    # new password (`link`) in case it was them and they forgot it.
    ACCOUNT_EXISTS: {},
}


def account_email(
    template: str, *, request_id: uuid.UUID, email: str, link: str, language: str
) -> Delivery:
    """One of the gateway's account emails (ACCOUNT_EMAIL_FACTS names them), keyed by the gateway's
    request alone (and the kind of email): asked twice, it is one email."""
    return Delivery(
        id=uuid.uuid4(),
        idempotency_key=f"{template}:{request_id}",
        event_id=request_id,
        enterprise_id=None,
        recipient=email,
        template=template,
        language=language,
        context={"link": link, **ACCOUNT_EMAIL_FACTS[template]},
    )


account_confirmation = partial(account_email, ACCOUNT_CONFIRMATION)
password_reset = partial(account_email, PASSWORD_RESET)
account_exists = partial(account_email, ACCOUNT_EXISTS)


def match_facts(match: MatchSnapshot, own_side: str, own: MatchSide, other: MatchSide) -> dict:
    return {
        "match_id": str(match.match_id),
        "own_side": own_side,
        "own_title": own.title,
        "partner_title": other.title,
        "partner_name": other.enterprise_name,
        "score": match.score,
        "reasons_ru": list(match.reasons_ru),
        "reasons_en": list(match.reasons_en),
        "reasons_be": list(match.reasons_be),
        "approved_at": match.occurred_at.isoformat(),
    }


def opened_suggestions(envelope: Envelope, match: MatchApproved) -> list[dict]:
    """One suggestion per side, each waiting for that side's answer (for the reminder)."""
    return [
        {
            "match_id": match.match_id,
            "enterprise_id": own.enterprise_id,
            "partner_id": other.enterprise_id,
            "approval_event_id": envelope.event_id,
            "approved_at": match.occurred_at,
            "facts": match_facts(match, own_side, own, other),
        }
        for own_side, own, other in _sides(match)
    ]


def answering_enterprise(match: MatchSnapshot) -> uuid.UUID | None:
    if match.answered_by_side == "offer":
        return match.offer.enterprise_id
    if match.answered_by_side == "need":
        return match.need.enterprise_id
    return None


def reminder(suggestion) -> Delivery:
    return Delivery.plan_to_enterprise(
        event_id=suggestion.approval_event_id,
        enterprise_id=suggestion.enterprise_id,
        partner_id=suggestion.partner_id,
        template="reminder",
        facts=dict(suggestion.facts),
    )


def digest(enterprise_id: uuid.UUID, *, on: date, held: list[Delivery]) -> Delivery:
    """One email a day with the suggestions held for an enterprise that asked for a digest."""
    return Delivery.plan_to_enterprise(
        event_id=uuid.uuid5(enterprise_id, f"{on.isoformat()}:{held[0].id}"),
        enterprise_id=enterprise_id,
        partner_id=None,
        template="digest",
        facts={"suggestions": [d.context for d in held], "digest_on": on.isoformat()},
    )


LISTING_EXPIRING = "listing_expiring"


def listing_expiring(
    envelope: Envelope, listing: ListingExpiring, public_base_url: str
) -> Delivery:
    """The owner of a listing about to expire, with the portal page where its valid_until is
    changed. The registry announces each listing and date once; the event id keeps it one email."""
    return Delivery.plan_to_enterprise(
        event_id=envelope.event_id,
        enterprise_id=listing.enterprise_id,
        partner_id=None,
        template=LISTING_EXPIRING,
        facts={
            "listing_id": str(listing.listing_id),
            "side": listing.side,
            "title": listing.title,
            "enterprise_name": listing.enterprise_name,
            "valid_until": listing.valid_until.isoformat(),
            "extend_url": (
                f"{public_base_url.rstrip('/')}/my/listings/{listing.side}/{listing.listing_id}/edit"
            ),
        },
    )


SUGGESTION_ENDED = "suggestion_ended"


def suggestion_ended(envelope: Envelope, match: MatchResponded | MatchWithdrawn) -> list[Delivery]:
    """A suggestion the companies had been sent has ended: the side that did not end it is told why,
    once per event. `ending` is "declined" (the partner answered not interested), or the cause of a
    withdrawal: "listing_closed", "listing_expired", "enterprise_suspended" (said as "no longer
    available") or "no_longer_scores". A match withdrawn before the agency approved it was never
    news to anyone."""
    if isinstance(match, MatchResponded):
        if match.answer != "declined" or match.answered_by_side is None:
            return []
        ending, ended_by = "declined", match.answered_by_side
    else:
        if (
            match.previous_status != "approved"
            or match.withdrawn_side is None
            or match.withdrawn_because is None
        ):
            return []
        ending, ended_by = match.withdrawn_because, match.withdrawn_side
    facts = {"ending": ending, "ended_at": match.occurred_at.isoformat()}
    return _to_each_side(envelope, match, SUGGESTION_ENDED, facts=facts, except_side=ended_by)


def _to_each_side(
    envelope: Envelope,
    match: MatchSnapshot,
    template: str,
    *,
    facts: dict | None = None,
    except_side: str | None = None,
) -> list[Delivery]:
    """One email to each side of a match (but `except_side`), each about its own listing and the
    partner's, with `facts` besides."""
    return [
        Delivery.plan_to_enterprise(
            event_id=envelope.event_id,
            enterprise_id=own.enterprise_id,
            partner_id=other.enterprise_id,
            template=template,
            facts=match_facts(match, own_side, own, other) | (facts or {}),
        )
        for own_side, own, other in _sides(match)
        if own_side != except_side
    ]


def _sides(match: MatchSnapshot) -> list[tuple[str, MatchSide, MatchSide]]:
    return [("offer", match.offer, match.need), ("need", match.need, match.offer)]


def _to_enterprise(
    envelope: Envelope, payload, template: str, public_base_url: str, facts: dict | None = None
) -> Delivery:
    context = {
        "enterprise_name": payload.name,
        "contact_person": getattr(payload, "contact_person", ""),
        "profile_url": f"{public_base_url}/enterprises/{payload.enterprise_id}",
        **(facts or {}),
    }
    if isinstance(payload, EnterpriseRegistered) and payload.owner_account_id:
        context["owner_account_id"] = payload.owner_account_id
    return Delivery.plan(
        event_id=envelope.event_id,
        enterprise_id=payload.enterprise_id,
        recipient=str(payload.email),
        template=template,
        language=preferred_language(payload.languages),
        context=context,
    )
