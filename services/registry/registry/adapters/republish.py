"""What `python -m registry republish-enterprises` and `republish-listings` go through: keyset pages
by id over the live enterprises, and over their listings (a deleted enterprise's listings were
closed, with their event, when it was deleted). Each page is then read and announced in one unit of
work."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from registry.adapters.orm import enterprises, listings


@dataclass(frozen=True)
class ListingKey:
    id: uuid.UUID
    side: str
    enterprise_id: uuid.UUID


class RepublishQueries:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def get_page(
        self,
        *,
        after: uuid.UUID | None,
        limit: int,
        enterprise_id: uuid.UUID | None,
        include_closed: bool,
    ) -> list[ListingKey]:
        """The next `limit` listings by id after `after`: active ones only unless
        `include_closed`."""
        live_owner = select(enterprises.c.id).where(
            enterprises.c.id == listings.c.enterprise_id, enterprises.c.deleted_at.is_(None)
        )
        query = select(listings.c.id, listings.c.side, listings.c.enterprise_id).where(
            live_owner.exists()
        )
        if after is not None:
            query = query.where(listings.c.id > after)
        if enterprise_id is not None:
            query = query.where(listings.c.enterprise_id == enterprise_id)
        if not include_closed:
            query = query.where(listings.c.status == "active")
        rows = await self._connection.execute(query.order_by(listings.c.id).limit(limit))
        return [ListingKey(row.id, row.side, row.enterprise_id) for row in rows]

    async def get_page_of_enterprises(
        self, *, after: uuid.UUID | None, limit: int, enterprise_id: uuid.UUID | None
    ) -> list[uuid.UUID]:
        """The next `limit` live enterprises by id after `after` (or only `enterprise_id`)."""
        query = select(enterprises.c.id).where(enterprises.c.deleted_at.is_(None))
        if after is not None:
            query = query.where(enterprises.c.id > after)
        if enterprise_id is not None:
            query = query.where(enterprises.c.id == enterprise_id)
        rows = await self._connection.execute(query.order_by(enterprises.c.id).limit(limit))
        return list(rows.scalars())
