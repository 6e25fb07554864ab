"""One transaction per use case; leaving the block without a commit rolls back, and tells those
who asked (`on_rollback`) that what the transaction wrote is not kept."""

from __future__ import annotations

from collections.abc import Callable

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
        self._committed = False
        self._rollback_hooks: list[Callable[[UnitOfWork], None]] = []
        return self

    def on_rollback(self, hook: Callable[[UnitOfWork], None]) -> None:
        """`hook` is called with this unit of work if it ends without a commit that succeeded (a
        commit whose outcome is unknown counts as not kept): once, however often it is asked."""
        if hook not in self._rollback_hooks:
            self._rollback_hooks.append(hook)

    async def commit(self) -> None:
        await self.matches.flush_funnel()  # the funnel's roll-up of this transaction's transitions
        await super().commit()
        self._committed = True

    async def __aexit__(self, *exc_info) -> None:
        try:
            await super().__aexit__(*exc_info)
        finally:
            if not self._committed:
                for hook in self._rollback_hooks:
                    hook(self)
