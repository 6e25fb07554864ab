"""One transaction per use case. Nothing is kept unless the handler commits; leaving the block
without a commit rolls back."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager

import asyncpg
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from gateway.adapters.repository import AccountRepository, OwnershipStore, RefreshTokenRepository

# Lends a pooled driver connection for the length of a block.
DriverConnections = Callable[[], AbstractAsyncContextManager[asyncpg.Connection]]


class UnitOfWork:
    def __init__(self, session_factory: async_sessionmaker[AsyncSession]) -> None:
        self._session_factory = session_factory

    async def __aenter__(self) -> UnitOfWork:
        self.session = self._session_factory()
        self.accounts = AccountRepository(self.session)
        self.refresh_tokens = RefreshTokenRepository(self.session)
        return self

    async def __aexit__(self, *exc_info) -> None:
        await self.session.rollback()
        await self.session.close()

    async def commit(self) -> None:
        await self.session.commit()


class OwnershipUnitOfWork:
    """Binding an enterprise to the company that registered it, on the request path of every
    registration: one statement on the driver's own connection, which commits by itself (no
    BEGIN or COMMIT round trips, no session), so it is kept once `bind` returns."""

    def __init__(self, connections: DriverConnections) -> None:
        self._connections = connections

    async def __aenter__(self) -> OwnershipUnitOfWork:
        self._lent = self._connections()
        self.ownership = OwnershipStore(await self._lent.__aenter__())
        return self

    async def __aexit__(self, *exc_info) -> None:
        await self._lent.__aexit__(*exc_info)

    async def commit(self) -> None:
        """Nothing is left to commit: each statement committed itself."""
