"""Introductions and the events applied, in and out of PostgreSQL."""

from __future__ import annotations

import uuid

from sqlalchemy import and_, case, or_, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from registry.adapters.orm import enterprises, introductions
from registry.domain.partners import HIDDEN_STATUSES, Introduction, Partner


class IntroductionRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def add(self, introduction: Introduction) -> bool:
        """A match is introduced once; the same match again changes nothing."""
        statement = (
            insert(introductions)
            .values(
                match_id=introduction.match_id,
                offer_enterprise_id=introduction.offer_enterprise_id,
                need_enterprise_id=introduction.need_enterprise_id,
                introduced_at=introduction.introduced_at,
                event_id=introduction.event_id,
            )
            .on_conflict_do_nothing(index_elements=["match_id"])
        )
        return (await self._connection.execute(statement)).rowcount == 1

    async def get_partners_by_enterprise(self, enterprise_id: uuid.UUID) -> list[Partner]:
        """The other side of each of the enterprise's introductions, newest first, without deleted
        or suspended partners."""
        i, e = introductions.c, enterprises.c
        partner_id = case(
            (i.offer_enterprise_id == enterprise_id, i.need_enterprise_id),
            else_=i.offer_enterprise_id,
        )
        rows = await self._connection.execute(
            select(
                i.match_id,
                i.introduced_at,
                e.id.label("enterprise_id"),
                e.name,
                e.country,
                e.region,
                e.city,
                e.contact_person,
                e.email,
                e.phone,
            )
            .select_from(introductions.join(enterprises, e.id == partner_id))
            .where(
                or_(i.offer_enterprise_id == enterprise_id, i.need_enterprise_id == enterprise_id),
                and_(e.deleted_at.is_(None), e.status.not_in(HIDDEN_STATUSES)),
            )
            .order_by(i.introduced_at.desc(), i.match_id)
        )
        return [Partner(**row._mapping) for row in rows]
