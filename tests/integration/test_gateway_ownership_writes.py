"""The company's ownership of an enterprise it registers is written in one self-committing
statement on the driver's connection on the request path, from a pool without pre-ping: it is kept,
written twice is still once, and a pooled connection PostgreSQL has ended does not lose it."""

from __future__ import annotations

import asyncio
import uuid

import asyncpg
import pytest
from sqlalchemy import text

from gateway.bootstrap import build_container
from gateway.config import Settings
from gateway.domain.accounts import Role
from gateway.observability import Metrics
from gateway.service_layer import accounts
from gateway.service_layer.unit_of_work import UnitOfWork


async def _company(container) -> str:
    account = await accounts.open_account(
        uow=UnitOfWork(container.session_factory),
        passwords=container.passwords,
        email=f"owner-{uuid.uuid4().hex[:10]}@example.ru",
        password="a long passphrase",
        role=Role.COMPANY,
    )
    return account.id


@pytest.fixture
async def container(infra):
    settings = Settings(
        database_url=infra.database_url("gateway"),
        internal_token_secret="x" * 32,
        argon2_time_cost=1,
        argon2_memory_cost_kib=8192,
    )
    container = build_container(settings, Metrics())
    yield container
    await container.engine.dispose()


async def _bind_and_read_back(
    container, *, account_id: str, enterprise_id: str, times: int = 1
) -> frozenset[str]:
    """Binds the enterprise to the company's account `times` over, then reads back the
    enterprises the account owns."""
    for _ in range(times):
        await accounts.bind_enterprise(
            uow=UnitOfWork(container.session_factory),
            account_id=account_id,
            enterprise_id=enterprise_id,
        )
    caller = await accounts.caller_for(
        uow=UnitOfWork(container.session_factory), account_id=account_id, role="company"
    )
    return caller.enterprise_ids


async def test_a_registered_enterprise_stays_its_companys_even_when_bound_twice(container):
    account_id, enterprise_id = await _company(container), str(uuid.uuid4())

    owned = await _bind_and_read_back(
        container, account_id=account_id, enterprise_id=enterprise_id, times=2
    )

    assert owned == frozenset({enterprise_id})


async def test_after_postgresql_ends_a_pooled_connection_the_ownership_is_still_written(
    infra, container
):
    account_id, enterprise_id = await _company(container), str(uuid.uuid4())
    async with container.engine.connect() as connection:
        ended = await connection.scalar(text("SELECT pg_backend_pid()"))
    outsider = await asyncpg.connect(infra.database_url("gateway").replace("+asyncpg", ""))
    try:
        assert await outsider.fetchval("SELECT pg_terminate_backend($1)", ended)
    finally:
        await outsider.close()
    await asyncio.sleep(0.5)  # the pooled connection's socket sees the server's goodbye

    owned = await _bind_and_read_back(container, account_id=account_id, enterprise_id=enterprise_id)

    assert enterprise_id in owned
