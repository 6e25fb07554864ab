"""The registry's events, built from the domain objects the use cases have just changed."""

from __future__ import annotations

from collections.abc import Iterable

from eventkit.contracts import (
    EnterpriseDeleted,
    EnterpriseProfile,
    EnterpriseSuspended,
    EnterpriseVerified,
    EventPayload,
    ListingExpiring,
    ListingSnapshot,
    envelope_for,
)
from eventkit.envelope import Envelope
from registry.domain import listing as listing_rules
from registry.domain.enterprise import Enterprise
from registry.domain.listing import Listing

PRODUCER = "registry"

# What each event copies from the domain objects, by the name both give it.
_PROFILE = (
    "name country region city legal_id sectors languages size certifications contact_person email"
    " phone status owner_account_id"
).split()
# A listing's snapshot: all its owner may change, and what the registry keeps of it.
_LISTING = listing_rules.CHANGEABLE | {"side", "version", "closed_because"}
# The facts of its enterprise a listing event carries, as enterprise_<fact>.
_LISTED_ENTERPRISE = "id name country region city legal_id languages certifications".split()


def enterprise_profile(
    contract: type[EnterpriseProfile], enterprise: Enterprise, **extra
) -> Envelope:
    payload = contract(enterprise_id=enterprise.id, **_copied(enterprise, _PROFILE), **extra)
    return _keyed_by(enterprise, payload)


def enterprise_suspended(enterprise: Enterprise) -> Envelope:
    """The profile as suspended, with the reviewer's reason as given (the suspension email quotes
    it)."""
    return enterprise_profile(EnterpriseSuspended, enterprise, reason=enterprise.suspension_reason)


def enterprise_verified(enterprise: Enterprise) -> Envelope:
    payload = EnterpriseVerified(
        enterprise_id=enterprise.id,
        verified_by=enterprise.verified_by or "",
        **_copied(enterprise, ("name", "email", "languages", "verified_at")),
    )
    return _keyed_by(enterprise, payload)


def enterprise_deleted(enterprise: Enterprise) -> Envelope:
    return _keyed_by(enterprise, EnterpriseDeleted(enterprise_id=enterprise.id))


def listing_expiring(listing: Listing, enterprise: Enterprise) -> Envelope:
    payload = ListingExpiring(
        listing_id=listing.id,
        **_copied(listing, ("side", "title", "valid_until")),
        **_of_enterprise(enterprise, ("id", "name")),
    )
    return _keyed_by(enterprise, payload)


def listing_snapshot(
    contract: type[ListingSnapshot], listing: Listing, enterprise: Enterprise
) -> Envelope:
    payload = contract(
        listing_id=listing.id,
        **_copied(listing, _LISTING),
        **_of_enterprise(enterprise, _LISTED_ENTERPRISE),
    )
    return _keyed_by(enterprise, payload)


def _copied(source: Enterprise | Listing, names: Iterable[str]) -> dict:
    return {name: getattr(source, name) for name in names}


def _of_enterprise(enterprise: Enterprise, facts: Iterable[str]) -> dict:
    """The enterprise's facts as a listing event names them: enterprise_id, enterprise_name..."""
    return {f"enterprise_{fact}": getattr(enterprise, fact) for fact in facts}


def _keyed_by(enterprise: Enterprise, payload: EventPayload) -> Envelope:
    """Every registry event is keyed by its enterprise, so that one enterprise's events are read in
    the order they were written."""
    return envelope_for(payload, key=str(enterprise.id), producer=PRODUCER)
