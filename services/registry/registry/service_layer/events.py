"""The registry's events, built from the domain objects the use cases have just changed."""

from __future__ import annotations

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
from registry.domain.enterprise import Enterprise
from registry.domain.listing import Listing

PRODUCER = "registry"


def enterprise_profile(
    contract: type[EnterpriseProfile], enterprise: Enterprise, **extra
) -> Envelope:
    payload = contract(
        enterprise_id=enterprise.id,
        name=enterprise.name,
        country=enterprise.country,
        region=enterprise.region,
        city=enterprise.city,
        legal_id=enterprise.legal_id,
        sectors=enterprise.sectors,
        languages=enterprise.languages,
        size=enterprise.size,
        certifications=enterprise.certifications,
        contact_person=enterprise.contact_person,
        email=enterprise.email,
        phone=enterprise.phone,
        status=enterprise.status,
        owner_account_id=enterprise.owner_account_id,
        **extra,
    )
    return _keyed_by(enterprise, payload)


def enterprise_suspended(enterprise: Enterprise) -> Envelope:
    """The profile as suspended, with the reviewer's reason as given (the suspension email quotes
    it)."""
    return enterprise_profile(EnterpriseSuspended, enterprise, reason=enterprise.suspension_reason)


def enterprise_verified(enterprise: Enterprise) -> Envelope:
    payload = EnterpriseVerified(
        enterprise_id=enterprise.id,
        name=enterprise.name,
        email=enterprise.email,
        languages=enterprise.languages,
        verified_by=enterprise.verified_by or "",
        verified_at=enterprise.verified_at,
    )
    return _keyed_by(enterprise, payload)


def enterprise_deleted(enterprise: Enterprise) -> Envelope:
    return _keyed_by(enterprise, EnterpriseDeleted(enterprise_id=enterprise.id))


def listing_expiring(listing: Listing, enterprise: Enterprise) -> Envelope:
    payload = ListingExpiring(
        listing_id=listing.id,
        side=listing.side,
        enterprise_id=enterprise.id,
        enterprise_name=enterprise.name,
        title=listing.title,
        valid_until=listing.valid_until,
    )
    return _keyed_by(enterprise, payload)


def listing_snapshot(
    contract: type[ListingSnapshot], listing: Listing, enterprise: Enterprise
) -> Envelope:
    payload = contract(
        listing_id=listing.id,
        side=listing.side,
        enterprise_id=enterprise.id,
        enterprise_name=enterprise.name,
        enterprise_country=enterprise.country,
        enterprise_region=enterprise.region,
        enterprise_city=enterprise.city,
        enterprise_legal_id=enterprise.legal_id,
        enterprise_languages=enterprise.languages,
        enterprise_certifications=enterprise.certifications,
        kind=listing.kind,
        title=listing.title,
        description=listing.description,
        sector=listing.sector,
        product_codes=listing.product_codes,
        quantity=listing.quantity,
        unit=listing.unit,
        regions=listing.regions,
        certifications=listing.certifications,
        valid_until=listing.valid_until,
        status=listing.status,
        version=listing.version,
        closed_because=listing.closed_because,
    )
    return _keyed_by(enterprise, payload)


def _keyed_by(enterprise: Enterprise, payload: EventPayload) -> Envelope:
    """Every registry event is keyed by its enterprise, so that one enterprise's events are read in
    the order they were written."""
    return envelope_for(payload, key=str(enterprise.id), producer=PRODUCER)
