"""Matching pairs only listings of enterprises the agency has verified, on the real Kafka and
PostgreSQL: a pending (or not yet known) enterprise's listings wait in the read model and are
matched the moment the verification arrives; an enterprise sent back to pending withdraws its
proposed pairs."""

from __future__ import annotations

import asyncio
import time
import uuid

from eventkit.contracts import ListingClosed
from matching.config import Settings
from tests.integration import matching_events as events

K = Settings.model_fields["max_proposed_per_listing"].default  # the platform's matching keeps it


async def stored_with_status(platform, listing, status: str | None, *, timeout: float = 20) -> bool:
    """Waits until matching has stored the listing with its enterprise's status as given."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        rows = await events.wait_until_stored(platform.database_url("matching"), listing.listing_id)
        if rows and rows[0].enterprise_status == status:
            return True
        await asyncio.sleep(0.1)
    return False


async def close(producer, *listings) -> None:
    """Closes a test's listings, so the lift listings of later tests do not compete with them."""
    await events.publish(
        producer,
        *(
            events.envelope_of(
                ListingClosed(**listing.model_dump() | {"status": "closed", "version": 2})
            )
            for listing in listings
        ),
    )


async def test_a_pending_enterprises_offer_waits_and_is_proposed_as_soon_as_the_agency_verifies_it(
    platform, kafka_producer, matching_api
):
    tag = events.series()
    offer, need = events.lift_offer(tag), events.lift_need(tag)
    await events.announce(kafka_producer, events.enterprise_profile(offer, status="pending"))
    await events.verify(kafka_producer, need)
    await events.publish(kafka_producer, events.envelope_of(offer), events.envelope_of(need))

    async with matching_api() as reviewer:
        assert await stored_with_status(platform, offer, "pending")
        assert await stored_with_status(
            platform, need, "verified"
        )  # the need was matched in the transaction that stored it
        while_pending = await events.matches_page(reviewer, **events.pair_of(offer, need))

        await events.announce(kafka_producer, events.verified_by_agency(offer))
        after = await events.wait_for_matches(reviewer, **events.pair_of(offer, need))
    await close(kafka_producer, offer, need)

    assert while_pending["total"] == 0
    assert after["total"] == 1 and after["items"][0]["status"] == "proposed"
    assert after["items"][0]["offer_enterprise_status"] == "verified"


async def test_listings_arriving_before_their_profiles_are_matched_when_the_profiles_say_verified(
    platform, kafka_producer, matching_api
):
    tag = events.series()
    offer, need = events.lift_offer(tag), events.lift_need(tag)
    await events.publish(
        kafka_producer, events.envelope_of(offer), events.envelope_of(need)
    )  # the listings' topic is ahead of the enterprises'

    async with matching_api() as reviewer:
        assert await stored_with_status(platform, offer, None) and await stored_with_status(
            platform, need, None
        )
        before = await events.matches_page(reviewer, **events.pair_of(offer, need))

        await events.announce(kafka_producer, events.enterprise_profile(offer))
        one_side = await stored_with_status(platform, offer, "verified")
        still_none = await events.matches_page(reviewer, **events.pair_of(offer, need))
        await events.announce(kafka_producer, events.enterprise_profile(need))
        after = await events.wait_for_matches(reviewer, **events.pair_of(offer, need))
    await close(kafka_producer, offer, need)

    assert before["total"] == 0
    assert one_side and still_none["total"] == 0  # the buyer is not known yet: its need still waits
    assert after["total"] == 1 and after["items"][0]["status"] == "proposed"


async def test_an_enterprise_back_to_pending_loses_proposed_pairs_keeps_approved_and_is_rematched(
    platform, kafka_producer, matching_api
):
    tag = events.series()
    offer = events.lift_offer(tag)
    need, approved_need = events.lift_need(tag), events.lift_need(tag)
    await events.verify(kafka_producer, offer, need, approved_need)
    await events.publish(
        kafka_producer,
        events.envelope_of(offer),
        events.envelope_of(need),
        events.envelope_of(approved_need),
    )
    async with matching_api(account_id="reviewer-1") as reviewer:
        proposed = (await events.wait_for_matches(reviewer, **events.pair_of(offer, need)))[
            "items"
        ][0]
        suggestion = (
            await events.wait_for_matches(reviewer, **events.pair_of(offer, approved_need))
        )["items"][0]
        assert (await reviewer.post(f"/matches/{suggestion['id']}/approve")).status_code == 200

        # The registry sends the seller back to pending when its name is edited.
        await events.announce(
            kafka_producer,
            events.enterprise_profile(
                offer, status="pending", name=f"ОАО «Лифтмаш» {uuid.uuid4().hex[:4]}"
            ),
        )
        withdrawn = await events.wait_for_matches(
            reviewer,
            **events.pair_of(offer, need),
            expect=lambda p: p["items"][0]["status"] == "withdrawn",
        )
        detail = (await reviewer.get(f"/matches/{proposed['id']}")).json()
        kept = (await reviewer.get(f"/matches/{suggestion['id']}")).json()

        await events.announce(kafka_producer, events.verified_by_agency(offer))
        again = await events.wait_for_matches(
            reviewer,
            **events.pair_of(offer, need),
            expect=lambda p: p["items"][0]["status"] == "proposed",
        )
        history = (await reviewer.get(f"/matches/{proposed['id']}")).json()["history"]
    await close(kafka_producer, offer, need, approved_need)

    assert withdrawn["items"][0]["status"] == "withdrawn"
    assert (
        detail["history"][-1]["note"]
        == "the enterprise behind the offer awaits the agency's verification"
    )
    assert (detail["history"][-1]["cause"], detail["history"][-1]["side"]) == (
        "enterprise_unverified",
        "offer",
    )
    assert kept["status"] == "approved" and kept["offer_enterprise_status"] == "pending"
    assert again["items"][0]["status"] == "proposed"
    assert again["items"][0]["id"] == proposed["id"]  # the same pair, proposed again
    assert [h["to_status"] for h in history] == ["proposed", "withdrawn", "proposed"]


async def test_a_reverified_sellers_pair_comes_back_though_other_sellers_filled_the_buyers_slots(
    platform, kafka_producer, matching_api
):
    """While the seller awaits the agency, other lift makers take all K of the buyer's proposal
    slots (they make the buyer's second model, not its first: they score lower with it than the
    seller, higher than any other test's lifts); verified again, the seller's pair takes back the
    place of the weakest of them."""
    first, second = events.series(), events.series()
    offer, need = events.lift_offer(f"{first} {second}"), events.lift_need(f"{first} {second}")
    others = [events.lift_offer(second) for _ in range(K + 1)]
    await events.publish_verified(kafka_producer, offer, need)
    async with matching_api(account_id="reviewer-1") as reviewer:
        proposed = (await events.wait_for_matches(reviewer, **events.pair_of(offer, need)))[
            "items"
        ][0]
        await events.publish_verified(kafka_producer, *others)
        await events.announce(kafka_producer, events.enterprise_profile(offer, status="pending"))
        withdrawn = await events.wait_for_matches(
            reviewer,
            **events.pair_of(offer, need),
            expect=lambda p: p["items"][0]["status"] == "withdrawn",
        )
        crowded = await events.wait_for_matches(
            reviewer,
            need_id=str(need.listing_id),
            status="proposed",
            expect=lambda p: p["total"] == K,
        )

        await events.announce(kafka_producer, events.verified_by_agency(offer))
        again = await events.wait_for_matches(
            reviewer,
            **events.pair_of(offer, need),
            expect=lambda p: p["items"][0]["status"] == "proposed",
        )
        held = await events.matches_page(reviewer, need_id=str(need.listing_id), status="proposed")
    await close(kafka_producer, offer, need, *others)

    assert withdrawn["items"][0]["status"] == "withdrawn"
    assert crowded["total"] == K  # full while the seller waited
    assert again["items"][0]["status"] == "proposed"
    assert again["items"][0]["id"] == proposed["id"]  # the same pair, proposed again
    assert held["total"] == K  # the buyer stays within K: the weakest other pair gave its place
