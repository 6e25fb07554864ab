"""The running matching service fed with registry events over real Kafka and PostgreSQL."""

from __future__ import annotations

import asyncio
import time
import uuid

from aiokafka import AIOKafkaConsumer

from eventkit import topics
from eventkit.contracts import (
    ListingClosed,
    decode,
)
from eventkit.envelope import Envelope
from eventkit.topics import dead_letter
from tests.integration.matching_events import (
    announce,
    enterprise_profile,
    envelope_of,
    lift_need,
    lift_offer,
    matches_page,
    pair_of,
    publish,
    publish_verified,
    series,
    verify,
    wait_for_matches,
    wait_until_stored,
)


async def test_a_published_need_gets_a_proposed_match_with_reasons_and_an_event(
    platform, kafka_producer, matching_api
):
    events = AIOKafkaConsumer(
        topics.MATCHES,
        bootstrap_servers=platform.kafka.bootstrap_servers,
        auto_offset_reset="earliest",
        group_id=f"t-{uuid.uuid4().hex[:8]}",
    )
    await events.start()
    try:
        tag = series()
        offer, need = lift_offer(tag), lift_need(tag)
        await publish_verified(kafka_producer, offer, need)

        # The two listings travel on different partitions: the need may be paired with an earlier
        # test's lift maker before this offer arrives, so wait for this pair, then read the order.
        async with matching_api() as api:
            page = await wait_for_matches(
                api,
                need_id=str(need.listing_id),
                expect=lambda page: str(offer.listing_id) in {m["offer_id"] for m in page["items"]},
            )
        match = page["items"][0]
        assert (
            match["offer_id"] == str(offer.listing_id) and match["status"] == "proposed"
        )  # the best one comes first
        assert (
            match["reasons"]["ru"][0]
            == "Оба в секторе «Лифты и подъёмно-транспортное оборудование»"
        )
        assert "мощность 200 шт. покрывает потребность 120 шт." in match["reasons"]["ru"]
        assert {c["name"] for c in match["components"]} >= {
            "sector",
            "codes",
            "text",
            "geography",
            "quantity",
        }

        announced = []
        deadline = time.monotonic() + 20
        while not announced and time.monotonic() < deadline:
            for records in (await events.getmany(timeout_ms=500)).values():
                for record in records:
                    envelope, payload = decode(record.value)
                    if envelope.type == "match.proposed" and (
                        payload.need.listing_id,
                        payload.offer.listing_id,
                    ) == (need.listing_id, offer.listing_id):
                        announced.append((record.key.decode(), payload))
        [(key, payload)] = announced
        assert key == str(need.enterprise_id)
        assert (
            payload.offer.enterprise_name == "ОАО «Могилёвлифтмаш»"
            and payload.reasons_ru == match["reasons"]["ru"]
        )
    finally:
        await events.stop()


async def test_the_same_event_delivered_twice_makes_one_match_and_one_history_entry(
    platform, kafka_producer, matching_api
):
    tag = series()
    offer, need = lift_offer(tag), lift_need(tag)
    need_event = envelope_of(need)
    await verify(kafka_producer, offer, need)
    await publish(kafka_producer, envelope_of(offer), need_event, need_event)
    later = lift_need(
        series(), enterprise_id=need.enterprise_id
    )  # same key, same partition: applied after the duplicate
    await publish(kafka_producer, envelope_of(later))

    # Stored, not matched: other tests' lift makers may hold all their K proposals already.
    assert await wait_until_stored(platform.database_url("matching"), later.listing_id, timeout=60)
    async with matching_api() as api:
        page = await wait_for_matches(
            api, need_id=str(need.listing_id), offer_id=str(offer.listing_id)
        )
        detail = (await api.get(f"/matches/{page['items'][0]['id']}")).json()

    assert page["total"] == 1
    assert [h["to_status"] for h in detail["history"]] == ["proposed"]
    assert detail["need"]["title"] == need.title and detail["offer"]["city"] == "Могилёв"


async def test_closing_a_listing_withdraws_its_proposed_matches(kafka_producer, matching_api):
    tag = series()
    offer, need = lift_offer(tag), lift_need(tag)
    await publish_verified(kafka_producer, offer, need)
    async with matching_api() as api:
        await wait_for_matches(api, need_id=str(need.listing_id))

        closed = ListingClosed(**need.model_dump() | {"status": "closed", "version": 2})
        await publish(kafka_producer, envelope_of(closed))
        page = await wait_for_matches(
            api,
            need_id=str(need.listing_id),
            expect=lambda p: all(m["status"] == "withdrawn" for m in p["items"]),
        )

    assert page["total"] >= 1 and {m["status"] for m in page["items"]} == {"withdrawn"}


async def test_a_supplier_of_the_same_enterprise_or_legal_person_is_never_proposed(
    kafka_producer, matching_api
):
    tag = series()
    need = lift_need(tag)
    own = lift_offer(tag, enterprise_id=need.enterprise_id)
    same_legal = lift_offer(tag, enterprise_legal_id=need.enterprise_legal_id)
    other = lift_offer(tag)
    await publish_verified(kafka_producer, own, same_legal, other, need)

    async with matching_api() as api:
        # The other supplier is proposed; lift offers other tests of the session left open may be
        # proposed beside it (even above it), but never the buyer's own enterprise or legal person.
        paired = await wait_for_matches(
            api, need_id=str(need.listing_id), offer_id=str(other.listing_id)
        )
        page = await wait_for_matches(api, need_id=str(need.listing_id), limit=200)

    assert paired["total"] == 1
    offers = [m["offer_id"] for m in page["items"]]
    assert str(other.listing_id) in offers
    assert str(own.listing_id) not in offers and str(same_legal.listing_id) not in offers


async def test_unreadable_listing_events_are_dead_lettered_and_matching_goes_on(
    platform, kafka_producer, matching_api
):
    tag = series()
    not_json = f"{{not json {tag}".encode()
    unknown = Envelope(type="listing.teleported", key="k", producer="registry", payload={})
    invalid = envelope_of(lift_need()).model_copy(update={"payload": {"side": "sideways"}})
    offer, need = lift_offer(tag), lift_need(tag)
    await verify(kafka_producer, offer, need)
    await publish(kafka_producer, not_json, unknown, invalid, envelope_of(offer), envelope_of(need))

    async with matching_api() as api:
        page = await wait_for_matches(
            api, need_id=str(need.listing_id), offer_id=str(offer.listing_id)
        )
    ours = (not_json, str(unknown.event_id).encode(), str(invalid.event_id).encode())
    parked = AIOKafkaConsumer(
        dead_letter(topics.LISTINGS),
        bootstrap_servers=platform.kafka.bootstrap_servers,
        auto_offset_reset="earliest",
        group_id=f"t-{uuid.uuid4().hex[:8]}",
    )
    await parked.start()
    reasons: list[str] = []
    try:
        deadline = time.monotonic() + 20
        while len(reasons) < 3 and time.monotonic() < deadline:
            for records in (await parked.getmany(timeout_ms=500)).values():
                reasons += [
                    dict(r.headers)["reason"].decode()
                    for r in records
                    if any(mark in r.value for mark in ours)
                ]
    finally:
        await parked.stop()

    assert page["total"] == 1
    assert any("invalid envelope" in r for r in reasons)
    assert any("listing.teleported" in r for r in reasons)
    assert any("invalid listing.published payload" in r for r in reasons)


async def test_suspending_an_enterprise_withdraws_its_matches_and_its_new_listings_are_not_matched(
    platform, kafka_producer, matching_api
):
    from eventkit.contracts import EnterpriseSuspended

    tag = series()
    offer, need = lift_offer(tag), lift_need(tag)
    await publish_verified(kafka_producer, offer, need)
    async with matching_api() as api:
        await wait_for_matches(api, need_id=str(need.listing_id), offer_id=str(offer.listing_id))
        suspended = enterprise_profile(offer, kind=EnterpriseSuspended, status="suspended")
        await announce(kafka_producer, suspended)
        page = await wait_for_matches(
            api,
            need_id=str(need.listing_id),
            offer_id=str(offer.listing_id),
            expect=lambda p: p["items"][0]["status"] == "withdrawn",
        )

        second_need = lift_need(tag)
        another_offer = lift_offer(tag, enterprise_id=offer.enterprise_id)
        await verify(kafka_producer, second_need)
        await publish(kafka_producer, envelope_of(another_offer), envelope_of(second_need))
        stored = await wait_until_stored(
            platform.database_url("matching"), another_offer.listing_id, second_need.listing_id
        )
        of_suspended = (
            await api.get(
                "/matches", params={"enterprise_id": str(offer.enterprise_id), "status": "proposed"}
            )
        ).json()
        detail = (await api.get(f"/matches/{page['items'][0]['id']}")).json()

    assert page["items"][0]["status"] == "withdrawn"
    assert detail["history"][-1]["note"] == "the enterprise behind the offer was suspended"
    assert (detail["history"][-1]["cause"], detail["history"][-1]["side"]) == (
        "enterprise_suspended",
        "offer",
    )
    assert len(stored) == 2
    assert {row.id: row.enterprise_status for row in stored}[
        another_offer.listing_id
    ] == "suspended"
    assert of_suspended["total"] == 0


async def test_lifting_a_suspension_lets_the_enterprises_paused_listings_be_matched_again(
    platform, kafka_producer, matching_api
):
    from eventkit.contracts import EnterpriseReinstated, EnterpriseSuspended

    tag = series()
    offer, need = lift_offer(tag), lift_need(tag)
    suspended = enterprise_profile(offer, kind=EnterpriseSuspended, status="suspended")
    await announce(kafka_producer, suspended)
    await verify(kafka_producer, need)
    await publish(kafka_producer, envelope_of(offer), envelope_of(need))
    async with matching_api() as api:
        paused = await _wait_until_paused(platform.database_url("matching"), offer.listing_id)
        while_suspended = await matches_page(api, **pair_of(offer, need), status="proposed")

        reinstated = enterprise_profile(offer, kind=EnterpriseReinstated, status="verified")
        await announce(kafka_producer, reinstated)
        after = await wait_for_matches(
            api, need_id=str(need.listing_id), offer_id=str(offer.listing_id), status="proposed"
        )

    assert paused is True
    assert while_suspended["total"] == 0, while_suspended
    assert after["total"] == 1


async def _wait_until_paused(database_url: str, listing_id, timeout: float = 20) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        rows = await wait_until_stored(database_url, listing_id)
        if rows and rows[0].enterprise_status == "suspended":
            return True
        await asyncio.sleep(0.1)
    return False
