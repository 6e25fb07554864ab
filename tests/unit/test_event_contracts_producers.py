"""What docs/asyncapi.yaml says of producers, keys and consumer groups is what the services do:
their event builders sign and key each event as eventkit's topics.py says, and each consumer
group's id defaults to the name it is listed under there."""

from __future__ import annotations

import importlib
import uuid
from datetime import UTC, date, datetime

import pytest

from eventkit import asyncapi, topics
from eventkit.contracts import (
    EnterpriseRegistered,
    EnterpriseUpdated,
    ListingPublished,
    decode,
)
from eventkit.envelope import Envelope
from matching.domain.listing import Listing as MatchingListing
from matching.domain.match import Match
from matching.service_layer.events import publish_transitions
from registry.domain.enterprise import Enterprise
from registry.domain.listing import Listing
from registry.service_layer import events

LIFTMASH = uuid.UUID("b2c9a0c4-7c1e-4f57-9a57-7c8e2a6f1d10")
HOUSING = uuid.UUID("5d1f7f3e-2b8a-4c61-9a0e-3f4b6c8d2e71")


def assert_signed_and_keyed_as_documented(envelope: Envelope, *, topic: str | None = None):
    _, payload = decode(envelope.to_bytes())
    documented_topic = asyncapi.topic_of(type(payload))

    assert topic in (None, documented_topic)
    assert envelope.producer == topics.PRODUCED_BY[documented_topic]
    assert envelope.key == asyncapi.key_of(documented_topic, payload)


def registry_enterprise():
    return Enterprise(
        id=LIFTMASH,
        name="ОАО «Могилёвлифтмаш»",
        country="BY",
        region="mogilev_oblast",
        city="Могилёв",
        inn=None,
        ogrn=None,
        unp="700008856",
        sectors=["elevators"],
        description="",
        languages=["be", "ru"],
        size="large",
        certifications=[],
        contact_person="Иван Петров",
        email="sales@liftmash.example.by",
        phone=None,
        personal_data_consent=True,
        status="verified",
        verified_by="reviewer@agency.example",
        verified_at=datetime(2026, 3, 2, tzinfo=UTC),
    )


def test_the_registry_signs_and_keys_its_enterprise_events_as_documented():
    enterprise = registry_enterprise()

    for envelope in (
        events.enterprise_profile(EnterpriseRegistered, enterprise),
        events.enterprise_profile(EnterpriseUpdated, enterprise),
        events.enterprise_verified(enterprise),
        events.enterprise_deleted(enterprise),
    ):
        assert_signed_and_keyed_as_documented(envelope)


def test_the_registry_signs_and_keys_its_listing_events_as_documented():
    enterprise = registry_enterprise()
    listing = Listing(
        id=uuid.uuid4(),
        enterprise_id=enterprise.id,
        side="offer",
        kind="product",
        title="Пассажирские лифты",
        sector="elevators",
        valid_until=date(2026, 12, 31),
    )

    assert_signed_and_keyed_as_documented(
        events.listing_snapshot(ListingPublished, listing, enterprise)
    )
    assert_signed_and_keyed_as_documented(events.listing_expiring(listing, enterprise))


class RecordingOutbox:
    def __init__(self) -> None:
        self.written: list[tuple[str, Envelope]] = []

    async def add(self, envelope: Envelope, *, topic: str) -> None:
        self.written.append((topic, envelope))


class RecordingUnitOfWork:
    def __init__(self) -> None:
        self.outbox = RecordingOutbox()


async def test_matching_signs_and_keys_a_match_by_its_need_on_the_documented_topic():
    def listing(side: str, enterprise_id: uuid.UUID) -> MatchingListing:
        return MatchingListing(
            id=uuid.uuid4(),
            side=side,
            enterprise_id=enterprise_id,
            enterprise_name="Предприятие",
            country="BY",
            region="mogilev_oblast",
            city="Могилёв",
            title="Лифты",
            sector="elevators",
        )

    offer, need = listing("offer", LIFTMASH), listing("need", HOUSING)
    match = Match.propose(
        offer_id=offer.id,
        need_id=need.id,
        offer_enterprise_id=LIFTMASH,
        need_enterprise_id=HOUSING,
        score=0.8,
        components=[],
        reasons_ru=["Оба в секторе"],
        reasons_en=["Both"],
    )
    match.approve(actor="reviewer-1")
    uow = RecordingUnitOfWork()

    await publish_transitions(match=match, offer=offer, need=need, uow=uow)

    assert [envelope.type for _, envelope in uow.outbox.written] == [
        "match.proposed",
        "match.approved",
    ]
    for topic, envelope in uow.outbox.written:
        assert_signed_and_keyed_as_documented(envelope, topic=topic)
        assert envelope.key == str(HOUSING)


@pytest.mark.parametrize("group", sorted(topics.CONSUMED_BY))
def test_each_consumer_group_id_defaults_to_its_name_in_the_table(group):
    settings = importlib.import_module(f"{group}.config").Settings

    assert settings.model_fields["consumer_group"].default == group


def test_the_architecture_page_names_each_topics_producer_and_consumer_groups():
    page = (asyncapi.ROOT / "docs" / "ARCHITECTURE.md").read_text()
    rows = {
        cells[0].strip("`"): cells
        for line in page.splitlines()
        if line.startswith("| `")
        and (cells := [c.strip() for c in line.strip("|").split("|")])
        and cells[0].strip("`") in topics.PRODUCED_BY
    }

    assert set(rows) == set(topics.PRODUCED_BY)
    for topic, cells in rows.items():
        readers = {group for group, consumed in topics.CONSUMED_BY.items() if topic in consumed}
        assert cells[3] == topics.PRODUCED_BY[topic], topic
        assert set(cells[4].split(", ")) == readers, topic
