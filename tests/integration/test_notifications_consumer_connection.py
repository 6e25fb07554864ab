"""The notifications consumer records events one after another on one PostgreSQL connection, rather
than having the pool check a connection for each event, and still commits each event on its own:
the connection is replaced once it has served its time, and at once after a failure, so one the
database dropped serves no further event."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from alembic import command
from sqlalchemy import event, func, select, text
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

from eventkit.contracts import MatchApproved
from notifications.__main__ import alembic_config
from notifications.adapters.orm import deliveries
from notifications.service_layer import events
from notifications.service_layer.unit_of_work import OneConnectionAtATime
from tests.lift_story_events import as_received, lift_match_sides

PUBLIC_URL = "http://unionmatch.test"


@pytest.fixture(scope="module")
async def session_factory(infra) -> AsyncIterator[async_sessionmaker]:
    name = f"notif_{uuid.uuid4().hex[:10]}"
    infra.postgres.create_databases([name])
    url = infra.database_url(name)
    await asyncio.to_thread(command.upgrade, alembic_config(url), "head")
    # As the service makes its engine: each connection checked when the pool hands it out.
    engine = create_async_engine(url, pool_pre_ping=True)
    yield async_sessionmaker(engine, expire_on_commit=False)
    await engine.dispose()
    infra.postgres.drop_database(name)


async def backend_of(connection: OneConnectionAtATime) -> int:
    async with connection.unit_of_work() as uow, uow:
        return await uow.session.scalar(text("SELECT pg_backend_pid()"))


def approval() -> tuple:
    sides = lift_match_sides(offer_enterprise_id=uuid.uuid4(), need_enterprise_id=uuid.uuid4())
    payload = MatchApproved(
        match_id=uuid.uuid4(),
        **sides,
        score=0.8,
        reasons_ru=["Та же отрасль"],
        reasons_en=["Same sector"],
        status="approved",
        occurred_at=datetime.now(UTC),
    )
    return as_received(payload, key=uuid.uuid4(), producer="matching")


async def test_events_in_a_row_share_a_connection_and_each_is_committed(session_factory) -> None:
    connection = OneConnectionAtATime(session_factory, kept_for=60)
    try:
        first = await backend_of(connection)
        received = [approval() for _ in range(3)]
        for envelope, payload in received:
            async with connection.unit_of_work() as uow:
                queued = await events.handle(
                    uow=uow, envelope=envelope, payload=payload, public_base_url=PUBLIC_URL
                )
            assert queued == 2  # one suggestion to each side
        assert await backend_of(connection) == first
    finally:
        await connection.close()
    async with session_factory() as session:
        event_ids = [envelope.event_id for envelope, _ in received]
        recorded = select(func.count()).where(deliveries.c.event_id.in_(event_ids))
        assert await session.scalar(recorded) == 6


async def test_a_failure_or_the_end_of_its_time_gives_the_connection_back(session_factory) -> None:
    checkouts = []
    pool_events = session_factory.kw["bind"].sync_engine
    listener = lambda *_: checkouts.append(1)  # noqa: E731
    event.listen(pool_events, "checkout", listener)
    connection = OneConnectionAtATime(session_factory, kept_for=0.5)
    try:
        await backend_of(connection)
        await backend_of(connection)
        assert len(checkouts) == 1
        with pytest.raises(RuntimeError):
            async with connection.unit_of_work():
                raise RuntimeError("the event's handler failed")
        assert session_factory.kw["bind"].pool.checkedout() == 0
        await backend_of(connection)
        assert len(checkouts) == 2
        await asyncio.sleep(0.6)
        await backend_of(connection)
        assert len(checkouts) == 3
    finally:
        await connection.close()
        event.remove(pool_events, "checkout", listener)
