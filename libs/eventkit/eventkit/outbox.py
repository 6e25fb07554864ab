"""The transactional outbox: an event row written in the same transaction as the change it
describes, and a relay that publishes those rows to Kafka.

Rows are spread over a fixed number of shards by their key. A relay holds a shard through a
transaction-scoped advisory lock while it publishes it, so several relays can run at once
without double work, and one key's events are always published by one relay, in order.
A relay killed after publishing but before marking publishes those rows again: at least once,
and consumers dedupe by event_id.
"""

from __future__ import annotations

import asyncio
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import structlog
from aiokafka import AIOKafkaProducer
from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Identity,
    Index,
    MetaData,
    SmallInteger,
    String,
    Table,
    Text,
    Uuid,
    func,
    select,
    text,
    update,
)
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.schema import SchemaItem

from eventkit.envelope import Envelope

if TYPE_CHECKING:
    from alembic.operations import Operations

log = structlog.get_logger(__name__)

SHARDS = 16
# Distinguishes the outbox's advisory locks from any other use of pg_advisory locks.
_LOCK_NAMESPACE = 0x0B0C


def outbox_table(metadata: MetaData) -> Table:
    return Table("outbox", metadata, *_outbox_columns_and_index())


def create_outbox_table(operations: Operations) -> None:
    """The outbox as `outbox_table` defines it, with its index, created by a service's revision:
    `create_outbox_table(op)`. Every service's database has this one shape; a change to it is a new
    revision in each service that has an outbox."""
    operations.create_table("outbox", *_outbox_columns_and_index())


def _outbox_columns_and_index() -> list[SchemaItem]:
    return [
        Column("id", BigInteger, Identity(), primary_key=True),
        Column("event_id", Uuid, nullable=False, unique=True),
        Column("topic", String(200), nullable=False),
        Column("key", String(200), nullable=False),
        Column("shard", SmallInteger, nullable=False),
        Column("envelope", Text, nullable=False),
        Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
        Column("published_at", DateTime(timezone=True)),
        Index(
            "ix_outbox_unpublished", "shard", "id", postgresql_where=text("published_at IS NULL")
        ),
    ]


def shard_of(key: str) -> int:
    return zlib.crc32(key.encode()) % SHARDS


def outbox_row(envelope: Envelope, *, topic: str) -> dict:
    return {
        "event_id": envelope.event_id,
        "topic": topic,
        "key": envelope.key,
        "shard": shard_of(envelope.key),
        "envelope": envelope.model_dump_json(),
    }


@dataclass(frozen=True)
class PublishedBatch:
    count: int
    oldest_created_at: datetime | None

    def lag_seconds(self) -> float:
        if self.oldest_created_at is None:
            return 0.0
        return (datetime.now(UTC) - self.oldest_created_at).total_seconds()


@dataclass(kw_only=True, eq=False)
class OutboxRelay:
    engine: AsyncEngine
    producer: AIOKafkaProducer
    table: Table
    batch_size: int = 500
    idle_interval: float = 0.05
    on_published: Callable[[PublishedBatch], None] | None = None

    def __post_init__(self) -> None:
        table = self.table
        # The lock is tried only on shards that have unpublished rows (a volatile function is not
        # pushed below the DISTINCT); each lock is held until the pass's transaction ends.
        pending = select(table.c.shard).where(table.c.published_at.is_(None)).distinct().subquery()
        self._free_pending_shards = select(pending.c.shard).where(
            func.pg_try_advisory_xact_lock(_LOCK_NAMESPACE, pending.c.shard)
        )

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                published = await self.publish_pending()
            except Exception:
                log.exception("outbox_relay_pass_failed")
                published = []
            if not published:
                try:
                    await asyncio.wait_for(stop.wait(), self.idle_interval)
                except TimeoutError:
                    pass

    async def publish_pending(self) -> list[PublishedBatch]:
        """One pass: the shards with unpublished rows that no other relay holds, in one transaction
        (a transaction per shard cost most of the relay's time under load), oldest rows first."""
        table = self.table
        async with self.engine.begin() as connection:
            shards = list(await connection.scalars(self._free_pending_shards))
            if not shards:
                return []
            rows = (
                await connection.execute(
                    select(
                        table.c.id, table.c.topic, table.c.key, table.c.envelope, table.c.created_at
                    )
                    .where(table.c.shard.in_(shards), table.c.published_at.is_(None))
                    .order_by(table.c.id)
                    .limit(self.batch_size)
                )
            ).all()
            if not rows:
                return []
            deliveries = [
                await self.producer.send(row.topic, row.envelope.encode(), key=row.key.encode())
                for row in rows
            ]
            await asyncio.gather(*deliveries)
            await connection.execute(
                update(table)
                .where(table.c.id.in_([row.id for row in rows]))
                .values(published_at=func.now())
            )
        batch = PublishedBatch(len(rows), min(row.created_at for row in rows))
        if self.on_published:
            self.on_published(batch)
        return [batch]
