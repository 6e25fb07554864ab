"""Emails from Kafka events on the whole running platform: real Kafka, PostgreSQL, the SMTP sink and
the notifications service as its own process. Events are published as the registry and the
matching service publish them (eventkit envelopes on their topics)."""

from __future__ import annotations

import asyncio
import os
import signal
import time
import uuid
from collections import Counter

import httpx
import pytest
from aiokafka import AIOKafkaConsumer

from devstack.stack import Stack
from eventkit import topics
from eventkit.contracts import (
    EnterpriseRegistered,
    EventPayload,
    MatchApproved,
    envelope_for,
)
from eventkit.envelope import Envelope
from eventkit.kafka import idempotent_producer
from notifications.config import Settings
from notifications.domain.deliveries import enterprise_address, idempotency_key
from tests.e2e.conftest import contact_confirmation_token
from tests.identifiers import fresh_marker
from tests.lift_story_events import lift_match_approved

pytestmark = pytest.mark.e2e


def message_id_of(event_id: uuid.UUID, enterprise_id: uuid.UUID, template: str) -> str:
    """The Message-ID the service gives this email (stable across attempts), without the
    brackets."""
    key = idempotency_key(event_id, enterprise_address(enterprise_id), template)
    return f"{uuid.uuid5(uuid.NAMESPACE_URL, key).hex}@unionmatch.local"


# Where the stories' enterprises stand: a region and a city of each country.
_PLACES = {
    "RU": {"region": "smolensk_oblast", "city": "Смоленск"},
    "BY": {"region": "mogilev_oblast", "city": "Могилёв"},
}


def enterprise(
    name: str, *, country: str = "RU", language: str = "ru", email: str | None = None
) -> EnterpriseRegistered:
    marker = fresh_marker(8)
    return EnterpriseRegistered(
        enterprise_id=uuid.uuid4(),
        name=f"{name} {marker}",
        country=country,
        **_PLACES[country],
        sectors=["elevators"],
        languages=[language],
        contact_person="Мария Иванова",
        email=email or f"e2e-{marker}@example.{country.lower()}",
        phone="+74812000000",
        status="verified",
    )


def approval(offer: EnterpriseRegistered, need: EnterpriseRegistered) -> MatchApproved:
    return lift_match_approved(
        offer,
        need,
        offer_title="Лифты пассажирские ПП-0411",
        need_title="Замена 120 лифтов в жилфонде",
    )


async def publish(platform: Stack, payloads: list[EventPayload]) -> list[Envelope]:
    producer = idempotent_producer(platform.kafka.bootstrap_servers, client_id="e2e-notifications")
    await producer.start()
    envelopes = []
    try:
        for payload in payloads:
            if isinstance(payload, MatchApproved):
                envelope, topic = (
                    envelope_for(payload, key=str(payload.need.enterprise_id), producer="matching"),
                    topics.MATCHES,
                )
            else:
                envelope, topic = (
                    envelope_for(payload, key=str(payload.enterprise_id), producer="registry"),
                    topics.ENTERPRISES,
                )
            await producer.send(topic, envelope.to_bytes(), key=envelope.key.encode())
            envelopes.append(envelope)
        await producer.flush()
    finally:
        await producer.stop()
    return envelopes


class Sink:
    """Every message the SMTP sink holds (it keeps them across its own restarts), paged through."""

    def __init__(self, platform: Stack) -> None:
        self._url = platform.mail_api_url

    async def message_ids(self) -> Counter:
        found, start = Counter(), 0
        async with httpx.AsyncClient(base_url=self._url, timeout=10) as client:
            while True:
                page = (
                    await client.get("/api/v1/messages", params={"start": start, "limit": 500})
                ).json()
                found.update(m["MessageID"] for m in page["messages"])
                start += page["count"]
                if page["count"] == 0 or start >= page["total"]:
                    return found

    async def wait_for(self, expected: set[str], *, timeout: float) -> Counter:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            held = await self.message_ids()
            if expected <= set(held):
                return held
            await asyncio.sleep(0.5)
        missing = expected - set(await self.message_ids())
        raise AssertionError(
            f"{len(missing)} of {len(expected)} emails did not arrive within {timeout:.0f}s"
        )

    async def read(self, message_id: str) -> dict:
        async with httpx.AsyncClient(base_url=self._url, timeout=10) as client:
            page = (await client.get("/api/v1/messages", params={"limit": 5000})).json()
            [summary] = [m for m in page["messages"] if m["MessageID"] == message_id]
            return (await client.get(f"/api/v1/message/{summary['ID']}")).json()


@pytest.fixture(scope="module")
def sink(platform: Stack) -> Sink:
    return Sink(platform)


async def registered(platform: Stack, sink: Sink, enterprises: list[EnterpriseRegistered]) -> None:
    """Publishes the registrations, confirms each enterprise's address through the link it was sent
    and waits for their welcome emails, so the recipients are known and may be mailed."""
    envelopes = await publish(platform, enterprises)
    await confirm_addresses(platform, sink, envelopes, enterprises)
    welcomes = {
        message_id_of_welcome(envelope, e)
        for envelope, e in zip(envelopes, enterprises, strict=True)
    }
    await sink.wait_for(welcomes, timeout=60)


async def confirm_addresses(
    platform: Stack, sink: Sink, envelopes: list[Envelope], enterprises: list[EnterpriseRegistered]
) -> None:
    """Follows each enterprise's contact_confirmation link, as the company does when it arrives."""
    confirmations = {
        message_id_of_welcome(envelope, e, template="contact_confirmation")
        for envelope, e in zip(envelopes, enterprises, strict=True)
    }
    await sink.wait_for(confirmations, timeout=60)
    async with httpx.AsyncClient(base_url=platform.gateway_url, timeout=30) as gateway:
        for message_id in confirmations:
            token = contact_confirmation_token(await sink.read(message_id))
            response = await gateway.post("/api/v1/contact-confirmations", json={"token": token})
            assert response.status_code == 200, response.text


def message_id_of_welcome(
    envelope: Envelope, registered_enterprise: EnterpriseRegistered, *, template: str = "welcome"
) -> str:
    key = idempotency_key(envelope.event_id, str(registered_enterprise.email), template)
    return f"{uuid.uuid5(uuid.NAMESPACE_URL, key).hex}@unionmatch.local"


def suggestion_ids(envelopes: list[Envelope], matches: list[MatchApproved]) -> set[str]:
    return {
        message_id_of(envelope.event_id, side.enterprise_id, "suggestion")
        for envelope, match in zip(envelopes, matches, strict=True)
        for side in (match.offer, match.need)
    }


async def test_fifty_suggestions_approved_while_smtp_is_down_all_arrive_once_it_is_back(
    platform: Stack, sink: Sink
):
    lift_makers = [
        enterprise("ОАО «Могилёвлифтмаш»", country="BY", language="be") for _ in range(5)
    ]
    housing = [enterprise("МУП «Смоленскжилсервис»") for _ in range(50)]
    await registered(platform, sink, lift_makers + housing)
    matches = [approval(lift_makers[i % 5], need) for i, need in enumerate(housing)]

    platform.stop_smtp_sink()
    try:
        envelopes = await publish(platform, matches)
        await asyncio.sleep(
            30
        )  # the outage the issue asks for; the service keeps retrying meanwhile
    finally:
        platform.start_smtp_sink()

    expected = suggestion_ids(envelopes, matches)
    held = await sink.wait_for(expected, timeout=120)
    assert len(expected) == 100
    assert {message_id: held[message_id] for message_id in expected if held[message_id] != 1} == {}


async def test_notifications_killed_mid_batch_loses_no_email_and_doubles_at_most_one_per_connection(
    platform: Stack, sink: Sink
):
    lift_maker = enterprise("ОАО «Бобруйсклифт»", country="BY")
    housing = [enterprise("МУП «Вяземский жилфонд»") for _ in range(100)]
    await registered(platform, sink, [lift_maker, *housing])
    matches = [approval(lift_maker, need) for need in housing]
    envelopes = await publish(platform, matches)
    expected = suggestion_ids(envelopes, matches)

    arrived_before_kill = await _first_arrivals(sink, expected, timeout=60)
    [service] = [child for child in platform.supervisor.children if child.name == "notifications"]
    os.killpg(service.process.pid, signal.SIGKILL)
    platform.stop_service("notifications")  # forgets the dead process (and reaps it)
    platform.start_service("notifications")

    held = await sink.wait_for(expected, timeout=120)
    assert (
        0 < arrived_before_kill < len(expected)
    )  # killed in the middle of sending, not before or after
    doubled = {message_id: held[message_id] for message_id in expected if held[message_id] > 1}
    # A message the server accepted just before the kill, not yet recorded sent, goes again after
    # the lease, with the same Message-ID (at-least-once, chosen knowingly; see the sender).
    # Each connection lets the server accept a next email only once its last one is recorded, so
    # the kill leaves at most one such message per connection, and each is sent once more.
    connections = Settings.model_fields["smtp_connections"].default
    assert len(doubled) <= connections, doubled
    assert all(count == 2 for count in doubled.values()), doubled


async def _first_arrivals(sink: Sink, expected: set[str], *, timeout: float) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        arrived = len(expected & set(await sink.message_ids()))
        if arrived:
            return arrived
        await asyncio.sleep(0.02)
    raise AssertionError("no suggestion arrived before the kill")


async def test_each_side_reads_the_suggestion_in_its_language_with_partner_reasons_and_link(
    platform: Stack, sink: Sink
):
    pairs = {
        language: (
            enterprise("ОАО «Лифтмаш»", country="BY", language="be"),
            enterprise("МУП «Жилсервис»", language=language),
        )
        for language in ("ru", "be", "en")
    }
    await registered(platform, sink, [e for pair in pairs.values() for e in pair])
    matches = {language: approval(*pair) for language, pair in pairs.items()}
    envelopes = dict(zip(matches, await publish(platform, list(matches.values())), strict=True))

    expected_reason = {
        "ru": "Могилёв — Смоленск, 190 км",
        "be": "Могилёв — Смоленск, 190 км",
        "en": "Mogilev — Smolensk, 190 km",
    }
    subject_says = {
        "ru": "Предложение о партнёрстве",
        "be": "Прапанова аб партнёрстве",
        "en": "Partner suggestion",
    }
    for language, (lift_maker, housing) in pairs.items():
        message_id = message_id_of(
            envelopes[language].event_id, housing.enterprise_id, "suggestion"
        )
        await sink.wait_for({message_id}, timeout=30)
        email = await sink.read(message_id)
        assert subject_says[language] in email["Subject"]
        assert (
            lift_maker.name in email["Subject"]
            and lift_maker.name in email["Text"]
            and lift_maker.name in email["HTML"]
        )
        assert (
            expected_reason[language] in email["Text"]
            and expected_reason[language] in email["HTML"]
        )
        link = f"{platform.web_url}/suggestions/{matches[language].match_id}"
        assert link in email["Text"] and f'href="{link}"' in email["HTML"]
        assert email["To"][0]["Address"] == housing.email


async def test_an_address_the_smtp_server_refuses_is_recorded_dead_not_retried_and_dead_lettered(
    platform: Stack, sink: Sink, internal_token
):
    unsendable = enterprise(
        "ООО «Кириллический адрес»", email=f"иван-{uuid.uuid4().hex[:6]}@example.ru"
    )
    await publish(platform, [unsendable])
    log = f"{platform.service_url('notifications')}/deliveries"
    staff = internal_token("notifications", role="agency")

    # The first email an enterprise's address gets is the one that confirms it; the welcome waits
    # for that.
    [dead] = await _wait_for_status(
        log, staff, unsendable.enterprise_id, "dead", template="contact_confirmation"
    )
    await asyncio.sleep(
        3
    )  # longer than the first back-off would be: a retry would show as a second attempt
    [still] = [
        item
        for item in (await _log(log, staff, unsendable.enterprise_id))["items"]
        if item["template"] == "contact_confirmation"
    ]

    assert dead["template"] == "contact_confirmation" and "refused" in dead["last_error"]
    assert still["status"] == "dead" and still["attempts"] == 1
    letters = await _dead_letters(platform, timeout=30, containing=dead["id"])
    assert any(dead["last_error"] in letter for letter in letters)


async def _log(url: str, headers: dict, enterprise_id: uuid.UUID) -> dict:
    async with httpx.AsyncClient(timeout=10) as client:
        response = await client.get(
            url, params={"enterprise_id": str(enterprise_id)}, headers=headers
        )
    assert response.status_code == 200, response.text
    return response.json()


async def _wait_for_status(
    url: str,
    headers: dict,
    enterprise_id: uuid.UUID,
    status: str,
    *,
    timeout: float = 30,
    template: str | None = None,
) -> list[dict]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        items = [
            item
            for item in (await _log(url, headers, enterprise_id))["items"]
            if template in (None, item["template"])
        ]
        if items and all(item["status"] == status for item in items):
            return items
        await asyncio.sleep(0.3)
    raise AssertionError(f"the deliveries of {enterprise_id} did not become {status}: {items}")


async def _dead_letters(platform: Stack, *, timeout: float, containing: str) -> list[str]:
    consumer = AIOKafkaConsumer(
        topics.dead_letter(topics.DELIVERIES),
        bootstrap_servers=platform.kafka.bootstrap_servers,
        group_id=f"e2e-{uuid.uuid4().hex}",
        auto_offset_reset="earliest",
    )
    await consumer.start()
    letters: list[str] = []
    try:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and not any(containing in letter for letter in letters):
            batches = await consumer.getmany(timeout_ms=500)
            letters += [
                message.value.decode() for messages in batches.values() for message in messages
            ]
    finally:
        await consumer.stop()
    return letters


async def test_a_company_chooses_its_preferences_and_unsubscribes_through_the_signed_link(
    platform: Stack, sink: Sink, internal_token
):
    lift_maker, housing = (
        enterprise("ОАО «Гомельлифт»", country="BY"),
        enterprise("МУП «Сафоновожилсервис»"),
    )
    await registered(platform, sink, [lift_maker, housing])
    first = approval(lift_maker, housing)
    [envelope] = await publish(platform, [first])
    message_id = message_id_of(envelope.event_id, housing.enterprise_id, "suggestion")
    await sink.wait_for({message_id}, timeout=30)
    unsubscribe_link = next(
        line
        for line in (await sink.read(message_id))["Text"].splitlines()
        if "/unsubscribe?token=" in line
    )
    preferences = f"{platform.service_url('notifications')}/preferences/{housing.enterprise_id}"
    owner = internal_token("notifications", role="company", enterprise_ids=[housing.enterprise_id])
    stranger = internal_token(
        "notifications", role="company", enterprise_ids=[lift_maker.enterprise_id]
    )

    async with httpx.AsyncClient(timeout=10) as client:
        chosen = await client.put(
            preferences, json={"suggestions": "daily", "unsubscribed": False}, headers=owner
        )
        refused = await client.put(preferences, json={"suggestions": "immediate"}, headers=stranger)
        invalid = await client.put(preferences, json={"suggestions": "hourly"}, headers=owner)
        token = unsubscribe_link.split("token=")[1].strip()
        unsubscribed = await client.get(
            f"{platform.service_url('notifications')}/unsubscribe",
            params={"token": token},
            headers=internal_token("notifications", role="anonymous", account_id=None),
        )
        forged = await client.get(
            f"{platform.service_url('notifications')}/unsubscribe",
            params={"token": token[:-4] + "abcd"},
            headers=internal_token("notifications", role="anonymous", account_id=None),
        )
        after = await client.get(
            preferences, headers=internal_token("notifications", role="agency")
        )

    assert chosen.status_code == 200 and chosen.json()["suggestions"] == "daily"
    assert (
        refused.status_code == 403 and refused.headers["content-type"] == "application/problem+json"
    )
    assert invalid.status_code == 422 and invalid.json()["errors"][0]["field"] == "suggestions"
    assert unsubscribed.status_code == 200 and unsubscribed.json()["unsubscribed"] is True
    assert forged.status_code == 422 and forged.json()["errors"][0]["field"] == "token"
    read = after.json()
    assert (
        read.pop("address_confirmed") is True
    )  # the reading also says whether the address is confirmed
    assert read == unsubscribed.json()

    [second] = await publish(platform, [approval(lift_maker, housing)])
    log = f"{platform.service_url('notifications')}/deliveries"
    staff = internal_token("notifications", role="agency")
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        mine = [
            d
            for d in (await _log(log, staff, housing.enterprise_id))["items"]
            if d["event_id"] == str(second.event_id)
        ]
        if mine and mine[0]["status"] == "skipped":
            break
        await asyncio.sleep(0.3)
    assert mine, "the second suggestion was never queued"
    assert mine[0]["status"] == "skipped" and "unsubscribed" in mine[0]["last_error"]


async def test_the_delivery_log_is_for_the_agency_and_resending_the_dead_for_an_admin(
    platform: Stack, sink: Sink, internal_token
):
    await registered(platform, sink, [enterprise("МУП «Духовщинажилсервис»") for _ in range(2)])
    log = f"{platform.service_url('notifications')}/deliveries"
    async with httpx.AsyncClient(timeout=10) as client:
        company = await client.get(log, headers=internal_token("notifications", role="company"))
        nobody = await client.get(log)
        page = await client.get(
            log,
            params={
                "status": "sent",
                "template": "welcome",
                "limit": 1,
                "created_from": "2020-01-01T00:00:00Z",
            },
            headers=internal_token("notifications", role="agency"),
        )
        future = await client.get(
            log,
            params={"created_from": "2100-01-01T00:00:00Z"},
            headers=internal_token("notifications", role="agency"),
        )
        agency_resend = await client.post(
            f"{log}/resend-dead", headers=internal_token("notifications", role="agency")
        )
        admin_resend = await client.post(
            f"{log}/resend-dead",
            json={"template": "no-such-template"},
            headers=internal_token("notifications", role="admin"),
        )

    assert company.status_code == 403 and nobody.status_code == 401
    assert page.status_code == 200
    body = page.json()
    assert (
        len(body["items"]) == 1
        and body["items"][0]["status"] == "sent"
        and body["items"][0]["template"] == "welcome"
    )
    assert body["total"] >= 2 and body["next_cursor"] == "1"
    assert future.json()["total"] == 0
    assert agency_resend.status_code == 403
    assert admin_resend.status_code == 200 and admin_resend.json() == {"requeued": 0}
    metrics = httpx.get(f"{platform.service_url('notifications')}/metrics").text
    assert 'deliveries{status="sent"}' in metrics
