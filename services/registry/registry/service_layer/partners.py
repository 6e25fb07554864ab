"""Partners after an introduction: matching's `match.introduced` events recorded once each, and
an enterprise's partners with their contacts for its own company and the agency."""

from __future__ import annotations

import uuid

from eventkit.contracts import MatchIntroduced
from eventkit.envelope import Envelope
from registry.domain.actors import Caller
from registry.domain.errors import Forbidden, NotFound
from registry.domain.partners import Introduction, Partner
from registry.service_layer.unit_of_work import UnitOfWork


async def record_introduction(
    envelope: Envelope, payload: MatchIntroduced, *, uow: UnitOfWork
) -> bool:
    """Returns False when the event had been applied before."""
    async with uow:
        if not await uow.processed_events.record(envelope.event_id, envelope.type):
            return False
        await uow.introductions.add(
            Introduction(
                match_id=payload.match_id,
                offer_enterprise_id=payload.offer.enterprise_id,
                need_enterprise_id=payload.need.enterprise_id,
                introduced_at=payload.occurred_at,
                event_id=envelope.event_id,
            )
        )
        await uow.commit()
    return True


async def get_all_partners_by_enterprise(
    *, uow: UnitOfWork, caller: Caller, enterprise_id: uuid.UUID
) -> list[Partner]:
    async with uow:
        enterprise = await uow.enterprises.get(enterprise_id)
        if enterprise is None:
            raise NotFound("enterprise", enterprise_id)
        if not caller.manages(enterprise):
            raise Forbidden(
                "an enterprise's partners and their contacts are for that enterprise's company "
                "and the agency only"
            )
        return await uow.introductions.get_partners_by_enterprise(enterprise_id)
