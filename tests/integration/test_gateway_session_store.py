"""Sessions (refresh-token families) on the gateway's real PostgreSQL: a refresh race leaves no
session behind for whoever held a copy, keeping one's own session on a password change keeps
nothing when the token it names is unknown, a deleted account takes its sessions with it, and the
migration gives every refresh token issued before sessions existed a session of its own."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime

import pytest
from alembic import command
from sqlalchemy import text
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

from gateway.__main__ import alembic_config
from gateway.adapters.tokens import SessionCache
from gateway.domain.accounts import Role
from gateway.domain.errors import InvalidToken, ReusedRefreshToken
from gateway.service_layer import accounts
from gateway.service_layer.unit_of_work import UnitOfWork
from servicekit.internal_token import Caller
from tests.integration.gateway_accounts import DAY, PASSWORD, racing, refresh, sign_in


@pytest.fixture
def sessions() -> SessionCache:
    return SessionCache(ttl_seconds=60)


@pytest.fixture
def uow(gateway_engine, sessions) -> UnitOfWork:
    return UnitOfWork(async_sessionmaker(gateway_engine, expire_on_commit=False), sessions=sessions)


async def _signed_in(uow, passwords, access_tokens) -> tuple[str, accounts.Tokens]:
    email = f"session-{uuid.uuid4().hex[:10]}@example.by"
    await accounts.open_account(
        uow=uow, passwords=passwords, email=email, password=PASSWORD, role=Role.COMPANY
    )
    return email, await sign_in(uow, passwords, access_tokens, email=email, password=PASSWORD)


async def _lasts(uow, sessions, access_tokens, tokens: accounts.Tokens) -> bool:
    claims = access_tokens.read(tokens.access_token)
    return await accounts.session_lasts(
        uow=uow, sessions=sessions, session_id=claims.session_id, account_id=claims.account_id
    )


async def test_two_refreshes_racing_with_one_token_end_the_session_for_both(
    uow, passwords, access_tokens, sessions, gateway_engine
):
    _, first = await _signed_in(uow, passwords, access_tokens)
    factory = async_sessionmaker(gateway_engine, expire_on_commit=False)

    results = await racing(
        *(
            refresh(UnitOfWork(factory), access_tokens, refresh_token=first.refresh_token)
            for _ in range(2)
        )
    )

    [winner] = [r for r in results if not isinstance(r, Exception)]
    assert [type(r) for r in results if isinstance(r, Exception)] == [ReusedRefreshToken]
    # The loser waited for the winner's commit, so the winner's new token is in the session it
    # ended.
    with pytest.raises(InvalidToken):
        await refresh(uow, access_tokens, refresh_token=winner.refresh_token)
    assert not await _lasts(uow, sessions, access_tokens, winner)


async def test_keeping_a_session_that_does_not_exist_on_a_password_change_keeps_none(
    uow, passwords, access_tokens, sessions
):
    _, laptop = await _signed_in(uow, passwords, access_tokens)
    account_id = access_tokens.read(laptop.access_token).account_id
    assert await _lasts(uow, sessions, access_tokens, laptop)

    await accounts.change_password(
        uow=uow,
        passwords=passwords,
        account_id=account_id,
        current_password=PASSWORD,
        new_password="a new and longer passphrase",
        keep_refresh_token="a token nobody was given",
    )

    # The cache held the session as lasting; the commit made this instance forget it.
    assert not await _lasts(uow, sessions, access_tokens, laptop)


class Registry:
    def __init__(self) -> None:
        self.deleted: list[tuple[str, str]] = []

    async def delete(self, enterprise_id: str, *, owner: Caller) -> None:
        self.deleted.append((enterprise_id, owner.account_id))


async def test_a_deleted_account_leaves_no_row_no_session_and_its_enterprises_deleted(
    uow, passwords, access_tokens, sessions, gateway_engine
):
    email, tokens = await _signed_in(uow, passwords, access_tokens)
    account_id = access_tokens.read(tokens.access_token).account_id
    enterprise_id = str(uuid.uuid4())
    async with gateway_engine.begin() as connection:
        await connection.execute(
            text("INSERT INTO account_enterprises (account_id, enterprise_id) VALUES (:a, :e)"),
            {"a": uuid.UUID(account_id), "e": uuid.UUID(enterprise_id)},
        )
    registry = Registry()

    await accounts.delete_account(
        uow=uow,
        passwords=passwords,
        enterprises=registry,
        account_id=account_id,
        current_password=PASSWORD,
    )

    assert registry.deleted == [(enterprise_id, account_id)]
    assert not await _lasts(uow, sessions, access_tokens, tokens)
    async with gateway_engine.connect() as connection:
        left = [
            await connection.scalar(
                text(f"SELECT count(*) FROM {table} WHERE account_id = :a"),
                {"a": uuid.UUID(account_id)},
            )
            for table in ("refresh_tokens", "account_enterprises")
        ]
        left.append(
            await connection.scalar(
                text("SELECT count(*) FROM accounts WHERE email = :e"), {"e": email}
            )
        )
    assert left == [0, 0, 0]


def test_refresh_tokens_issued_before_sessions_each_get_a_session_of_their_own(scratch_database):
    config = alembic_config(scratch_database)
    command.upgrade(config, "0002")
    asyncio.run(
        _execute(
            scratch_database,
            "INSERT INTO accounts (id, email, role, password_hash) VALUES (:id, "
            "'old@example.by', 'company', 'x')",
            {"id": (account_id := uuid.uuid4())},
        )
    )
    now = datetime.now(UTC)
    for token_hash in ("a" * 64, "b" * 64):
        asyncio.run(
            _execute(
                scratch_database,
                "INSERT INTO refresh_tokens (token_hash, account_id, issued_at, expires_at) "
                "VALUES (:h, :a, :n, :e)",
                {"h": token_hash, "a": account_id, "n": now, "e": now + DAY},
            )
        )

    command.upgrade(config, "head")

    families = asyncio.run(
        _execute(scratch_database, "SELECT family_id FROM refresh_tokens ORDER BY token_hash")
    )
    assert len(families) == 2 and None not in families and families[0] != families[1]
    command.downgrade(config, "0002")


async def _execute(url: str, statement: str, parameters: dict | None = None) -> list:
    engine = create_async_engine(url)
    async with engine.begin() as connection:
        result = await connection.execute(text(statement), parameters or {})
        rows = result.scalars().all() if result.returns_rows else []
    await engine.dispose()
    return rows
