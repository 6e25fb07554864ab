"""One transaction per use case. Nothing is kept unless the handler commits; leaving the block
without a commit rolls back."""

from __future__ import annotations

from functools import partial

import asyncpg
from sqlalchemy.ext.asyncio import AsyncConnection

from eventkit.processed import ProcessedEvents
from registry.adapters import orm
from registry.adapters.expiry import ExpiryQueries
from registry.adapters.figures import FiguresReader
from registry.adapters.introductions import IntroductionRepository
from registry.adapters.publications import PublicationStore
from registry.adapters.repository import EnterpriseRepository, ListingRepository, OutboxWriter
from registry.adapters.republish import RepublishQueries
from servicekit.unit_of_work import Repository, SessionUnitOfWork


class UnitOfWork(SessionUnitOfWork):
    enterprises = Repository(EnterpriseRepository)
    listings = Repository(ListingRepository)
    outbox = Repository(OutboxWriter)
    introductions = Repository(IntroductionRepository)
    processed_events = Repository(partial(ProcessedEvents, table=orm.processed_events))
    expiry = Repository(ExpiryQueries)
    republishing = Repository(RepublishQueries)
    figures = Repository(FiguresReader)
    publications = Repository(PublicationStore, on=lambda uow: uow.driver_connection)

    async def _repository_source(self) -> AsyncConnection:
        # The repositories speak SQL, not ORM: the session's connection spares them the ORM layer.
        self._connection = await self.session.connection()
        self._driver: asyncpg.Connection | None = None  # none borrowed yet in this transaction
        self._driver_transaction: asyncpg.transaction.Transaction | None = None
        return self._connection

    async def driver_connection(self) -> asyncpg.Connection:
        """The driver's own connection under the session's, for a path where SQLAlchemy's cost per
        statement is most of a request's (publishing). Its statements are this unit of work's.

        SQLAlchemy begins the driver's transaction at its first statement only; when none ran yet,
        the transaction is begun here on the driver and ended by `commit` or on leaving. A unit of
        work that borrows the driver before any SQLAlchemy statement then speaks only through it."""
        if self._driver is None:
            driver = (await self._connection.get_raw_connection()).driver_connection
            if not driver.is_in_transaction():
                transaction = driver.transaction()
                await transaction.start()
                self._driver_transaction = transaction
            self._driver = driver
        return self._driver

    async def __aexit__(self, *exc_info) -> None:
        try:
            if self._driver_transaction is not None:
                await self._end_driver_transaction(self._driver_transaction.rollback)
        finally:
            await super().__aexit__(*exc_info)

    async def commit(self) -> None:
        # The driver's transaction first: the session gives its connection back to the pool when it
        # commits, and a connection must not go back with a transaction still open on it.
        if self._driver_transaction is not None:
            await self._end_driver_transaction(self._driver_transaction.commit)
        await super().commit()

    async def _end_driver_transaction(self, end) -> None:
        self._driver_transaction = None
        try:
            await end()
        except BaseException:
            # Its transaction in an unknown state, the connection is closed rather than pooled.
            await self._connection.invalidate()
            raise
