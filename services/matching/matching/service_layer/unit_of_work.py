"""One transaction per use case; leaving the block without a commit rolls back."""

from __future__ import annotations

from eventkit.processed import ProcessedEvents
from matching.adapters import orm
from matching.adapters.figures import FiguresReader
from matching.adapters.repository import (
    EnterpriseReadModel,
    ListingReadModel,
    MatchRepository,
    OutboxWriter,
)
from servicekit.unit_of_work import SessionUnitOfWork


class UnitOfWork(SessionUnitOfWork):
    async def __aenter__(self) -> UnitOfWork:
        await super().__aenter__()
        self.enterprises = EnterpriseReadModel(self.session)
        self.listings = ListingReadModel(self.session)
        self.matches = MatchRepository(self.session)
        self.outbox = OutboxWriter(self.session)
        self.processed_events = ProcessedEvents(self.session, orm.processed_events)
        self.figures = FiguresReader(self.session)
        return self

    async def commit(self) -> None:
        await self.matches.flush_funnel()  # the funnel's roll-up of this transaction's transitions
        await super().commit()
