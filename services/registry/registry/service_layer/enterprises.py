"""Use cases of enterprises: each opens a unit of work, loads, asks the domain, writes its event
to the outbox and commits."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from eventkit import topics
from eventkit.contracts import EnterpriseRegistered, EnterpriseVerified, envelope_for
from registry.domain.enterprise import Enterprise
from registry.domain.errors import AlreadyRegistered, NotFound
from registry.domain.reference import Reference
from registry.service_layer.unit_of_work import UnitOfWork

PRODUCER = "registry"


async def register_enterprise(*, uow: UnitOfWork, reference: Reference, owner_account_id: str | None, **fields) -> Enterprise:
    enterprise = Enterprise.register(reference, owner_account_id=owner_account_id, **fields)
    async with uow:
        existing = await uow.enterprises.get_by_legal_id(enterprise.country, enterprise.legal_id)
        if existing is not None:
            raise AlreadyRegistered(existing.id)
        await uow.enterprises.add(enterprise)
        await uow.outbox.add(_registered(enterprise), topic=topics.ENTERPRISES)
        await uow.commit()
    return enterprise


async def verify_enterprise(*, uow: UnitOfWork, enterprise_id: uuid.UUID, verified_by: str) -> Enterprise:
    async with uow:
        enterprise = await uow.enterprises.get_for_update(enterprise_id)
        if enterprise is None:
            raise NotFound("enterprise", enterprise_id)
        enterprise.verify(by=verified_by, at=datetime.now(UTC))
        await uow.enterprises.save(enterprise)
        await uow.outbox.add(_verified(enterprise), topic=topics.ENTERPRISES)
        await uow.commit()
    return enterprise


async def get_enterprise_or_raise(*, uow: UnitOfWork, enterprise_id: uuid.UUID) -> Enterprise:
    async with uow:
        enterprise = await uow.enterprises.get(enterprise_id)
    if enterprise is None:
        raise NotFound("enterprise", enterprise_id)
    return enterprise


async def list_enterprises(*, uow: UnitOfWork, limit: int, offset: int, country: str | None, sector: str | None) -> tuple[list[Enterprise], int]:
    async with uow:
        return await uow.enterprises.list(limit=limit, offset=offset, country=country, sector=sector)


def _registered(enterprise: Enterprise):
    payload = EnterpriseRegistered(
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
    )
    return envelope_for(payload, key=str(enterprise.id), producer=PRODUCER)


def _verified(enterprise: Enterprise):
    payload = EnterpriseVerified(
        enterprise_id=enterprise.id,
        name=enterprise.name,
        email=enterprise.email,
        languages=enterprise.languages,
        verified_by=enterprise.verified_by or "",
        verified_at=enterprise.verified_at,
    )
    return envelope_for(payload, key=str(enterprise.id), producer=PRODUCER)
