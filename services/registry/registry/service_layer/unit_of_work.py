"""One transaction per use case. Nothing is kept unless the handler commits; leaving the block
without a commit rolls back."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

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
        return self

    async def __aexit__(self, *exc_info) -> None:
        await self.session.rollback()
        await self.session.close()

    async def commit(self) -> None:
        await self.session.commit()
