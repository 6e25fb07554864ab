"""Enterprises, offers and needs in and out of PostgreSQL; the only place that knows their rows."""

from __future__ import annotations

import base64
import binascii
import json
import re
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime

from sqlalchemy import (
    ColumnElement,
    Select,
    Table,
    Uuid,
    and_,
    any_,
    bindparam,
    case,
    delete,
    exists,
    func,
    insert,
    literal,
    literal_column,
    or_,
    select,
    text,
    tuple_,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from eventkit.envelope import Envelope
from eventkit.outbox import outbox_row
from registry.adapters.orm import enterprises, listings, outbox
from registry.domain.duplicates import Fingerprint
from registry.domain.enterprise import Enterprise
from registry.domain.errors import AlreadyRegistered, FieldError, InvalidInput
from registry.domain.listing import Listing
from registry.domain.queries import EnterpriseFilters, ListingFilters, Page, PageRequest, SortOrder

_GENERATED = {"search", "email_domain", "phone_digits"}
_OUTBOX_FIELDS = ("event_id", "topic", "key", "shard", "envelope")
_ENTERPRISE_COLUMNS = [c for c in enterprises.columns if c.name not in _GENERATED]
_LISTING_COLUMNS = [c for c in listings.columns if c.name not in _GENERATED]
_SERVER_SET = {"created_at", "updated_at"}
# The moment of the insert, not of the transaction's start, so rows keep the order they were made
# in.
_STAMPED_NOW = {"created_at": func.clock_timestamp(), "updated_at": func.clock_timestamp()}


def _enterprise_row(enterprise: Enterprise) -> dict:
    row = {
        c.name: getattr(enterprise, c.name)
        for c in _ENTERPRISE_COLUMNS
        if c.name not in _SERVER_SET | {"legal_id"}
    }
    row["legal_id"] = enterprise.legal_id
    return row


def _enterprise(row) -> Enterprise:
    return enterprise_of(row._mapping)


def enterprise_of(columns: Mapping) -> Enterprise:
    fields = dict(columns)
    fields.pop("legal_id")
    return Enterprise(**fields)


def listing_row(listing: Listing) -> dict:
    return {c.name: getattr(listing, c.name) for c in _LISTING_COLUMNS if c.name not in _SERVER_SET}


def _listing(row) -> Listing:
    return Listing(**row._mapping)


# Built once: the hot paths reuse these statements and SQLAlchemy's compiled-statement cache.
_LIVE_ENTERPRISE = select(*_ENTERPRISE_COLUMNS).where(enterprises.c.deleted_at.is_(None))
_ENTERPRISE_BY_ID = _LIVE_ENTERPRISE.where(enterprises.c.id == bindparam("id"))
# FOR KEY SHARE is the lock the listing's foreign key takes anyway; it still waits for the
# FOR UPDATE that changing, suspending or deleting the enterprise holds.
_ENTERPRISE_FOR_SHARE = _ENTERPRISE_BY_ID.with_for_update(read=True, key_share=True)
# Several enterprises locked as get_for_share locks one (for a batch of publications).
ENTERPRISES_FOR_SHARE = (
    _LIVE_ENTERPRISE.where(enterprises.c.id == any_(bindparam("ids", type_=ARRAY(Uuid))))
    .order_by(enterprises.c.id)
    .with_for_update(read=True, key_share=True)
)
_ENTERPRISE_FOR_UPDATE = _ENTERPRISE_BY_ID.with_for_update()
_INSERT_ENTERPRISE = (
    insert(enterprises)
    .values(_STAMPED_NOW)
    .returning(enterprises.c.created_at, enterprises.c.updated_at)
)
_NEW_LISTING_COLUMNS = ", ".join(c.name for c in _LISTING_COLUMNS if c.name not in _SERVER_SET)
# A batch of listings and their events travels as two JSON arrays: one statement with two parameters
# however many there are, where a row-by-row insert would cost the driver's work for every column
# of every row. Rows go in the order given, each stamped at its insert.
INSERT_LISTINGS_AND_EVENTS = text(f"""
WITH new_listings AS (
    INSERT INTO listings ({_NEW_LISTING_COLUMNS}, created_at, updated_at)
    SELECT {_NEW_LISTING_COLUMNS}, clock_timestamp(), clock_timestamp()
    FROM jsonb_populate_recordset(NULL::listings,
        CAST(:listings AS jsonb)) WITH ORDINALITY AS given ORDER BY ordinality
    RETURNING id, created_at, updated_at
), new_events AS (
    INSERT INTO outbox ({", ".join(_OUTBOX_FIELDS)})
    SELECT {", ".join(_OUTBOX_FIELDS)}
    FROM jsonb_populate_recordset(NULL::outbox,
        CAST(:events AS jsonb)) WITH ORDINALITY AS given ORDER BY ordinality
)
SELECT id, created_at, updated_at FROM new_listings
""")
# A deleted enterprise's listings are kept for the audit, but exist no more for anyone who asks.
_OWNER_LIVE = (
    select(enterprises.c.id)
    .where(enterprises.c.id == listings.c.enterprise_id, enterprises.c.deleted_at.is_(None))
    .exists()
)
_LISTING_BY_ID = select(*_LISTING_COLUMNS).where(
    listings.c.id == bindparam("id"), listings.c.side == bindparam("side"), _OWNER_LIVE
)
_LISTING_FOR_UPDATE = _LISTING_BY_ID.with_for_update()


class EnterpriseRepository:
    """Only enterprises that have not been deleted exist for the rest of the service."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    def _live(self) -> Select:
        return _LIVE_ENTERPRISE

    async def _one(self, statement, **params) -> Enterprise | None:
        row = (await self._connection.execute(statement, params)).first()
        return _enterprise(row) if row else None

    async def add(self, enterprise: Enterprise) -> None:
        try:
            row = (
                await self._connection.execute(_INSERT_ENTERPRISE, _enterprise_row(enterprise))
            ).one()
            enterprise.created_at, enterprise.updated_at = row
        except IntegrityError as error:
            # Two registrations of one legal id raced past the service's check; the index decides.
            if "uq_enterprises_country_legal_id" in str(error.orig):
                raise AlreadyRegistered(None) from error
            raise

    async def get(self, enterprise_id: uuid.UUID) -> Enterprise | None:
        return await self._one(_ENTERPRISE_BY_ID, id=enterprise_id)

    async def get_for_update(self, enterprise_id: uuid.UUID) -> Enterprise | None:
        return await self._one(_ENTERPRISE_FOR_UPDATE, id=enterprise_id)

    async def get_for_share(self, enterprise_id: uuid.UUID) -> Enterprise | None:
        """Keeps the enterprise from being deleted, suspended or changed under a listing being
        published, while other listings of it may be published at the same time."""
        return await self._one(_ENTERPRISE_FOR_SHARE, id=enterprise_id)

    async def get_by_legal_id(self, country: str, legal_id: str) -> Enterprise | None:
        query = self._live().where(
            enterprises.c.country == country, enterprises.c.legal_id == legal_id
        )
        row = (await self._connection.execute(query)).first()
        return _enterprise(row) if row else None

    async def save(self, enterprise: Enterprise) -> None:
        enterprise.updated_at = await _save_row(
            self._connection, enterprises, enterprise.id, _enterprise_row(enterprise)
        )

    async def get_page(self, filters: EnterpriseFilters, page: PageRequest) -> Page[Enterprise]:
        conditions = [enterprises.c.deleted_at.is_(None)]
        if filters.country:
            conditions.append(enterprises.c.country == filters.country)
        if filters.region:
            conditions.append(enterprises.c.region == filters.region)
        if filters.sector:
            conditions.append(_contains(enterprises.c.sectors, filters.sector))
        if filters.status:
            conditions.append(enterprises.c.status == filters.status)
        if filters.q:
            conditions.append(enterprises.c.search.op("@@")(_text_query(filters.q)))
        query = select(*_ENTERPRISE_COLUMNS).where(*conditions)
        rows, total, next_cursor = await _paginate(
            self._connection, query, enterprises, enterprises.c.name, conditions, page
        )
        return Page([_enterprise(row) for row in rows], total, next_cursor)

    async def get_all_by_fingerprint(
        self, fingerprint: Fingerprint, *, besides: uuid.UUID, limit: int
    ) -> list[Enterprise]:
        """Live enterprises other than `besides` holding any of the fingerprint's values, those
        holding more of them first, then the newest. Each value is looked up in its own index."""
        c = enterprises.c
        same = []
        if fingerprint.inn:
            same.append(and_(c.country == "RU", c.legal_id == fingerprint.inn))
        if fingerprint.ogrn:
            same.append(c.ogrn == fingerprint.ogrn)
        if fingerprint.unp:
            same.append(and_(c.country == "BY", c.legal_id == fingerprint.unp))
        same_legal_id = or_(*same) if same else None
        signs = [
            s
            for s in (
                same_legal_id,
                _equal(c.email_domain, fingerprint.email_domain),
                _equal(c.phone_digits, fingerprint.phone),
            )
            if s is not None
        ]
        if not signs:
            return []
        weight = sum((case((sign, 1), else_=0) for sign in signs), literal(0))
        query = (
            select(*_ENTERPRISE_COLUMNS)
            .where(c.deleted_at.is_(None), c.id != besides, or_(*signs))
            .order_by(weight.desc(), c.created_at.desc(), c.id)
            .limit(limit)
        )
        return [_enterprise(row) for row in await self._connection.execute(query)]


async def _save_row(
    connection: AsyncConnection, table: Table, row_id: uuid.UUID, row: dict
) -> datetime:
    """Writes the row over the one with its id, and answers the moment it was written."""
    statement = (
        update(table)
        .where(table.c.id == row_id)
        .values(row | {"updated_at": func.clock_timestamp()})
        .returning(table.c.updated_at)
    )
    return await connection.scalar(statement)


def _equal(column, value: str | None) -> ColumnElement | None:
    return column == value if value else None


class ListingRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def get(self, listing_id: uuid.UUID, *, side: str) -> Listing | None:
        row = (
            await self._connection.execute(_LISTING_BY_ID, {"id": listing_id, "side": side})
        ).first()
        return _listing(row) if row else None

    async def get_for_update(self, listing_id: uuid.UUID, *, side: str) -> Listing | None:
        row = (
            await self._connection.execute(_LISTING_FOR_UPDATE, {"id": listing_id, "side": side})
        ).first()
        return _listing(row) if row else None

    async def get_all_active_by_enterprise_for_update(
        self, enterprise_id: uuid.UUID
    ) -> list[Listing]:
        query = (
            select(*_LISTING_COLUMNS)
            .where(listings.c.enterprise_id == enterprise_id, listings.c.status == "active")
            .order_by(listings.c.created_at, listings.c.id)
            .with_for_update()
        )
        return [_listing(row) for row in await self._connection.execute(query)]

    async def erase_texts_of_enterprise(self, enterprise_id: uuid.UUID) -> None:
        """A deleted enterprise's listings keep their titles for the audit, not the free text its
        people wrote (where contacts end up)."""
        await self._connection.execute(
            update(listings).where(listings.c.enterprise_id == enterprise_id).values(description="")
        )

    async def save(self, listing: Listing) -> None:
        listing.updated_at = await _save_row(
            self._connection, listings, listing.id, listing_row(listing)
        )

    async def get_page(self, filters: ListingFilters, page: PageRequest) -> Page[Listing]:
        conditions = _listing_conditions(filters)
        query = select(*_LISTING_COLUMNS).where(*conditions)
        rows, total, next_cursor = await _paginate(
            self._connection, query, listings, listings.c.title, conditions, page
        )
        return Page([_listing(row) for row in rows], total, next_cursor)


def _listing_conditions(filters: ListingFilters) -> list[ColumnElement]:
    owner = select(enterprises.c.id).where(
        enterprises.c.id == listings.c.enterprise_id, enterprises.c.deleted_at.is_(None)
    )
    conditions = [listings.c.side == filters.side]
    if filters.enterprise_id:
        conditions.append(listings.c.enterprise_id == filters.enterprise_id)
    if filters.country:
        owner = owner.where(enterprises.c.country == filters.country)
    if filters.region:
        in_region = owner.where(enterprises.c.region == filters.region).exists()
        conditions.append(or_(_contains(listings.c.regions, filters.region), in_region))
    if filters.sector:
        conditions.append(listings.c.sector == filters.sector)
    if filters.kind:
        conditions.append(listings.c.kind == filters.kind)
    if filters.status:
        conditions.append(listings.c.status == filters.status)
    if filters.product_code:
        code = func.unnest(listings.c.product_codes).table_valued("code").render_derived()
        conditions.append(
            exists(
                select(literal(1))
                .select_from(code)
                .where(code.c.code.startswith(filters.product_code, autoescape=True))
            )
        )
    if filters.q:
        query = _text_query(filters.q)
        by_owner_name = select(enterprises.c.id).where(
            enterprises.c.id == listings.c.enterprise_id, enterprises.c.search.op("@@")(query)
        )
        conditions.append(or_(listings.c.search.op("@@")(query), by_owner_name.exists()))
    conditions.append(owner.exists())
    return conditions


def _contains(array_column, value: str) -> ColumnElement:
    return literal(value, array_column.type.item_type) == any_(array_column)


def _text_query(q: str):
    # websearch syntax: words are ANDed, "quoted phrases", -excluded, "or" between alternatives.
    return func.websearch_to_tsquery(literal_column("'russian'::regconfig"), q)


# --- keyset pagination -------------------------------------------------------------------------


async def _paginate(
    connection: AsyncConnection,
    query: Select,
    table: Table,
    name_column,
    conditions,
    page: PageRequest,
):
    """Orders by the chosen key and the id as a tie-breaker, and continues after the cursor's row,
    so rows added or removed meanwhile neither repeat nor skip the rows that stay."""
    key = name_column if page.sort is SortOrder.NAME else table.c.created_at
    descending = page.sort is SortOrder.NEWEST
    total = await connection.scalar(select(func.count()).select_from(table).where(*conditions))
    if page.cursor:
        after_key, after_id = _decode_cursor(page.cursor, page.sort)
        position = tuple_(key, table.c.id)
        query = query.where(
            position < tuple_(literal(after_key, key.type), literal(after_id, table.c.id.type))
            if descending
            else position > tuple_(literal(after_key, key.type), literal(after_id, table.c.id.type))
        )
    order = [key.desc(), table.c.id.desc()] if descending else [key.asc(), table.c.id.asc()]
    rows = (await connection.execute(query.order_by(*order).limit(page.limit + 1))).all()
    next_cursor = None
    if len(rows) > page.limit:
        rows = rows[: page.limit]
        last = rows[-1]._mapping
        next_cursor = _encode_cursor(last[key.name], last["id"], page.sort)
    return rows, total or 0, next_cursor


def _encode_cursor(key_value, row_id: uuid.UUID, sort: SortOrder) -> str:
    value = key_value.isoformat() if isinstance(key_value, datetime) else key_value
    raw = json.dumps([sort.value, value, str(row_id)], ensure_ascii=False).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_cursor(cursor: str, sort: SortOrder) -> tuple[object, uuid.UUID]:
    """Only what _encode_cursor could have written: anything else (a forged or edited cursor, one of
    another sort order) is an invalid field, never a value handed to the database."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        cursor_sort, value, row_id = json.loads(raw)
        if cursor_sort != sort.value or not isinstance(value, str) or not isinstance(row_id, str):
            raise ValueError("sorted otherwise")
        return _cursor_key(value, sort), uuid.UUID(row_id)
    except (ValueError, TypeError, OverflowError, binascii.Error) as error:
        raise InvalidInput(
            [FieldError("cursor", "not a cursor this list gave out with this sort order")]
        ) from error


_UNSTORABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def _cursor_key(value: str, sort: SortOrder) -> object:
    if sort is SortOrder.NAME:
        if _UNSTORABLE.search(value):
            raise ValueError("no name holds control characters")
        return value
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        raise ValueError("a cursor's moment has its offset")
    return moment.astimezone(UTC)  # OverflowError beyond the calendar PostgreSQL keeps


_INSERT_OUTBOX = insert(outbox)


class OutboxWriter:
    """Adds events to the outbox inside the caller's transaction."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def add(self, envelope: Envelope, *, topic: str) -> None:
        await self._connection.execute(_INSERT_OUTBOX, outbox_row(envelope, topic=topic))

    async def add_all(self, envelopes: list[Envelope], *, topic: str) -> None:
        if envelopes:
            await self._connection.execute(
                insert(outbox), [outbox_row(e, topic=topic) for e in envelopes]
            )

    async def forget_published_for(self, key: str) -> None:
        """Drops the events of one key (an enterprise's: its profile with its contacts, its
        listings) that Kafka already has; the unpublished ones stay, the relay still owes them."""
        await self._connection.execute(
            delete(outbox).where(outbox.c.key == key, outbox.c.published_at.is_not(None))
        )
