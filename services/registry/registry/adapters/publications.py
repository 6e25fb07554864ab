"""The registry's busiest write, publishing offers and needs, spoken to PostgreSQL through the
driver.

A batch of publications is two statements: lock the enterprises, insert the listings with their
events. Through SQLAlchemy's session each statement costs several times its round trip in CPU (a
greenlet, an execution context, result processing), which on this path is most of a request's cost;
the statements themselves are still built from the table definitions in `orm.py`, so they cannot
drift from the schema. Everywhere else the registry uses SQLAlchemy as usual."""

from __future__ import annotations

import json
import uuid
from collections.abc import Awaitable, Callable

import asyncpg
from sqlalchemy.dialects.postgresql import asyncpg as asyncpg_dialect

from eventkit.envelope import Envelope
from eventkit.outbox import outbox_row
from registry.adapters.repository import (
    ENTERPRISES_FOR_SHARE,
    INSERT_LISTINGS_AND_EVENTS,
    enterprise_of,
    listing_row,
)
from registry.domain.enterprise import Enterprise
from registry.domain.listing import Listing


def _driver_sql(statement) -> tuple[str, list[str]]:
    compiled = statement.compile(dialect=asyncpg_dialect.dialect())
    return str(compiled), list(compiled.positiontup)


_OWNERS_FOR_SHARE, _OWNERS_PARAMS = _driver_sql(ENTERPRISES_FOR_SHARE)
_INSERT, _INSERT_PARAMS = _driver_sql(INSERT_LISTINGS_AND_EVENTS)


class PublicationStore:
    """Works inside the transaction of the unit of work that lends it the driver's connection."""

    def __init__(self, driver_connection: Callable[[], Awaitable[asyncpg.Connection]]) -> None:
        self._driver_connection = driver_connection

    async def owners_for_share(self, enterprise_ids: set[uuid.UUID]) -> dict[uuid.UUID, Enterprise]:
        """The live enterprises among these, locked against being changed, suspended or deleted
        until the transaction ends (in the order of their ids, so two batches never deadlock)."""
        connection = await self._driver_connection()
        rows = await connection.fetch(
            _OWNERS_FOR_SHARE, *self._in_order(_OWNERS_PARAMS, ids=sorted(enterprise_ids))
        )
        owners = [enterprise_of(row) for row in rows]
        return {owner.id: owner for owner in owners}

    async def add_with_events(
        self, published: list[tuple[Listing, Envelope]], *, topic: str
    ) -> None:
        """New listings are never without the events that announce them."""
        if not published:
            return
        params = {
            "listings": json.dumps(
                [listing_row(listing) for listing, _ in published], default=str, ensure_ascii=False
            ),
            "events": json.dumps(
                [outbox_row(event, topic=topic) for _, event in published],
                default=str,
                ensure_ascii=False,
            ),
        }
        connection = await self._driver_connection()
        stamped = {
            row["id"]: row
            for row in await connection.fetch(_INSERT, *self._in_order(_INSERT_PARAMS, **params))
        }
        for listing, _ in published:
            listing.created_at, listing.updated_at = (
                stamped[listing.id]["created_at"],
                stamped[listing.id]["updated_at"],
            )

    @staticmethod
    def _in_order(names: list[str], **params) -> list:
        return [params[name] for name in names]
