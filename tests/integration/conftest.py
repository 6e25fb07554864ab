from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from devstack.stack import ROOT, Stack
from eventkit.kafka import ensure_topics, idempotent_producer
from eventkit.topics import dead_letter
from gateway.adapters.passwords import Passwords
from gateway.adapters.tokens import AccessTokens
from registry.adapters.reference_files import load_reference
from registry.service_layer import enterprises as enterprise_cases
from registry.service_layer.unit_of_work import UnitOfWork


@pytest.fixture(scope="session")
def reference():
    return load_reference(ROOT / "data")


@pytest.fixture
def register(registry_sessions, reference):
    """Registers an enterprise from its registration form through the registry's use case, on the
    story's rolled-back connection; by no account unless `owner_account_id` names one."""

    async def register(fields: dict, *, owner_account_id: str | None = None):
        return await enterprise_cases.register_enterprise(
            uow=UnitOfWork(registry_sessions),
            reference=reference,
            owner_account_id=owner_account_id,
            **fields,
        )

    return register


@contextlib.asynccontextmanager
async def _engine_of(infra: Stack, database: str) -> AsyncIterator[AsyncEngine]:
    engine = create_async_engine(infra.database_url(database))
    try:
        yield engine
    finally:
        await engine.dispose()


@pytest.fixture(scope="session")
async def registry_engine(infra: Stack) -> AsyncIterator[AsyncEngine]:
    async with _engine_of(infra, "registry") as engine:
        yield engine


@pytest.fixture(scope="session")
async def notifications_engine(infra: Stack) -> AsyncIterator[AsyncEngine]:
    async with _engine_of(infra, "notifications") as engine:
        yield engine


@pytest.fixture(scope="session")
async def gateway_engine(infra: Stack) -> AsyncIterator[AsyncEngine]:
    async with _engine_of(infra, "gateway") as engine:
        yield engine


async def _rolled_back(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """One connection in a transaction that is rolled back after the test."""
    async with engine.connect() as connection:
        transaction = await connection.begin()
        # SQLAlchemy opens the driver's transaction at the first statement; the driver-level units
        # of work need it open before they start, so that theirs are savepoints inside it.
        await connection.execute(text("SELECT 1"))
        yield connection
        await transaction.rollback()


def _sessions(connection: AsyncConnection) -> async_sessionmaker[AsyncSession]:
    """Sessions whose unit-of-work commits only release savepoints of the test's transaction."""
    return async_sessionmaker(
        bind=connection, expire_on_commit=False, join_transaction_mode="create_savepoint"
    )


@pytest.fixture
async def registry_connection(registry_engine) -> AsyncIterator[AsyncConnection]:
    async for connection in _rolled_back(registry_engine):
        yield connection


@pytest.fixture
def registry_sessions(registry_connection):
    return _sessions(registry_connection)


@pytest.fixture
async def notifications_sessions(notifications_engine):
    async for connection in _rolled_back(notifications_engine):
        yield _sessions(connection)


@pytest.fixture
async def scratch_database(infra: Stack) -> AsyncIterator[str]:
    """An empty database of its own, dropped after the test."""
    name = f"scratch_{uuid.uuid4().hex[:10]}"
    infra.postgres.create_databases([name])
    yield infra.database_url(name)
    infra.postgres.drop_database(name)


@pytest.fixture
async def scratch_topic(infra: Stack) -> str:
    """A topic of three partitions, and its dead-letter topic, used by one test only."""
    name = f"test.{uuid.uuid4().hex[:10]}"
    await ensure_topics(infra.kafka.bootstrap_servers, {name: 3, dead_letter(name): 1})
    return name


@pytest.fixture(scope="module")
async def kafka_producer(platform):
    producer = idempotent_producer(platform.kafka.bootstrap_servers, client_id="matching-tests")
    await producer.start()
    yield producer
    await producer.stop()


@pytest.fixture(scope="module")
def matching_api(platform, internal_token):
    def client(**caller) -> httpx.AsyncClient:
        return httpx.AsyncClient(
            base_url=platform.service_url("matching"),
            headers=internal_token("matching", **caller),
            timeout=10,
        )

    return client


@pytest.fixture(scope="session")
def passwords() -> Passwords:
    """The gateway's password hasher: real Argon2id, cheaper for tests."""
    return Passwords(time_cost=1, memory_cost_kib=8192)


@pytest.fixture(scope="session")
def access_tokens() -> AccessTokens:
    return AccessTokens(secret="t" * 40, ttl_seconds=60)


DATA_DIR: Path = ROOT / "data"
