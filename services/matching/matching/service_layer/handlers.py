"""Applies registry events to matching's own read model, once per event."""

from __future__ import annotations

from eventkit.contracts import EnterpriseRegistered, EnterpriseVerified, EventPayload
from eventkit.envelope import Envelope
from matching.domain.read_model import KnownEnterprise
from matching.service_layer.unit_of_work import UnitOfWork


async def apply_registry_event(envelope: Envelope, payload: EventPayload, *, uow: UnitOfWork) -> bool:
    """Returns False when the event had been applied before."""
    async with uow:
        if not await uow.processed_events.record(envelope.event_id, envelope.type):
            return False
        if isinstance(payload, EnterpriseRegistered):
            await uow.enterprises.put(
                KnownEnterprise(
                    id=payload.enterprise_id,
                    name=payload.name,
                    country=payload.country,
                    region=payload.region,
                    city=payload.city,
                    sectors=payload.sectors,
                    languages=payload.languages,
                    status=payload.status,
                )
            )
        elif isinstance(payload, EnterpriseVerified):
            enterprise = await uow.enterprises.get(payload.enterprise_id)
            if enterprise is not None:
                enterprise.mark_verified()
                await uow.enterprises.put(enterprise)
        await uow.commit()
    return True
