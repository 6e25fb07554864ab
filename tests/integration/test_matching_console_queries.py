"""What the agency's console asks of matching: review-queue rows a reviewer can read (who, what,
where, verified or not), the queue's verification and age filters, and the funnel counted by the
matches' transitions over time."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import update
from sqlalchemy.ext.asyncio import create_async_engine

from eventkit.contracts import EnterpriseRegistered
from matching.adapters.orm import match_history, matches
from tests.integration import matching_events as events


def registered(listing, *, city: str) -> EnterpriseRegistered:
    return EnterpriseRegistered(
        enterprise_id=listing.enterprise_id,
        name=listing.enterprise_name,
        country=listing.enterprise_country,
        region=listing.enterprise_region,
        city=city,
        sectors=[listing.sector],
        languages=["ru"],
        contact_person="Анна Иванова",
        email=f"{uuid.uuid4().hex[:8]}@example.org",
        status="pending",
    )


async def wait_for_row(api: httpx.AsyncClient, expect, **params) -> dict:
    page = await events.wait_for_matches(
        api, expect=lambda p: p["total"] > 0 and expect(p["items"][0]), **params
    )
    return page["items"][0]


@pytest.fixture
async def verified_seller_and_pending_buyer(kafka_producer, matching_api):
    """A Mogilev lift maker and a Smolensk buyer, both verified by the agency, their match approved;
    then the buyer renames itself and is pending again (an approved suggestion outlives the
    re-check)."""
    tag = events.series()
    offer, need = events.lift_offer(tag), events.lift_need(tag)
    for listing, city in ((offer, "Могилёв"), (need, "Смоленск")):
        await events.announce(kafka_producer, registered(listing, city=city))
        await events.announce(kafka_producer, events.verified_by_agency(listing))
    await events.publish(kafka_producer, events.envelope_of(offer), events.envelope_of(need))
    async with matching_api(account_id="reviewer-1") as reviewer:
        row = await wait_for_row(
            reviewer, lambda m: True, need_id=str(need.listing_id), offer_id=str(offer.listing_id)
        )
        assert (await reviewer.post(f"/matches/{row['id']}/approve")).status_code == 200
        await events.announce(
            kafka_producer,
            events.enterprise_profile(need, status="pending", city="Смоленск"),
        )
        row = await wait_for_row(
            reviewer,
            lambda m: (
                (m["offer_enterprise_status"], m["need_enterprise_status"])
                == ("verified", "pending")
            ),
            need_id=str(need.listing_id),
            offer_id=str(offer.listing_id),
        )
    return row, offer, need


async def test_a_queue_row_tells_who_offers_what_to_whom_where_and_whether_they_are_verified(
    verified_seller_and_pending_buyer, matching_api
):
    row, offer, need = verified_seller_and_pending_buyer
    async with matching_api() as reviewer:
        detail = (await reviewer.get(f"/matches/{row['id']}")).json()

    expected = {
        "sector": "elevators",
        "offer_title": offer.title,
        "need_title": need.title,
        "offer_enterprise_name": "ОАО «Могилёвлифтмаш»",
        "need_enterprise_name": "ООО «Смоленская управляющая компания»",
        "offer_country": "BY",
        "need_country": "RU",
        "offer_region": "mogilev_oblast",
        "need_region": "smolensk_oblast",
        "offer_city": "Могилёв",
        "need_city": "Смоленск",
        "offer_enterprise_status": "verified",
        "need_enterprise_status": "pending",
    }
    assert {key: row[key] for key in expected} == expected
    assert {key: detail[key] for key in expected} == expected


async def test_an_enterprise_known_to_matching_only_by_its_verification_is_named_as_verified(
    kafka_producer, matching_api
):
    tag = events.series()
    offer, need = events.lift_offer(tag), events.lift_need(tag)
    await events.announce(
        kafka_producer, events.verified_by_agency(offer)
    )  # its profile never reached matching
    await events.verify(kafka_producer, need)
    await events.publish(kafka_producer, events.envelope_of(offer), events.envelope_of(need))
    async with matching_api() as reviewer:
        page = await events.wait_for_matches(reviewer, **events.pair_of(offer, need))
        unverified = await events.matches_page(
            reviewer, **events.pair_of(offer, need), verification="unverified"
        )

    assert (
        page["items"][0]["offer_enterprise_status"] == "verified"
        and page["items"][0]["need_enterprise_status"] == "verified"
    )
    assert page["items"][0]["offer_enterprise_name"] == offer.enterprise_name
    assert unverified["total"] == 0


async def test_the_verification_filter_keeps_pairs_whose_both_sides_are_verified_or_not(
    verified_seller_and_pending_buyer, kafka_producer, matching_api
):
    row, offer, need = verified_seller_and_pending_buyer
    pair = events.pair_of(offer, need)
    async with matching_api() as reviewer:
        verified_before = await events.matches_page(reviewer, **pair, verification="verified")
        unverified_before = await events.matches_page(reviewer, **pair, verification="unverified")
        await events.announce(kafka_producer, events.verified_by_agency(need))
        await wait_for_row(reviewer, lambda m: m["need_enterprise_status"] == "verified", **pair)
        verified_after = await events.matches_page(reviewer, **pair, verification="verified")
        unverified_after = await events.matches_page(reviewer, **pair, verification="unverified")
        every_verified = await events.matches_page(reviewer, verification="verified", limit=200)

    assert (verified_before["total"], unverified_before["total"]) == (0, 1)
    assert (verified_after["total"], unverified_after["total"]) == (1, 0)
    assert every_verified["items"] and all(
        m["offer_enterprise_status"] == m["need_enterprise_status"] == "verified"
        for m in every_verified["items"]
    )


async def test_the_age_filters_keep_matches_created_in_the_window_and_newest_comes_first(
    verified_seller_and_pending_buyer, matching_api
):
    row, offer, need = verified_seller_and_pending_buyer
    created = datetime.fromisoformat(row["created_at"])
    today, yesterday = created.date(), created.date() - timedelta(days=1)
    pair = events.pair_of(offer, need)

    async def total(**window) -> int:
        return (await reviewer.get("/matches", params=pair | window)).json()["total"]

    async with matching_api() as reviewer:
        totals = {
            "from today": await total(created_from=today.isoformat()),
            "until yesterday": await total(created_until=yesterday.isoformat()),
            "until today (the whole day)": await total(created_until=today.isoformat()),
            "from yesterday until today": await total(
                created_from=yesterday.isoformat(), created_until=today.isoformat()
            ),
            "from a moment after": await total(
                created_from=(created + timedelta(seconds=1)).isoformat()
            ),
            "until its very moment (exclusive)": await total(created_until=created.isoformat()),
            "until just after it": await total(
                created_until=(created + timedelta(milliseconds=1)).isoformat()
            ),
        }
        newest = (await reviewer.get("/matches", params={"sort": "newest", "limit": 200})).json()
        newest_today = (
            await reviewer.get(
                "/matches",
                params={"sort": "newest", "limit": 200, "created_from": today.isoformat()},
            )
        ).json()

    assert totals == {
        "from today": 1,
        "until yesterday": 0,
        "until today (the whole day)": 1,
        "from yesterday until today": 1,
        "from a moment after": 0,
        "until its very moment (exclusive)": 0,
        "until just after it": 1,
    }
    stamps = [m["created_at"] for m in newest["items"]]
    assert stamps == sorted(stamps, reverse=True)
    assert (
        all(m["created_at"] >= today.isoformat() for m in newest_today["items"])
        and newest_today["total"] >= 1
    )


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"verification": "maybe"}, "verification"),
        ({"created_from": "2026-13-01"}, "created_from"),
        ({"created_until": "yesterday"}, "created_until"),
        ({"created_from": "2026-12-02", "created_until": "2026-12-01"}, "created_until"),
        ({"sort": "random"}, "sort"),
    ],
)
async def test_a_bad_queue_filter_is_a_problem_naming_its_field(params, field, matching_api):
    async with matching_api() as reviewer:
        response = await reviewer.get("/matches", params=params)

    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["errors"][0]["field"] == field


# The funnel: matches driven through the real lifecycle, then their history moved into March 2021
# (a time no other test writes to), so each count is known exactly.
WEEK_1, WEEK_2, WEEK_3 = (
    datetime(2021, 3, 1, tzinfo=UTC),
    datetime(2021, 3, 8, tzinfo=UTC),
    datetime(2021, 3, 15, tzinfo=UTC),
)


async def move_history(database_url: str, match_id: str, when: dict[str, datetime]) -> None:
    """Gives each transition of the match (by its event type) the time it would have had."""
    engine = create_async_engine(database_url)
    try:
        async with engine.begin() as connection:
            for event_type, at in when.items():
                await connection.execute(
                    update(match_history)
                    .where(
                        match_history.c.match_id == uuid.UUID(match_id),
                        match_history.c.event_type == event_type,
                    )
                    .values(at=at)
                )
            await connection.execute(
                update(matches)
                .where(matches.c.id == uuid.UUID(match_id))
                .values(created_at=when["match.proposed"])
            )
    finally:
        await engine.dispose()


@pytest.fixture(scope="module")
async def march_2021(platform, kafka_producer, matching_api):
    """Five pairs through the lifecycle: one closed deal, one half-interested, one rejected, one
    left proposed (all elevators), and a construction pair proposed in February, approved in
    March."""
    pairs, ids = {}, {}
    async with matching_api(account_id="reviewer-1") as reviewer:
        for name, sector in (
            ("deal", "elevators"),
            ("half", "elevators"),
            ("rejected", "elevators"),
            ("untouched", "elevators"),
            ("construction", "construction"),
        ):
            pairs[name], ids[name] = await _proposed_pair(reviewer, kafka_producer, sector=sector)
        for name in ("deal", "half", "construction"):
            assert (await reviewer.post(f"/matches/{ids[name]}/approve")).status_code == 200
        assert (
            await reviewer.post(
                f"/matches/{ids['rejected']}/reject", json={"reason": "the buyer already signed"}
            )
        ).status_code == 200
    for name, sides in (("deal", ("need", "offer")), ("half", ("need",))):
        offer, need = pairs[name]
        for side in sides:
            owner = need.enterprise_id if side == "need" else offer.enterprise_id
            async with matching_api(
                role="company", account_id=f"{side}-owner", enterprise_ids=[owner]
            ) as company:
                answered = await company.post(
                    f"/matches/{ids[name]}/respond", json={"answer": "interested"}
                )
                assert answered.status_code == 200
    async with matching_api(account_id="reviewer-1") as reviewer:
        assert (
            await reviewer.post(
                f"/matches/{ids['deal']}/close", json={"outcome": "contract for 120 lifts"}
            )
        ).status_code == 200

    day = timedelta(days=1)
    timeline = {
        "deal": {
            "match.proposed": WEEK_1,
            "match.approved": WEEK_1 + day,
            "match.responded": WEEK_2 + day,
            "match.introduced": WEEK_2 + day,
            "match.closed": WEEK_3 + day + timedelta(hours=23, minutes=30),
        },
        "half": {
            "match.proposed": WEEK_1 + day,
            "match.approved": WEEK_1 + 2 * day,
            "match.responded": WEEK_2 + 2 * day,
        },
        "rejected": {"match.proposed": WEEK_1 + 2 * day, "match.rejected": WEEK_1 + 3 * day},
        "untouched": {"match.proposed": WEEK_1 + 3 * day},
        "construction": {"match.proposed": WEEK_1 - 3 * day, "match.approved": WEEK_1 + 4 * day},
    }
    for name, when in timeline.items():
        await move_history(platform.database_url("matching"), ids[name], when)
    await rebuild_funnel(platform)  # the roll-up was written at today's date with the transitions
    return ids


async def _proposed_pair(reviewer, kafka_producer, *, sector: str, attempts: int = 4):
    """A lift offer and need of verified enterprises, and their proposed match. Lift listings the
    module's other tests left open compete for each listing's K proposals: one that went first to
    other partners may have no room left for its own pair, so a fresh pair is tried instead."""
    for _ in range(attempts):
        tag = events.series()
        offer, need = (
            events.lift_offer(tag, sector=sector),
            events.lift_need(tag, sector=sector),
        )
        await events.publish_verified(kafka_producer, offer, need)
        page = await events.wait_for_matches(
            reviewer, need_id=str(need.listing_id), offer_id=str(offer.listing_id), timeout=10
        )
        if page["total"]:
            return (offer, need), page["items"][0]["id"]
    raise AssertionError(f"no {sector} pair was proposed in {attempts} tries")


async def rebuild_funnel(platform) -> None:
    """`python -m matching rebuild-funnel`, as after history corrected by hand: the roll-up follows
    the history."""
    result = await events.run_matching(platform, "rebuild-funnel")
    assert result.returncode == 0, result.stderr[-2000:]
    assert "the funnel's roll-up has" in result.stdout


def counts(row: dict) -> tuple[int, ...]:
    return (
        row["proposed"],
        row["approved"],
        row["rejected"],
        row["interested"],
        row["introduced"],
        row["closed"],
    )


async def funnel(api: httpx.AsyncClient, **params) -> dict:
    response = await api.get("/stats/funnel", params=params)
    assert response.status_code == 200, response.text
    return response.json()


async def test_the_funnel_counts_each_stage_by_the_transitions_made_in_the_range(
    march_2021, matching_api
):
    async with matching_api() as reviewer:
        march = await funnel(reviewer, date_from="2021-03-01", date_to="2021-03-21")
        before_the_closing_day = await funnel(
            reviewer, date_from="2021-03-01", date_to="2021-03-15"
        )
        the_closing_day = await funnel(reviewer, date_from="2021-03-16", date_to="2021-03-16")
        february = await funnel(reviewer, date_from="2021-02-01", date_to="2021-02-28")

    assert (
        march["date_from"] == "2021-03-01"
        and march["date_to"] == "2021-03-21"
        and march["group_by"] == "none"
    )
    assert [row["key"] for row in march["rows"]] == ["all"]
    #                                  proposed approved rejected interested introduced closed
    assert counts(march["rows"][0]) == (
        4,
        3,
        1,
        2,
        1,
        1,
    )  # the construction pair was proposed in February
    assert counts(before_the_closing_day["rows"][0]) == (4, 3, 1, 2, 1, 0)
    assert counts(the_closing_day["rows"][0]) == (
        0,
        0,
        0,
        0,
        0,
        1,
    )  # date_to takes in its whole day (23:30 UTC)
    assert counts(february["rows"][0]) == (1, 0, 0, 0, 0, 0)


async def test_the_funnel_by_sector_puts_the_busiest_first_and_by_week_lists_every_week_in_order(
    march_2021, matching_api
):
    async with matching_api() as reviewer:
        by_sector = await funnel(
            reviewer, date_from="2021-03-01", date_to="2021-03-21", group_by="sector"
        )
        by_week = await funnel(
            reviewer, date_from="2021-03-01", date_to="2021-03-21", group_by="week"
        )
        by_month = await funnel(
            reviewer, date_from="2021-02-01", date_to="2021-03-31", group_by="month"
        )
        by_countries = await funnel(
            reviewer, date_from="2021-03-01", date_to="2021-03-21", group_by="country_pair"
        )
        by_regions = await funnel(
            reviewer, date_from="2021-03-01", date_to="2021-03-21", group_by="region_pair"
        )

    assert [(row["key"], counts(row)) for row in by_sector["rows"]] == [
        ("elevators", (4, 2, 1, 2, 1, 1)),
        ("construction", (0, 1, 0, 0, 0, 0)),
    ]
    assert [(row["key"], counts(row)) for row in by_week["rows"]] == [
        ("2021-03-01", (4, 3, 1, 0, 0, 0)),
        ("2021-03-08", (0, 0, 0, 2, 1, 0)),
        ("2021-03-15", (0, 0, 0, 0, 0, 1)),
    ]
    assert [(row["key"], counts(row)) for row in by_month["rows"]] == [
        ("2021-02-01", (1, 0, 0, 0, 0, 0)),
        ("2021-03-01", (4, 3, 1, 2, 1, 1)),
    ]
    assert [(row["key"], counts(row)) for row in by_countries["rows"]] == [
        ("BY-RU", (4, 3, 1, 2, 1, 1))
    ]
    assert [row["key"] for row in by_regions["rows"]] == ["mogilev_oblast→smolensk_oblast"]


async def test_an_approval_made_today_counts_in_todays_funnel_and_the_default_range_ends_today(
    march_2021, kafka_producer, matching_api
):
    tag = events.series()
    offer, need = events.lift_offer(tag), events.lift_need(tag)
    await events.publish_verified(kafka_producer, offer, need)
    today = datetime.now(UTC).date()
    async with matching_api() as reviewer:
        page = await events.wait_for_matches(
            reviewer, need_id=str(need.listing_id), offer_id=str(offer.listing_id)
        )
        before = await funnel(reviewer, date_from=today.isoformat(), date_to=today.isoformat())
        await reviewer.post(f"/matches/{page['items'][0]['id']}/approve")
        after = await funnel(reviewer, date_from=today.isoformat(), date_to=today.isoformat())
        default = await funnel(reviewer)

    assert after["rows"][0]["approved"] == before["rows"][0]["approved"] + 1
    assert (
        default["date_to"] == today.isoformat()
        and default["date_from"] == (today - timedelta(days=90)).isoformat()
    )
    assert default["rows"][0]["approved"] >= after["rows"][0]["approved"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"date_from": "2021-03-22", "date_to": "2021-03-01"}, "date_from"),
        ({"date_from": "2015-01-01", "date_to": "2021-03-01"}, "date_to"),
        ({"date_from": "March"}, "date_from"),
        ({"group_by": "galaxy"}, "group_by"),
    ],
)
async def test_a_bad_funnel_range_or_grouping_is_a_problem_naming_its_field(
    params, field, matching_api
):
    async with matching_api() as reviewer:
        response = await reviewer.get("/stats/funnel", params=params)

    assert (
        response.status_code == 422
        and response.headers["content-type"] == "application/problem+json"
    )
    assert response.json()["errors"][0]["field"] == field


async def test_a_company_may_not_see_the_funnel(matching_api):
    async with matching_api(role="company", enterprise_ids=[uuid.uuid4()]) as company:
        response = await company.get("/stats/funnel")

    assert response.status_code == 403
    assert response.headers["content-type"] == "application/problem+json"
