"""The funnel's daily roll-up: written with each transition, it holds what counting the history
would give (a match counted once per stage, on the day it first got there), and the migration that
brings it in fills it from the history already there with the same numbers."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from alembic import command
from sqlalchemy import select, text

import matching.domain.match as match_module
from matching.__main__ import alembic_config
from matching.adapters.orm import funnel_days
from matching.domain.listing import Listing
from matching.service_layer import matches as use_cases
from matching.service_layer.events import publish_transitions
from matching.service_layer.unit_of_work import UnitOfWork
from tests.integration.scratch_sql import migrated_sessions
from tests.matching_listings import housing_need, lift_maker, proposed_match

MONDAY = datetime(2026, 11, 2, tzinfo=UTC)
STAGES = ("proposed", "approved", "rejected", "interested", "introduced", "closed")
REVIEWER = use_cases.Viewer(actor="reviewer-1", is_staff=True, enterprise_ids=frozenset())

# The first history row of a match marking each stage, counted per UTC day and the match's place:
# the funnel's rule, written here straight from match_history.
COUNTED_FROM_HISTORY = text("""
    WITH marked AS (
        SELECT match_id, at, CASE
            WHEN event_type = 'match.proposed' AND from_status IS NULL THEN 'proposed'
            WHEN event_type = 'match.approved' THEN 'approved'
            WHEN event_type = 'match.rejected' THEN 'rejected'
            WHEN event_type = 'match.responded' AND to_status = 'approved' THEN 'interested'
            WHEN event_type = 'match.introduced' THEN 'introduced'
            WHEN event_type = 'match.closed' THEN 'closed'
        END AS stage
        FROM match_history
    ), first_time AS (
        SELECT match_id, stage,
        min(at) AS at FROM marked WHERE stage IS NOT NULL GROUP BY match_id, stage
    )
    SELECT (f.at AT TIME ZONE 'UTC')::date AS day, m.sector, m.offer_region, m.need_region,
    m.offer_country, m.need_country,
           f.stage, count(*) AS matches
    FROM first_time f JOIN matches m ON m.id = f.match_id
    GROUP BY 1, 2, 3, 4, 5, 6, 7
""")


class Clock:
    """The time the domain stamps on transitions, moved forward by the story."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def on(self, day: int, hour: int = 9) -> None:
        self.now = MONDAY + timedelta(days=day, hours=hour)


@pytest.fixture
def clock(monkeypatch) -> Clock:
    clock = Clock(MONDAY)
    monkeypatch.setattr(match_module, "_now", lambda: clock.now)
    return clock


@pytest.fixture
async def matching_database(scratch_database):
    async with migrated_sessions(scratch_database, alembic_config(scratch_database)) as sessions:
        yield scratch_database, sessions


def listing(side: str, *, sector: str, place: tuple[str, str, str]) -> Listing:
    """The story's offer or need moved to `place` (country, region, city), in `sector`."""
    country, region, city = place
    of_the_story = lift_maker if side == "offer" else housing_need
    return of_the_story(
        enterprise_name=f"{city} {side}",
        country=country,
        region=region,
        city=city,
        title=f"{sector} {side} from {city}",
        sector=sector,
    )


class Market:
    """Pairs of listings in matching's tables and the use cases a reviewer and the companies
    call."""

    def __init__(self, session_factory) -> None:
        self.uow = lambda: UnitOfWork(session_factory)
        self.pairs: dict[uuid.UUID, tuple[Listing, Listing]] = {}

    async def propose(
        self, *, sector: str, offer_from: tuple[str, str, str], need_from: tuple[str, str, str]
    ) -> uuid.UUID:
        offer = listing("offer", sector=sector, place=offer_from)
        need = listing("need", sector=sector, place=need_from)
        match = proposed_match(offer, need)
        async with self.uow() as uow:
            await uow.listings.put(offer)
            await uow.listings.put(need)
            await uow.matches.add(match, offer=offer, need=need)
            await publish_transitions(match=match, offer=offer, need=need, uow=uow)
            await uow.commit()
        self.pairs[match.id] = (offer, need)
        return match.id

    async def approve(self, match_id: uuid.UUID) -> None:
        await use_cases.approve(uow=self.uow(), match_id=match_id, viewer=REVIEWER, note=None)

    async def reject(self, match_id: uuid.UUID) -> None:
        await use_cases.reject(
            uow=self.uow(), match_id=match_id, viewer=REVIEWER, reason="the buyer already signed"
        )

    async def close(self, match_id: uuid.UUID) -> None:
        await use_cases.close(
            uow=self.uow(), match_id=match_id, viewer=REVIEWER, outcome="a contract for 40 lifts"
        )

    async def answer(self, match_id: uuid.UUID, side: str, answer: str) -> None:
        offer, need = self.pairs[match_id]
        owner = (offer if side == "offer" else need).enterprise_id
        company = use_cases.Viewer(
            actor=f"{side}-owner", is_staff=False, enterprise_ids=frozenset({str(owner)})
        )
        await use_cases.respond(
            uow=self.uow(), match_id=match_id, viewer=company, answer=answer, side=side
        )

    async def listing_closed_and_reopened(
        self, match_id: uuid.UUID, clock: Clock, *, reopened_on: int
    ) -> None:
        """The offer closes (its open match is withdrawn) and reopens (the pair is proposed again),
        as reconciling does."""
        await self._reconciled(match_id, lambda m: m.withdraw(reason="the offer was closed"))
        clock.on(reopened_on)
        await self._reconciled(
            match_id, lambda m: m.repropose(score=0.7, components=[], reasons_ru=[], reasons_en=[])
        )

    async def _reconciled(self, match_id: uuid.UUID, change) -> None:
        offer, need = self.pairs[match_id]
        async with self.uow() as uow:
            match = await uow.matches.get(match_id, for_update=True)
            change(match)
            await uow.matches.save(match)
            await publish_transitions(match=match, offer=offer, need=need, uow=uow)
            await uow.commit()

    async def funnel(
        self, date_from: date, date_to: date, group_by: str = "none"
    ) -> dict[str, tuple[int, ...]]:
        window = dict(date_from=date_from, date_to=date_to, today=date_to)
        result = await use_cases.get_funnel(
            uow=self.uow(), viewer=REVIEWER, group_by=group_by, **window
        )
        return {row.key: tuple(getattr(row, stage) for stage in STAGES) for row in result.rows}


async def rollup_rows(session_factory) -> set[tuple]:
    async with session_factory() as session:
        return {tuple(row) for row in await session.execute(select(funnel_days))}


async def counted_from_history(session_factory) -> set[tuple]:
    async with session_factory() as session:
        return {tuple(row) for row in await session.execute(COUNTED_FROM_HISTORY)}


SMOLENSK = ("RU", "smolensk_oblast", "Смоленск")
MOGILEV = ("BY", "mogilev_oblast", "Могилёв")
MINSK = ("BY", "minsk", "Минск")


async def a_fortnight_of_reviews(market: Market, clock: Clock) -> dict[str, uuid.UUID]:
    """Four lift pairs and a timber pair over two weeks: a deal closed, a pair withdrawn when its
    offer closed and proposed again on its reopening (then approved and answered again), a declined
    one, a rejected one, and one left proposed."""
    ids = {}
    clock.on(0)
    ids["deal"] = await market.propose(sector="elevators", offer_from=MOGILEV, need_from=SMOLENSK)
    ids["back again"] = await market.propose(
        sector="elevators", offer_from=MOGILEV, need_from=SMOLENSK
    )
    clock.on(1)
    ids["declined"] = await market.propose(sector="elevators", offer_from=MINSK, need_from=SMOLENSK)
    ids["rejected"] = await market.propose(sector="elevators", offer_from=MINSK, need_from=SMOLENSK)
    ids["timber"] = await market.propose(sector="wood", offer_from=SMOLENSK, need_from=MINSK)
    clock.on(2)
    for name in ("deal", "back again", "declined"):
        await market.approve(ids[name])
    await market.reject(ids["rejected"])
    clock.on(3, hour=23)  # late in the UTC day, the next day in Smolensk
    await market.answer(ids["deal"], "need", "interested")
    await market.answer(ids["back again"], "need", "interested")
    await market.answer(ids["declined"], "offer", "declined")
    clock.on(4)
    await market.listing_closed_and_reopened(ids["back again"], clock, reopened_on=8)
    clock.on(8, hour=1)
    await market.answer(ids["deal"], "offer", "interested")  # both sides: an introduction
    await market.approve(ids["back again"])
    clock.on(9)
    await market.answer(ids["back again"], "need", "interested")
    clock.on(10)
    await market.close(ids["deal"])
    return ids


@pytest.fixture
async def market(matching_database, clock) -> Market:
    """The market after a fortnight of reviews, each transition written to the roll-up as it
    happened."""
    market = Market(matching_database[1])
    await a_fortnight_of_reviews(market, clock)
    return market


async def test_the_rollup_holds_what_counting_the_history_gives_after_a_fortnight_of_reviews(
    matching_database, market
):
    url, session_factory = matching_database

    rollup, counted = (
        await rollup_rows(session_factory),
        await counted_from_history(session_factory),
    )
    first_week = MONDAY.date()
    second_week = first_week + timedelta(days=7)
    fortnight = await market.funnel(first_week, second_week + timedelta(days=6))
    by_week = await market.funnel(first_week, second_week + timedelta(days=6), group_by="week")
    by_sector = await market.funnel(first_week, second_week + timedelta(days=6), group_by="sector")
    by_regions = await market.funnel(
        first_week, second_week + timedelta(days=6), group_by="region_pair"
    )
    thursday = await market.funnel(first_week + timedelta(days=3), first_week + timedelta(days=3))

    assert rollup == counted and rollup
    #                              proposed approved rejected interested introduced closed
    assert fortnight == {
        "all": (5, 3, 1, 2, 1, 1)
    }  # the pair proposed again, approved and answered again counts once
    assert by_week == {
        first_week.isoformat(): (5, 3, 1, 2, 0, 0),
        second_week.isoformat(): (0, 0, 0, 0, 1, 1),
    }
    assert by_sector == {"elevators": (4, 3, 1, 2, 1, 1), "wood": (1, 0, 0, 0, 0, 0)}
    assert list(by_regions) == [
        "minsk→smolensk_oblast",
        "mogilev_oblast→smolensk_oblast",
        "smolensk_oblast→minsk",
    ]  # 2, 2, 1
    assert by_regions["mogilev_oblast→smolensk_oblast"] == (2, 2, 0, 2, 1, 1)
    assert thursday == {
        "all": (0, 0, 0, 2, 0, 0)
    }  # 23:00 UTC is still Thursday in the funnel's UTC days


async def test_the_migration_fills_the_rollup_from_the_history_with_the_same_numbers(
    matching_database, market
):
    url, session_factory = matching_database
    written_with_the_transitions = await rollup_rows(session_factory)
    before = await market.funnel(MONDAY.date(), MONDAY.date() + timedelta(days=13), group_by="week")

    config = alembic_config(url)
    await asyncio.to_thread(
        command.downgrade, config, "0004"
    )  # as before the roll-up: the history alone
    await asyncio.to_thread(command.upgrade, config, "head")
    backfilled = await rollup_rows(session_factory)
    after = await market.funnel(MONDAY.date(), MONDAY.date() + timedelta(days=13), group_by="week")

    assert backfilled == written_with_the_transitions
    assert after == before and sum(counts[0] for counts in after.values()) == 5


async def test_rebuilding_the_rollup_after_a_bulk_load_gives_the_same_numbers(
    matching_database, market
):
    url, session_factory = matching_database
    written_with_the_transitions = await rollup_rows(session_factory)
    async with (
        session_factory() as session
    ):  # history loaded behind the service's back leaves the roll-up stale
        await session.execute(text("DELETE FROM funnel_days"))
        await session.commit()

    rows = await use_cases.rebuild_funnel(uow=market.uow())

    assert await rollup_rows(session_factory) == written_with_the_transitions
    assert rows == len(written_with_the_transitions)
