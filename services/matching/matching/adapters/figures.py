"""The home page's public figures of matching, summed from the funnel's daily roll-up (a match
counts once per stage it ever reached), so the answer costs a few rows, not a scan of matches."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from matching.adapters.orm import funnel_days
from matching.domain.figures import Figures


class FiguresReader:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self) -> Figures:
        rows = await self._session.execute(
            select(funnel_days.c.stage, func.sum(funnel_days.c.matches))
            .where(funnel_days.c.stage.in_(("introduced", "approved")))
            .group_by(funnel_days.c.stage)
        )
        reached = {stage: int(total or 0) for stage, total in rows}
        return Figures(
            introductions=reached.get("introduced", 0), approved=reached.get("approved", 0)
        )
