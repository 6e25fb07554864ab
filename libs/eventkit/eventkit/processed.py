"""The events a consumer has applied: each service keeps them in its own `processed_events` table,
written in the same transaction as the event's effects, so an event delivered again (Kafka
delivers at least once) is recognised and changes nothing."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from sqlalchemy import Column, DateTime, MetaData, String, Table, Uuid, func
from sqlalchemy.dialects.postgresql import insert

if TYPE_CHECKING:
    from alembic.operations import Operations


def processed_events_table(metadata: MetaData) -> Table:
    return Table("processed_events", metadata, *_processed_events_columns())


def create_processed_events_table(operations: Operations) -> None:
    """`processed_events` as `processed_events_table` defines it, created by a service's revision:
    `create_processed_events_table(op)`."""
    operations.create_table("processed_events", *_processed_events_columns())


def _processed_events_columns() -> list[Column]:
    return [
        Column("event_id", Uuid, primary_key=True),
        Column("event_type", String(100), nullable=False),
        Column("processed_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    ]


class ProcessedEvents:
    """Records applied events through the unit of work's session or connection."""

    def __init__(self, executor, table: Table) -> None:
        self._executor = executor
        self._table = table

    async def record(self, event_id: uuid.UUID, event_type: str) -> bool:
        """False when the event had been applied before."""
        statement = (
            insert(self._table)
            .values(event_id=event_id, event_type=event_type)
            .on_conflict_do_nothing()
        )
        return (await self._executor.execute(statement)).rowcount == 1
