"""Two reviewers' transactions that lock the same rows in opposite orders: PostgreSQL breaks the
deadlock by failing one of them. That request is answered 503 with Retry-After (sent again, it
succeeds), not a 500 that tells the caller something is broken."""

from __future__ import annotations

import asyncio

import pytest
import sqlalchemy.exc
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from servicekit.problems import install_problem_handlers, transaction_conflict


@pytest.fixture
async def engine(scratch_database) -> AsyncEngine:
    engine = create_async_engine(scratch_database)
    async with engine.begin() as connection:
        await connection.execute(text("CREATE TABLE decisions (id int PRIMARY KEY, n int)"))
        await connection.execute(text("INSERT INTO decisions VALUES (1, 0), (2, 0)"))
    yield engine
    await engine.dispose()


async def _lock_in_order(engine: AsyncEngine, first: int, second: int, both_hold_one) -> None:
    async with engine.begin() as connection:
        update = text("UPDATE decisions SET n = n + 1 WHERE id = :id")
        await connection.execute(update, {"id": first})
        await both_hold_one.wait()
        await connection.execute(update, {"id": second})


async def _deadlock(engine: AsyncEngine) -> list[BaseException | None]:
    both_hold_one = asyncio.Barrier(2)
    return await asyncio.gather(
        _lock_in_order(engine, 1, 2, both_hold_one),
        _lock_in_order(engine, 2, 1, both_hold_one),
        return_exceptions=True,
    )


async def test_a_deadlock_broken_by_postgresql_is_a_conflict_to_retry(engine):
    outcomes = await asyncio.wait_for(_deadlock(engine), timeout=30)

    failed = [outcome for outcome in outcomes if outcome is not None]
    assert len(failed) == 1, outcomes  # the server failed one of the two and let the other commit
    assert isinstance(failed[0], sqlalchemy.exc.DBAPIError)
    assert transaction_conflict(failed[0])


async def test_a_request_that_lost_a_deadlock_is_answered_503_with_retry_after(engine):
    app = FastAPI()
    install_problem_handlers(app, service="matching service")

    @app.post("/decide")
    async def decide():
        outcomes = await _deadlock(engine)
        for outcome in outcomes:
            if outcome is not None:
                raise outcome
        return {"decided": True}

    transport = ASGITransport(app=app, raise_app_exceptions=False)
    async with AsyncClient(transport=transport, base_url="http://matching") as client:
        response = await asyncio.wait_for(client.post("/decide"), timeout=30)

    assert response.status_code == 503, response.text
    assert response.headers["retry-after"] == "1"
    assert response.json()["detail"] == "the matching service met a concurrent change; try again"
