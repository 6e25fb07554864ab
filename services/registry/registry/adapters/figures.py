"""The home page's public figures, counted in one statement each: cheap enough to answer anyone."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from registry.adapters.orm import enterprises, listings
from registry.domain.figures import COUNTRIES, Figures

# On the platform: registered and not deleted, and not suspended by the agency.
_LIVE = (enterprises.c.deleted_at.is_(None), enterprises.c.status != "suspended")


class FiguresReader:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def get(self) -> Figures:
        by_country = await self._connection.execute(
            select(
                enterprises.c.country,
                func.count(),
                func.count().filter(enterprises.c.status == "verified"),
            )
            .where(*_LIVE)
            .group_by(enterprises.c.country)
        )
        registered = dict.fromkeys(COUNTRIES, 0)
        verified = dict.fromkeys(COUNTRIES, 0)
        for country, count, verified_count in by_country:
            registered[country], verified[country] = count, verified_count
        live_owner = (
            select(enterprises.c.id)
            .where(enterprises.c.id == listings.c.enterprise_id, *_LIVE)
            .exists()
        )
        by_side = await self._connection.execute(
            select(listings.c.side, func.count())
            .where(listings.c.status == "active", live_owner)
            .group_by(listings.c.side)
        )
        active = dict(by_side.all())
        return Figures(
            enterprises=registered,
            verified_enterprises=verified,
            active_offers=active.get("offer", 0),
            active_needs=active.get("need", 0),
        )
