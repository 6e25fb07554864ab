"""What docs/asyncapi.yaml says of producers, keys and consumer groups is what the services do:
their event builders sign and key each event as eventkit's topics.py says, and each consumer
group's id defaults to the name it is listed under there."""

from __future__ import annotations

import importlib
import uuid
from datetime import UTC, datetime

import pytest

from eventkit import asyncapi, contracts, topics
from eventkit.envelope import Envelope
from matching.service_layer.events import publish_transitions
from registry.domain.enterprise import Enterprise
from registry.domain.listing import Listing
from registry.service_layer import events
from tests.matching_listings import housing_need, lift_maker, proposed_match

# The services' domain objects are made from the documented examples.
PROFILE = asyncapi.EXAMPLES[contracts.EnterpriseRegistered]
SNAPSHOT = asyncapi.EXAMPLES[contracts.ListingPublished]
PROPOSED = asyncapi.EXAMPLES[contracts.MatchProposed]
HOUSING = uuid.UUID("5d1f7f3e-2b8a-4c61-9a0e-3f4b6c8d2e71")


def assert_signed_and_keyed_as_documented(envelope: Envelope, *, topic: str | None = None):
    _, payload = contracts.decode(envelope.to_bytes())
    documented_topic = asyncapi.topic_of(type(payload))

    assert topic in (None, documented_topic)
    assert envelope.producer == topics.PRODUCED_BY[documented_topic]
    assert envelope.key == asyncapi.key_of(documented_topic, payload)


def registry_enterprise() -> Enterprise:
    held = PROFILE.model_dump(exclude={"enterprise_id", "legal_id", "contact_email_confirmed"})
    return Enterprise(
        **held | {"status": "verified", "verified_by": "agency@demo.local"},
        id=PROFILE.enterprise_id,
        inn=None,
        ogrn=None,
        unp=PROFILE.legal_id,
        description="",
        personal_data_consent=True,
        verified_at=datetime(2026, 3, 2, tzinfo=UTC),
    )


def test_the_registry_signs_and_keys_its_enterprise_events_as_documented():
    enterprise = registry_enterprise()

    for envelope in (
        events.enterprise_profile(contracts.EnterpriseRegistered, enterprise),
        events.enterprise_profile(contracts.EnterpriseUpdated, enterprise),
        events.enterprise_verified(enterprise),
        events.enterprise_deleted(enterprise),
    ):
        assert_signed_and_keyed_as_documented(envelope)


def test_the_registry_signs_and_keys_its_listing_events_as_documented():
    enterprise = registry_enterprise()
    facts = SNAPSHOT.model_dump(include={"side", "kind", "title", "sector", "valid_until"})
    listing = Listing(id=SNAPSHOT.listing_id, enterprise_id=enterprise.id, **facts)

    assert_signed_and_keyed_as_documented(
        events.listing_snapshot(contracts.ListingPublished, listing, enterprise)
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
    offer = lift_maker(enterprise_id=PROFILE.enterprise_id)
    need = housing_need(enterprise_id=HOUSING)
    match = proposed_match(
        offer, need, **PROPOSED.model_dump(include={"score", "reasons_ru", "reasons_en"})
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
        assert set(cells[4].split(", ")) - {"—"} == readers, topic
