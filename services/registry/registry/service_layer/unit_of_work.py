"""One transaction per use case. Nothing is kept unless the handler commits; leaving the block
without a commit rolls back."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager, AsyncExitStack

import asyncpg
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from registry.adapters.introductions import IntroductionRepository, ProcessedEvents
from registry.adapters.publications import PublicationStore
from registry.adapters.repository import EnterpriseRepository, ListingRepository, OutboxWriter


class UnitOfWork:
    def __init__(self, session_factory: async_sessionmaker[AsyncSession]) -> None:
        self._session_factory = session_factory

    async def __aenter__(self) -> UnitOfWork:
        self.session = self._session_factory()
        # The repositories speak SQL, not ORM: the session's connection spares them the ORM layer.
        connection = await self.session.connection()
        self.enterprises = EnterpriseRepository(connection)
        self.listings = ListingRepository(connection)
        self.outbox = OutboxWriter(connection)
        self.introductions = IntroductionRepository(connection)
        self.processed_events = ProcessedEvents(connection)
        return self

    async def __aexit__(self, *exc_info) -> None:
        await self.session.rollback()
        await self.session.close()

    async def commit(self) -> None:
        await self.session.commit()


# Lends a pooled driver connection for the length of a block.
DriverConnections = Callable[[], AbstractAsyncContextManager[asyncpg.Connection]]


class PublishingUnitOfWork:
    """The unit of work of a batch of publications, on the driver's own transaction (a savepoint
    when the connection lent is inside a transaction already). Rollback unless committed, as above."""

    def __init__(self, connections: DriverConnections) -> None:
        self._connections = connections

    async def __aenter__(self) -> PublishingUnitOfWork:
        async with (
            AsyncExitStack() as lending
        ):  # a transaction that fails to start gives its connection back
            connection = await lending.enter_async_context(self._connections())
            self._transaction = connection.transaction()
            await self._transaction.start()
            self._lent = lending.pop_all()
        self._committed = False
        self.publications = PublicationStore(connection)
        return self

    async def __aexit__(self, *exc_info) -> None:
        try:
            if not self._committed:
                await self._transaction.rollback()
        finally:
            await self._lent.__aexit__(*exc_info)

    async def commit(self) -> None:
        await self._transaction.commit()
        self._committed = True
