"""One transaction per use case; leaving the block without a commit rolls back, and tells those
who asked (`on_rollback`) that what the transaction wrote is not kept."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Self

from eventkit.processed import ProcessedEvents
from matching.adapters import orm
from matching.adapters.figures import FiguresReader
from matching.adapters.repository import (
    EnterpriseReadModel,
    ListingReadModel,
    MatchRepository,
    OutboxWriter,
)
from servicekit.unit_of_work import Repository, SessionUnitOfWork


class UnitOfWork(SessionUnitOfWork):
    enterprises = Repository(EnterpriseReadModel)
    listings = Repository(ListingReadModel)
    matches = Repository(MatchRepository)
    outbox = Repository(OutboxWriter)
    figures = Repository(FiguresReader)
    processed_events = Repository(partial(ProcessedEvents, table=orm.processed_events))

    async def __aenter__(self) -> Self:
        self._committed = False
        self._rollback_hooks: list[Callable[[UnitOfWork], None]] = []
        return await super().__aenter__()

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
