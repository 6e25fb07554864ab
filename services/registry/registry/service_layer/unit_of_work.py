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
        self.enterprises = EnterpriseRepository(self.session)
        self.listings = ListingRepository(self.session)
        self.outbox = OutboxWriter(self.session)
        return self

    async def __aexit__(self, *exc_info) -> None:
        await self.session.rollback()
        await self.session.close()

    async def commit(self) -> None:
        await self.session.commit()
