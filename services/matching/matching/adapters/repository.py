"""Matching's tables in and out of PostgreSQL; the only place that knows their rows."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterable
from dataclasses import asdict, dataclass, fields
from datetime import datetime

from sqlalchemy import (
    Date,
    DateTime,
    and_,
    case,
    delete,
    func,
    literal,
    or_,
    select,
    text,
    true,
    update,
)
from sqlalchemy import insert as plain_insert
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from eventkit.envelope import Envelope
from eventkit.outbox import outbox_row
from matching.adapters.orm import (
    enterprises,
    funnel_days,
    listing_changes,
    listings,
    match_history,
    match_stages,
    matches,
    outbox,
)
from matching.domain.funnel import (
    ALL,
    PERIODS,
    REGION_ARROW,
    STAGES,
    FunnelRange,
    FunnelRow,
    day_of,
    stages_reached,
)
from matching.domain.listing import Listing
from matching.domain.match import WITHDRAWN, Match
from matching.domain.read_model import KnownEnterprise
from matching.domain.review import VERIFIED, Party, ReviewedMatch
from matching.domain.scoring import Component

# Matching's advisory locks: (namespace, key). The outbox relay's are in eventkit's own namespace.
_LOCKS = 0x4D41  # "MA"
_CHANGE_NUMBER_LOCK = (_LOCKS, 0)
_PROPOSALS_LOCKS = _LOCKS + 1  # one per listing: (namespace, the listing's lock key)


def is_deadlock(error: BaseException) -> bool:
    """PostgreSQL ended this transaction to break a deadlock: running it again is safe."""
    return getattr(getattr(error, "orig", None), "sqlstate", None) == "40P01"


def proposals_lock_key(listing_id: uuid.UUID) -> int:
    """A listing's key among the proposal locks: 32 bits of its id (two listings sharing one only
    wait for each other)."""
    return int.from_bytes(listing_id.bytes[:4], "big", signed=True)


_TUPLE_FIELDS = (
    "languages",
    "enterprise_certifications",
    "product_codes",
    "regions",
    "certifications",
)
_LISTING_FIELDS = [f.name for f in fields(Listing)]


class EnterpriseReadModel:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, enterprise_id: uuid.UUID) -> KnownEnterprise | None:
        row = (
            await self._session.execute(
                select(enterprises).where(enterprises.c.id == enterprise_id)
            )
        ).first()
        if row is None:
            return None
        values = dict(row._mapping)
        values.pop("updated_at")
        return KnownEnterprise(**values)

    async def put(self, enterprise: KnownEnterprise) -> None:
        values = asdict(enterprise)
        statement = insert(enterprises).values(values)
        update_values = {k: statement.excluded[k] for k in values if k != "id"} | {
            "updated_at": func.now()
        }
        await self._session.execute(
            statement.on_conflict_do_update(index_elements=["id"], set_=update_values)
        )

    async def count(self) -> int:
        return await self._session.scalar(select(func.count()).select_from(enterprises)) or 0


def _listing_row(listing: Listing) -> dict:
    row = {name: getattr(listing, name) for name in _LISTING_FIELDS}
    for name in _TUPLE_FIELDS:
        row[name] = list(row[name])
    return row


def listing_of(row) -> Listing:
    values = {name: row._mapping[name] for name in _LISTING_FIELDS}
    for name in _TUPLE_FIELDS:
        values[name] = tuple(values[name] or ())
    return Listing(**values)


class ListingReadModel:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        self.written: set[uuid.UUID] = set()  # the listings this transaction wrote

    async def _serialise_change_numbers(self) -> None:
        """Every transaction that writes listings takes this one lock (held until it commits) before
        it takes a change number or locks a listing row.

        Each instance's index catches up by reading the listings whose change number is above the
        last it saw. A sequence hands out numbers at once but writers commit in their own order:
        were writer A to take 10 and writer B 11, B committing first, an instance reading then would
        move past 11 and never see 10. With the lock, A commits (or rolls back) before B can take a
        number, so a reader that sees a number has already been able to see every smaller one.
        Tracking each row's writer transaction against the snapshot's xmin would also close the gap
        but needs a column, a wider read and care with wrap-around; the price here is that listing
        writes of all instances queue one after another, a few milliseconds each, which the
        platform's listing traffic (companies publishing and editing) is far below.
        """
        await self._session.execute(
            select(func.pg_advisory_xact_lock(_CHANGE_NUMBER_LOCK[0], _CHANGE_NUMBER_LOCK[1]))
        )

    async def get(self, listing_id: uuid.UUID) -> Listing | None:
        row = (
            await self._session.execute(select(listings).where(listings.c.id == listing_id))
        ).first()
        return listing_of(row) if row else None

    async def get_by_ids(self, listing_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, Listing]:
        ids = list(set(listing_ids))
        if not ids:
            return {}
        rows = await self._session.execute(select(listings).where(listings.c.id.in_(ids)))
        return {row.id: listing_of(row) for row in rows}

    async def put(self, listing: Listing) -> None:
        await self._serialise_change_numbers()
        self.written.add(listing.id)
        values = _listing_row(listing)
        statement = insert(listings).values(values)
        changed = {k: statement.excluded[k] for k in values if k != "id"}
        changed |= {"updated_at": func.now(), "change_number": listing_changes.next_value()}
        await self._session.execute(
            statement.on_conflict_do_update(index_elements=["id"], set_=changed)
        )

    async def get_all_by_enterprise(self, enterprise_id: uuid.UUID) -> list[Listing]:
        """The enterprise's listings, locked for writing (taken after the change-number lock, like
        every listings write)."""
        await self._serialise_change_numbers()
        rows = await self._session.execute(
            select(listings).where(listings.c.enterprise_id == enterprise_id).with_for_update()
        )
        return [listing_of(row) for row in rows]

    async def get_all_paused_with_open_matches(self) -> list[Listing]:
        """Listings matching does not pair now (closed, or their enterprise not verified) that still
        hold proposed or approved matches: what a full re-match must also bring in line."""
        open_match = (
            select(matches.c.id)
            .where(
                or_(matches.c.offer_id == listings.c.id, matches.c.need_id == listings.c.id),
                matches.c.status.in_(("proposed", "approved")),
            )
            .exists()
        )
        paused = or_(
            listings.c.status != "active", listings.c.enterprise_status.is_distinct_from("verified")
        )
        rows = await self._session.execute(
            select(listings).where(paused, open_match).order_by(listings.c.change_number)
        )
        return [listing_of(row) for row in rows]

    async def get_all_changed_since(
        self, change_number: int, *, batch: int = 5000
    ) -> AsyncIterator[tuple[int, Listing]]:
        """Every listing written after the given change number, in order, in batches."""
        while True:
            rows = (
                await self._session.execute(
                    select(listings)
                    .where(listings.c.change_number > change_number)
                    .order_by(listings.c.change_number)
                    .limit(batch)
                )
            ).all()
            for row in rows:
                yield row.change_number, listing_of(row)
            if len(rows) < batch:
                return
            change_number = rows[-1].change_number


# A match's columns that keep its fields as they are: those fixed at its proposal, and those its
# transitions and re-scores change. Its components are kept as JSON, its pending transitions not.
_MATCH_IDENTITY = ("id", "offer_id", "need_id", "offer_enterprise_id", "need_enterprise_id")
_MATCH_CHANGEABLE = [
    f.name
    for f in fields(Match)
    if f.name not in (*_MATCH_IDENTITY, "created_at", "components", "pending")
]


def _match_of(row) -> Match:
    components = [Component(c["name"], c["value"], c["weight"]) for c in row.components]
    columns = (*_MATCH_IDENTITY, "created_at", *_MATCH_CHANGEABLE)
    return Match(**{name: row._mapping[name] for name in columns}, components=components)


def _match_row(match: Match) -> dict:
    """The columns an update writes."""
    values = {name: getattr(match, name) for name in _MATCH_CHANGEABLE}
    return values | {"components": [asdict(c) for c in match.components]}


# The queue reads each side's listing and enterprise in the same query as the matches.
_offer_listing, _need_listing = listings.alias("offer_listing"), listings.alias("need_listing")
_offer_enterprise, _need_enterprise = (
    enterprises.alias("offer_enterprise"),
    enterprises.alias("need_enterprise"),
)


@dataclass(frozen=True)
class QueueFilter:
    status: str | None = None
    sector: str | None = None
    offer_country: str | None = None
    need_country: str | None = None
    region: str | None = None
    min_score: float | None = None
    need_id: uuid.UUID | None = None
    offer_id: uuid.UUID | None = None
    enterprise_id: uuid.UUID | None = None
    statuses: tuple[str, ...] = ()
    # With `statuses`: also the matches withdrawn after the agency approved them (sent to the
    # companies, so the companies are told how they ended), never those withdrawn before review.
    with_withdrawn_after_approval: bool = False
    enterprise_ids: tuple[uuid.UUID, ...] | None = None  # None: every enterprise (staff)
    verification: str | None = (
        None  # verified: both sides verified; unverified: at least one side not (or not known)
    )
    created_from: datetime | None = None  # inclusive
    created_before: datetime | None = None  # exclusive

    @property
    def needs_enterprises(self) -> bool:
        return self.verification is not None

    def conditions(self) -> list:
        c = matches.c
        found = []
        for column, value in (
            (c.status, self.status),
            (c.sector, self.sector),
            (c.offer_country, self.offer_country),
            (c.need_country, self.need_country),
            (c.need_id, self.need_id),
            (c.offer_id, self.offer_id),
        ):
            if value is not None:
                found.append(column == value)
        if self.region is not None:
            found.append(or_(c.offer_region == self.region, c.need_region == self.region))
        if self.min_score is not None:
            found.append(c.score >= self.min_score)
        if self.enterprise_id is not None:
            found.append(
                or_(
                    c.offer_enterprise_id == self.enterprise_id,
                    c.need_enterprise_id == self.enterprise_id,
                )
            )
        if self.statuses:
            shown = c.status.in_(self.statuses)
            if self.with_withdrawn_after_approval:
                approved_once = (
                    select(match_stages.c.match_id)
                    .where(match_stages.c.match_id == c.id, match_stages.c.stage == "approved")
                    .exists()
                )
                shown = or_(shown, and_(c.status == "withdrawn", approved_once))
            found.append(shown)
        if self.enterprise_ids is not None:
            owned = list(self.enterprise_ids)
            found.append(or_(c.offer_enterprise_id.in_(owned), c.need_enterprise_id.in_(owned)))
        if self.created_from is not None:
            found.append(c.created_at >= self.created_from)
        if self.created_before is not None:
            found.append(c.created_at < self.created_before)
        if self.verification == "verified":
            found.append(
                and_(_offer_enterprise.c.status == VERIFIED, _need_enterprise.c.status == VERIFIED)
            )
        elif self.verification == "unverified":
            found.append(
                or_(
                    _offer_enterprise.c.status.is_distinct_from(VERIFIED),
                    _need_enterprise.c.status.is_distinct_from(VERIFIED),
                )
            )
        return found


_ORDER = {
    "score": [matches.c.score.desc(), matches.c.id],
    "age": [matches.c.created_at.asc(), matches.c.id],
    "newest": [matches.c.created_at.desc(), matches.c.id.desc()],
}


def _with_enterprises(source):
    return source.outerjoin(
        _offer_enterprise, _offer_enterprise.c.id == matches.c.offer_enterprise_id
    ).outerjoin(_need_enterprise, _need_enterprise.c.id == matches.c.need_enterprise_id)


def _party_columns(side: str, listing, enterprise) -> list:
    return [
        listing.c.title.label(f"{side}_title"),
        func.coalesce(enterprise.c.name, listing.c.enterprise_name).label(
            f"{side}_enterprise_name"
        ),
        listing.c.city.label(f"{side}_city"),
        enterprise.c.status.label(f"{side}_enterprise_status"),
    ]


def _reviewed(source):
    """The matches of `source` (matches, or matches joined to a page of their ids) with both sides'
    listings and enterprises."""
    return select(
        matches,
        *_party_columns("offer", _offer_listing, _offer_enterprise),
        *_party_columns("need", _need_listing, _need_enterprise),
    ).select_from(
        _with_enterprises(
            source.join(_offer_listing, _offer_listing.c.id == matches.c.offer_id).join(
                _need_listing, _need_listing.c.id == matches.c.need_id
            )
        )
    )


_REVIEWED = _reviewed(matches)

# A funnel_days row's key: the day, the match's sector, regions and countries, the stage.
_FUNNEL_KEY = (
    "day",
    "sector",
    "offer_region",
    "need_region",
    "offer_country",
    "need_country",
    "stage",
)
_PLACE = ("sector", "offer_region", "need_region", "offer_country", "need_country")


def _party_of(row, side: str) -> Party:
    """One side of a queue row, whose columns are the party's fields prefixed by the side."""
    return Party(**{f.name: row._mapping[f"{side}_{f.name}"] for f in fields(Party)})


def _reviewed_of(row) -> ReviewedMatch:
    return ReviewedMatch(
        _match_of(row), row.sector, _party_of(row, "offer"), _party_of(row, "need")
    )


class MatchRepository:
    """Matches, their history and the funnel's roll-up.

    Each transition written to `match_history` also records, in the same transaction, the stages
    the match reaches for the first time (`match_stages`) and counts them in the day's roll-up
    (`funnel_days`). The roll-up's increments are gathered during the use case and written by
    `flush_funnel` just before the unit of work commits, in one statement in key order, so two
    transactions never wait on each other's roll-up rows in opposite orders.
    """

    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        self._funnel_increments: dict[tuple, int] = {}

    async def get(self, match_id: uuid.UUID, *, for_update: bool = False) -> Match | None:
        query = select(matches).where(matches.c.id == match_id)
        row = (
            await self._session.execute(query.with_for_update() if for_update else query)
        ).first()
        return _match_of(row) if row else None

    async def get_all_by_listing_for_update(self, listing_id: uuid.UUID) -> list[Match]:
        query = (
            select(matches)
            .where(or_(matches.c.offer_id == listing_id, matches.c.need_id == listing_id))
            .with_for_update()
        )
        return [_match_of(row) for row in await self._session.execute(query)]

    async def lock_proposal_counts(self, listing_ids: Iterable[uuid.UUID]) -> None:
        """Until this transaction ends, no other one proposes a match for these listings (nor counts
        their proposed matches to do so): every use case that proposes takes these locks, for the
        listing and every partner it may propose, before it counts. Taken in key order, so two
        transactions wanting overlapping sets queue instead of waiting on each other."""
        keys = sorted({proposals_lock_key(listing_id) for listing_id in listing_ids})
        for key in keys:
            await self._session.execute(select(func.pg_advisory_xact_lock(_PROPOSALS_LOCKS, key)))

    async def get_withdrawn_by_listings(
        self, listing_ids: Iterable[uuid.UUID]
    ) -> dict[tuple[uuid.UUID, uuid.UUID], Match]:
        """The withdrawn matches of these listings, by (listing, partner). Not locked: a caller
        holds the proposal-count locks of both sides, which every use case that changes a pair takes
        first."""
        ids = list(set(listing_ids))
        if not ids:
            return {}
        query = select(matches).where(
            matches.c.status == WITHDRAWN,
            or_(matches.c.offer_id.in_(ids), matches.c.need_id.in_(ids)),
        )
        found: dict[tuple[uuid.UUID, uuid.UUID], Match] = {}
        for row in await self._session.execute(query):
            match = _match_of(row)
            for one, other in ((match.offer_id, match.need_id), (match.need_id, match.offer_id)):
                if one in ids:
                    found[(one, other)] = match
        return found

    async def get_partner_ids_by_listings(
        self, listing_ids: Iterable[uuid.UUID]
    ) -> dict[uuid.UUID, set[uuid.UUID]]:
        """For each listing, the listings it already has a match with (in any status), without
        locking them."""
        ids = list(set(listing_ids))
        found: dict[uuid.UUID, set[uuid.UUID]] = {listing_id: set() for listing_id in ids}
        if not ids:
            return found
        rows = await self._session.execute(
            select(matches.c.offer_id, matches.c.need_id).where(
                or_(matches.c.offer_id.in_(ids), matches.c.need_id.in_(ids))
            )
        )
        for offer_id, need_id in rows:
            if offer_id in found:
                found[offer_id].add(need_id)
            if need_id in found:
                found[need_id].add(offer_id)
        return found

    async def get_proposed_counts_by_listings(
        self, listing_ids: Iterable[uuid.UUID]
    ) -> dict[uuid.UUID, int]:
        ids = list(listing_ids)
        if not ids:
            return {}
        counts: dict[uuid.UUID, int] = {}
        for column in (matches.c.offer_id, matches.c.need_id):
            rows = await self._session.execute(
                select(column, func.count())
                .where(column.in_(ids), matches.c.status == "proposed")
                .group_by(column)
            )
            for listing_id, count in rows:
                counts[listing_id] = counts.get(listing_id, 0) + count
        return counts

    async def add(self, match: Match, *, offer: Listing, need: Listing) -> None:
        identity = {name: getattr(match, name) for name in (*_MATCH_IDENTITY, "created_at")}
        places = {
            f"{side}_{name}": getattr(listing, name)
            for side, listing in (("offer", offer), ("need", need))
            for name in ("country", "region")
        }
        row = _match_row(match) | identity | places | {"sector": need.sector}
        await self._session.execute(plain_insert(matches).values(row))
        await self._write_history(match, place={name: row[name] for name in _PLACE})

    async def save(self, match: Match) -> None:
        statement = update(matches).where(matches.c.id == match.id).values(_match_row(match))
        if stages_reached(match.pending):
            place = (
                (
                    await self._session.execute(
                        statement.returning(*(matches.c[name] for name in _PLACE))
                    )
                )
                .one()
                ._asdict()
            )
        else:
            await self._session.execute(statement)
            place = None
        await self._write_history(match, place=place)

    async def _write_history(self, match: Match, *, place: dict | None) -> None:
        if not match.pending:
            return
        await self._session.execute(
            plain_insert(match_history),
            [
                {
                    "match_id": match.id,
                    "from_status": t.from_status,
                    "to_status": t.to_status,
                    "event_type": t.event_type,
                    "actor": t.actor,
                    "note": t.note,
                    "at": t.at,
                    "cause": t.cause,
                    "side": t.side,
                }
                for t in match.pending
            ],
        )
        reached = stages_reached(match.pending)
        if not reached:
            return
        first_times = await self._session.execute(
            insert(match_stages)
            .values([{"match_id": match.id, "stage": stage, "at": at} for stage, at in reached])
            .on_conflict_do_nothing()
            .returning(match_stages.c.stage, match_stages.c.at)
        )
        for stage, at in first_times:
            key = (day_of(at), *(place[name] for name in _PLACE), stage)
            self._funnel_increments[key] = self._funnel_increments.get(key, 0) + 1

    async def flush_funnel(self) -> None:
        """Adds the stages reached in this transaction to the funnel's daily roll-up."""
        if not self._funnel_increments:
            return
        rows = [
            dict(zip(_FUNNEL_KEY, key, strict=True)) | {"matches": count}
            for key, count in sorted(self._funnel_increments.items())
        ]
        statement = insert(funnel_days).values(rows)
        await self._session.execute(
            statement.on_conflict_do_update(
                index_elements=list(_FUNNEL_KEY),
                set_={"matches": funnel_days.c.matches + statement.excluded.matches},
            )
        )
        self._funnel_increments.clear()

    async def rebuild_funnel(self) -> int:
        """Derives the stages reached and the funnel's roll-up again from `match_history` (after
        rows were loaded or corrected outside the use cases); returns the roll-up's row count.
        Locks both tables until the caller commits, so transitions made meanwhile wait and then add
        on."""
        await self._session.execute(text("LOCK TABLE match_stages, funnel_days IN EXCLUSIVE MODE"))
        await self._session.execute(match_stages.delete())
        await self._session.execute(funnel_days.delete())
        h = match_history.c
        stage = case(
            *[
                (
                    and_(
                        h.event_type == mark.event_type,
                        h.to_status == mark.to_status if mark.to_status is not None else true(),
                        h.from_status.is_(None) if mark.created else true(),
                    ),
                    literal(name),
                )
                for name, mark in STAGES.items()
            ]
        )
        marked = select(h.match_id, stage.label("stage"), h.at).subquery()
        await self._session.execute(
            insert(match_stages).from_select(
                ["match_id", "stage", "at"],
                select(marked.c.match_id, marked.c.stage, func.min(marked.c.at))
                .where(marked.c.stage.is_not(None))
                .group_by(marked.c.match_id, marked.c.stage),
            )
        )
        s, m = match_stages.c, matches.c
        day = func.timezone("UTC", s.at).cast(Date)
        place = [m[name] for name in _PLACE]
        await self._session.execute(
            insert(funnel_days).from_select(
                [*_FUNNEL_KEY, "matches"],
                select(day, *place, s.stage, func.count())
                .select_from(match_stages.join(matches, m.id == s.match_id))
                .group_by(day, *place, s.stage),
            )
        )
        return await self._session.scalar(select(func.count()).select_from(funnel_days)) or 0

    async def get_history(self, match_id: uuid.UUID) -> list[dict]:
        rows = await self._session.execute(
            select(match_history)
            .where(match_history.c.match_id == match_id)
            .order_by(match_history.c.id)
        )
        return [
            {
                "from_status": r.from_status,
                "to_status": r.to_status,
                "event": r.event_type,
                "actor": r.actor,
                "note": r.note,
                "at": r.at,
                "cause": r.cause,
                "side": r.side,
            }
            for r in rows
        ]

    async def get_reviewed(self, match_id: uuid.UUID) -> ReviewedMatch | None:
        row = (await self._session.execute(_REVIEWED.where(matches.c.id == match_id))).first()
        return _reviewed_of(row) if row else None

    async def get_page(
        self, where: QueueFilter, *, sort: str, limit: int, offset: int
    ) -> tuple[list[ReviewedMatch], int]:
        """One page of the queue with both sides' titles, names, cities and statuses, and how many
        match in all."""
        conditions = and_(True, *where.conditions())
        filtered = _with_enterprises(matches) if where.needs_enterprises else matches
        total = await self._session.scalar(
            select(func.count()).select_from(filtered).where(conditions)
        )
        # The page's ids from `matches` alone (the enterprises only when a filter needs them), then
        # both sides' listings and enterprises for those ids only, in the same order.
        page = (
            select(matches.c.id)
            .select_from(filtered)
            .where(conditions)
            .order_by(*_ORDER[sort])
            .limit(limit)
            .offset(offset)
            .subquery("page")
        )
        rows = await self._session.execute(
            _reviewed(matches.join(page, page.c.id == matches.c.id)).order_by(*_ORDER[sort])
        )
        return [_reviewed_of(row) for row in rows], total or 0

    async def get_stats(self, *, group_by: str, period: str | None) -> list[dict]:
        column = {
            "sector": matches.c.sector,
            "region": matches.c.need_region,
            "offer_region": matches.c.offer_region,
            "status": matches.c.status,
            "country_pair": matches.c.offer_country + "-" + matches.c.need_country,
        }[group_by]
        keys = [column.label("key"), matches.c.status.label("status")]
        if period:
            keys.append(func.date_trunc(period, matches.c.created_at).label("period"))
        rows = await self._session.execute(
            select(
                *keys, func.count().label("count"), func.avg(matches.c.score).label("mean_score")
            )
            .group_by(*keys)
            .order_by(*keys)
        )
        return [dict(row._mapping) for row in rows]

    async def get_funnel(self, funnel_range: FunnelRange, *, group_by: str) -> list[FunnelRow]:
        """Matches per stage that reached it in the range: the roll-up's days summed by the key."""
        d = funnel_days.c
        counts = [
            func.coalesce(func.sum(d.matches).filter(d.stage == stage), 0).label(stage)
            for stage in STAGES
        ]
        if group_by in PERIODS:
            key = func.date_trunc(group_by, d.day.cast(DateTime())).cast(
                Date
            )  # a plain timestamp: no time zone involved
        else:
            key = {
                "none": literal(ALL),
                "sector": d.sector,
                "region_pair": d.offer_region + REGION_ARROW + d.need_region,
                "country_pair": d.offer_country + "-" + d.need_country,
            }[group_by]
        query = select(key.label("key"), *counts).where(
            d.day >= funnel_range.date_from, d.day <= funnel_range.date_to
        )
        if group_by != "none":
            query = query.group_by(key)
        rows = await self._session.execute(query)
        return [FunnelRow(**dict(row._mapping) | {"key": str(row.key)}) for row in rows]


class OutboxWriter:
    """Adds events to the outbox inside the caller's transaction."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, envelope: Envelope, *, topic: str) -> None:
        await self._session.execute(plain_insert(outbox).values(outbox_row(envelope, topic=topic)))

    async def forget_published_naming(self, enterprise_id: uuid.UUID) -> None:
        """Drops the published events that name a deleted enterprise (its name and titles were in
        them); the unpublished ones stay, the relay still owes them to Kafka. Deletions are rare
        enough for the scan of the envelopes' text."""
        await self._session.execute(
            delete(outbox).where(
                outbox.c.published_at.is_not(None), outbox.c.envelope.contains(str(enterprise_id))
            )
        )
