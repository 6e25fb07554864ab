"""One transaction per use case; leaving the block without a commit rolls back."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from eventkit.processed import ProcessedEvents
from matching.adapters import orm
from matching.adapters.figures import FiguresReader
from matching.adapters.repository import (
    EnterpriseReadModel,
    ListingReadModel,
    MatchRepository,
    OutboxWriter,
)


class UnitOfWork:
    def __init__(self, session_factory: async_sessionmaker[AsyncSession]) -> None:
        self._session_factory = session_factory

    async def __aenter__(self) -> UnitOfWork:
        self.session = self._session_factory()
        self.enterprises = EnterpriseReadModel(self.session)
        self.listings = ListingReadModel(self.session)
        self.matches = MatchRepository(self.session)
        self.outbox = OutboxWriter(self.session)
        self.processed_events = ProcessedEvents(self.session, orm.processed_events)
        self.figures = FiguresReader(self.session)
        return self

    async def __aexit__(self, *exc_info) -> None:
        await self.session.rollback()
        await self.session.close()

    async def commit(self) -> None:
        await self.matches.flush_funnel()  # the funnel's roll-up of this transaction's transitions
        await self.session.commit()
