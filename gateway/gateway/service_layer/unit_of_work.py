"""One transaction per use case. Nothing is kept unless the handler commits; leaving the block
without a commit rolls back."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager

import asyncpg
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from gateway.adapters.repository import AccountRepository, OwnershipStore, RefreshTokenRepository
from gateway.adapters.tokens import SessionCache

# Lends a pooled driver connection for the length of a block.
DriverConnections = Callable[[], AbstractAsyncContextManager[asyncpg.Connection]]


class UnitOfWork:
    """`sessions`: the door's cache of sessions; whatever sessions the transaction ended are
    forgotten there once it commits, so this instance refuses their access tokens at once."""

    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        *,
        sessions: SessionCache | None = None,
    ) -> None:
        self._session_factory = session_factory
        self._sessions = sessions

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
        if self._sessions is not None:
            self._sessions.forget(
                session_ids=self.refresh_tokens.ended_families,
                account_ids=self.refresh_tokens.ended_accounts,
            )


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
