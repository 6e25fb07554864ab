"""The registry's pool does without a pre-ping (three round trips per checkout on asyncpg): a pooled
connection the server has ended is dropped at checkout instead, so the next request still reaches
PostgreSQL."""

from __future__ import annotations

import asyncio

import asyncpg
from sqlalchemy import text

from registry.bootstrap import build_container
from registry.config import Settings
from registry.observability import Metrics


async def test_after_postgresql_ends_a_pooled_connection_the_next_query_still_answers(infra):
    database_url = infra.database_url("registry")
    settings = Settings(
        database_url=database_url,
        kafka_bootstrap_servers=infra.kafka.bootstrap_servers,
        internal_token_secret="x" * 32,
    )
    container = build_container(settings, Metrics())
    try:
        async with container.engine.connect() as connection:
            ended = await connection.scalar(text("SELECT pg_backend_pid()"))
        outsider = await asyncpg.connect(database_url.replace("+asyncpg", ""))
        try:
            assert await outsider.fetchval("SELECT pg_terminate_backend($1)", ended)
        finally:
            await outsider.close()
        await asyncio.sleep(0.5)  # the pooled connection's socket sees the server's goodbye

        async with container.engine.connect() as connection:
            assert await connection.scalar(text("SELECT pg_backend_pid()")) != ended
        assert (await container.readiness())["database"]
    finally:
        await container.engine.dispose()
