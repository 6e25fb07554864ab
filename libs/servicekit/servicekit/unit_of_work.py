"""The transaction of one use case on a SQLAlchemy session: opened on entering the block, kept only
when the handler commits, rolled back and closed on leaving. Each service's unit of work extends it
with its own repositories (on entering) and whatever its commit also does; the repositories stay in
the service."""

from __future__ import annotations

from typing import Self

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker


class SessionUnitOfWork:
    def __init__(self, session_factory: async_sessionmaker[AsyncSession]) -> None:
        self._session_factory = session_factory

    async def __aenter__(self) -> Self:
        self.session = self._session_factory()
        return self

    async def __aexit__(self, *exc_info) -> None:
        await self.session.rollback()
        await self.session.close()

    async def commit(self) -> None:
        await self.session.commit()
