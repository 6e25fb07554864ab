"""Enterprises in and out of PostgreSQL; the only place that knows their rows."""

from __future__ import annotations

import uuid

from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from eventkit.envelope import Envelope
from eventkit.outbox import outbox_row
from registry.adapters.orm import enterprises, outbox
from registry.domain.enterprise import Enterprise
from registry.domain.errors import AlreadyRegistered

_COLUMNS = [c.name for c in enterprises.columns if c.name != "legal_id"]


def _to_row(enterprise: Enterprise) -> dict:
    row = {name: getattr(enterprise, name) for name in _COLUMNS if name != "created_at"}
    row["legal_id"] = enterprise.legal_id
    return row


def _to_domain(row) -> Enterprise:
    fields = dict(row._mapping)
    fields.pop("legal_id")
    return Enterprise(**fields)


class EnterpriseRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, enterprise: Enterprise) -> None:
        statement = insert(enterprises).values(_to_row(enterprise)).returning(enterprises.c.created_at)
        try:
            enterprise.created_at = await self._session.scalar(statement)
        except IntegrityError as error:
            # Two registrations of one legal id raced past the service's check; the constraint decides.
            if "uq_enterprises_country_legal_id" in str(error.orig):
                raise AlreadyRegistered(None) from error
            raise

    async def get(self, enterprise_id: uuid.UUID) -> Enterprise | None:
        row = (await self._session.execute(select(enterprises).where(enterprises.c.id == enterprise_id))).first()
        return _to_domain(row) if row else None

    async def get_for_update(self, enterprise_id: uuid.UUID) -> Enterprise | None:
        query = select(enterprises).where(enterprises.c.id == enterprise_id).with_for_update()
        row = (await self._session.execute(query)).first()
        return _to_domain(row) if row else None

    async def get_by_legal_id(self, country: str, legal_id: str) -> Enterprise | None:
        query = select(enterprises).where(enterprises.c.country == country, enterprises.c.legal_id == legal_id)
        row = (await self._session.execute(query)).first()
        return _to_domain(row) if row else None

    async def save(self, enterprise: Enterprise) -> None:
        await self._session.execute(
            update(enterprises).where(enterprises.c.id == enterprise.id).values(_to_row(enterprise))
        )

    async def list(self, *, limit: int, offset: int, country: str | None = None, sector: str | None = None) -> tuple[list[Enterprise], int]:
        conditions = []
        if country:
            conditions.append(enterprises.c.country == country)
        if sector:
            conditions.append(enterprises.c.sectors.any(sector))
        total = await self._session.scalar(select(func.count()).select_from(enterprises).where(*conditions))
        rows = await self._session.execute(
            select(enterprises).where(*conditions).order_by(enterprises.c.created_at, enterprises.c.id).limit(limit).offset(offset)
        )
        return [_to_domain(row) for row in rows], total or 0


class OutboxWriter:
    """Adds events to the outbox inside the caller's transaction."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, envelope: Envelope, *, topic: str) -> None:
        await self._session.execute(insert(outbox).values(outbox_row(envelope, topic=topic)))
