"""The listings the expiry sweep looks at, found through the partial index on active listings'
valid_until (revision 0005). Each is then locked and changed in its own unit of work."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from registry.adapters.orm import listings

_ACTIVE_WITH_DATE = (listings.c.status == "active", listings.c.valid_until.is_not(None))


class ExpiryQueries:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def get_expired(self, *, today: date, limit: int) -> list[tuple[uuid.UUID, str]]:
        """(id, side) of active listings whose last day is before today, oldest date first."""
        query = (
            select(listings.c.id, listings.c.side)
            .where(*_ACTIVE_WITH_DATE, listings.c.valid_until < today)
            .order_by(listings.c.valid_until, listings.c.id)
            .limit(limit)
        )
        return [(row.id, row.side) for row in await self._connection.execute(query)]

    async def get_due_reminders(
        self, *, today: date, last_day: date, limit: int
    ) -> list[tuple[uuid.UUID, str]]:
        """(id, side) of active listings ending from today to last_day whose date was not reminded
        of."""
        query = (
            select(listings.c.id, listings.c.side)
            .where(
                *_ACTIVE_WITH_DATE,
                listings.c.valid_until >= today,
                listings.c.valid_until <= last_day,
                or_(
                    listings.c.expiry_reminded_for.is_(None),
                    listings.c.expiry_reminded_for != listings.c.valid_until,
                ),
            )
            .order_by(listings.c.valid_until, listings.c.id)
            .limit(limit)
        )
        return [(row.id, row.side) for row in await self._connection.execute(query)]

    async def mark_reminded(self, listing_id: uuid.UUID, valid_until: date) -> None:
        """Only the reminder's column: the listing's version and updated_at stay, it did not
        change."""
        await self._connection.execute(
            update(listings)
            .where(listings.c.id == listing_id)
            .values(expiry_reminded_for=valid_until)
        )
