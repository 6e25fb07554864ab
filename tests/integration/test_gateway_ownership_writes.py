"""The company's ownership of an enterprise it registers is written on the driver's connection on
the request path, from a pool without pre-ping, in the unit of work's one transaction: it is kept
once the use case commits and not before, written twice is still once, a use case that fails after
writing it leaves nothing, and a pooled connection PostgreSQL has ended does not lose it."""

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
    return await _owned(container, account_id)


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


async def test_a_use_case_that_fails_after_the_ownership_write_leaves_no_ownership(container):
    account_id, enterprise_id = await _company(container), str(uuid.uuid4())

    with pytest.raises(RuntimeError):
        async with UnitOfWork(container.session_factory) as uow:
            assert await uow.ownership.bind(account_id, enterprise_id)
            raise RuntimeError("a later step of the use case failed")

    assert await _owned(container, account_id) == frozenset()


async def test_the_ownership_write_is_seen_by_others_only_once_the_use_case_commits(container):
    account_id, enterprise_id = await _company(container), str(uuid.uuid4())

    async with UnitOfWork(container.session_factory) as uow:
        await uow.ownership.bind(account_id, enterprise_id)
        seen_before_commit = await _owned(container, account_id)
        await uow.commit()

    assert seen_before_commit == frozenset()
    assert await _owned(container, account_id) == frozenset({enterprise_id})


async def test_an_ownership_write_after_a_session_statement_joins_its_transaction(container):
    account_id, enterprise_id = await _company(container), str(uuid.uuid4())

    with pytest.raises(RuntimeError):
        async with UnitOfWork(container.session_factory) as uow:
            await uow.accounts.unbind(str(uuid.uuid4()))  # the session begins the transaction
            await uow.ownership.bind(account_id, enterprise_id)
            raise RuntimeError("a later step of the use case failed")

    assert await _owned(container, account_id) == frozenset()


async def _owned(container, account_id: str) -> frozenset[str]:
    caller = await accounts.caller_for(
        uow=UnitOfWork(container.session_factory), account_id=account_id, role="company"
    )
    return caller.enterprise_ids
