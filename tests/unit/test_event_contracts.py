"""Services talk through events: what one service publishes, another must read back exactly, and
what no consumer understands is set aside with a reason an operator can act on."""

import json
import uuid
from datetime import UTC, datetime

import pytest

from eventkit.contracts import (
    EnterpriseRegistered,
    EnterpriseVerified,
    UndecodableEvent,
    decode,
    envelope_for,
)
from eventkit.envelope import Envelope
from eventkit.outbox import SHARDS, outbox_row, shard_of
from tests.lift_story_events import lift_maker_event

ENTERPRISE_ID = uuid.UUID("b2c9a0c4-7c1e-4f57-9a57-7c8e2a6f1d10")


def registered(**changes) -> EnterpriseRegistered:
    return lift_maker_event(EnterpriseRegistered, enterprise_id=ENTERPRISE_ID, **changes)


def registered_bytes(**payload_changes) -> bytes:
    """A registration event as it travels, with its payload edited as a foreign producer might."""
    envelope = envelope_for(registered(), key=str(ENTERPRISE_ID), producer="registry")
    raw = json.loads(envelope.to_bytes())
    raw["payload"].update(payload_changes)
    return json.dumps(raw).encode()


def reason_for(raw: bytes) -> str:
    with pytest.raises(UndecodableEvent) as undecodable:
        decode(raw)
    return str(undecodable.value)


# --- The envelope ----------------------------------------------------------------------------


def test_an_envelope_survives_the_trip_through_kafka_bytes_unchanged():
    envelope = envelope_for(registered(), key=str(ENTERPRISE_ID), producer="registry")

    assert Envelope.from_bytes(envelope.to_bytes()) == envelope


def test_an_envelope_names_the_fact_its_producer_and_the_enterprise_it_is_keyed_by():
    envelope = envelope_for(registered(), key=str(ENTERPRISE_ID), producer="registry")

    assert envelope.type == "enterprise.registered"
    assert envelope.version == 1
    assert envelope.producer == "registry"
    assert envelope.key == str(ENTERPRISE_ID)
    assert envelope.occurred_at.tzinfo is not None
    assert envelope.payload["enterprise_id"] == str(ENTERPRISE_ID)  # plain JSON, ready for the wire


def test_every_envelope_gets_its_own_event_id_so_consumers_can_deduplicate():
    first = envelope_for(registered(), key=str(ENTERPRISE_ID), producer="registry")
    second = envelope_for(registered(), key=str(ENTERPRISE_ID), producer="registry")

    assert first.event_id != second.event_id


# --- Decoding what arrives -------------------------------------------------------------------


def test_a_consumer_reads_back_a_registration_exactly_as_it_was_published():
    envelope = envelope_for(registered(), key=str(ENTERPRISE_ID), producer="registry")

    decoded_envelope, payload = decode(envelope.to_bytes())

    assert decoded_envelope.event_id == envelope.event_id
    assert isinstance(payload, EnterpriseRegistered)
    assert payload == registered()


def test_a_consumer_reads_back_a_verification_with_its_timestamp():
    verified = EnterpriseVerified(
        enterprise_id=ENTERPRISE_ID,
        name="ОАО «Могилёвлифтмаш»",
        email="sales@liftmash.example.by",
        languages=["be"],
        verified_by="reviewer@agency.example",
        verified_at=datetime(2026, 3, 2, 10, 30, tzinfo=UTC),
    )
    envelope = envelope_for(verified, key=str(ENTERPRISE_ID), producer="registry")

    _, payload = decode(envelope.to_bytes())

    assert isinstance(payload, EnterpriseVerified)
    assert payload.verified_at == datetime(2026, 3, 2, 10, 30, tzinfo=UTC)
    assert payload == verified


def test_a_field_added_by_a_newer_producer_does_not_break_an_older_consumer():
    _, payload = decode(registered_bytes(website="https://liftmash.example.by"))

    assert payload == registered()


def test_an_event_of_an_unknown_type_is_set_aside_naming_the_type():
    envelope = Envelope(type="enterprise.teleported", producer="registry", key="k", payload={})

    reason = reason_for(envelope.to_bytes())

    assert "unknown event type" in reason
    assert "enterprise.teleported" in reason


def test_a_known_event_type_in_a_version_nobody_understands_is_set_aside_naming_the_version():
    envelope = Envelope(
        type="enterprise.registered", version=2, producer="registry", key="k", payload={}
    )

    reason = reason_for(envelope.to_bytes())

    assert "enterprise.registered" in reason
    assert "version 2" in reason


def test_a_registration_with_an_invalid_email_is_set_aside_naming_the_email_field():
    reason = reason_for(registered_bytes(email="not-an-email"))

    assert reason.startswith("invalid enterprise.registered payload")
    assert "email" in reason


def test_a_registration_missing_a_field_is_set_aside_naming_that_field():
    raw = json.loads(registered_bytes())
    del raw["payload"]["name"]

    reason = reason_for(json.dumps(raw).encode())

    assert "name" in reason
    assert "Field required" in reason


@pytest.mark.parametrize(
    "raw",
    [b"\xff\xfe\x00garbage", b"not json at all", b"[1, 2, 3]", b'{"producer": "registry"}'],
    ids=["binary", "text", "json-list", "no-type"],
)
def test_garbage_on_the_topic_is_set_aside_as_an_invalid_envelope(raw):
    assert reason_for(raw).startswith("invalid envelope")


def test_an_envelope_without_a_type_says_which_field_is_missing():
    assert "type" in reason_for(b'{"producer": "registry", "key": "k", "payload": {}}')


# --- The outbox ------------------------------------------------------------------------------


def test_one_enterprises_events_always_land_in_the_same_outbox_shard():
    key = str(ENTERPRISE_ID)

    assert shard_of(key) == shard_of(key)
    # Pinned: a different hash (e.g. Python's randomised hash()) would move keys between shards
    # across restarts and break the per-enterprise ordering.
    assert shard_of(key) == 7
    assert shard_of("smolensk") == 2


def test_outbox_shards_stay_within_range_and_spread_the_enterprises():
    shards = {shard_of(str(uuid.UUID(int=n * 7919 + 1))) for n in range(2000)}

    assert shards <= set(range(SHARDS))
    assert shards == set(range(SHARDS))


def test_an_outbox_row_carries_the_topic_key_shard_and_the_whole_envelope():
    envelope = envelope_for(registered(), key=str(ENTERPRISE_ID), producer="registry")

    row = outbox_row(envelope, topic="registry.enterprises")

    assert row["event_id"] == envelope.event_id
    assert row["topic"] == "registry.enterprises"
    assert row["key"] == str(ENTERPRISE_ID)
    assert row["shard"] == shard_of(str(ENTERPRISE_ID))
    assert Envelope.model_validate_json(row["envelope"]) == envelope
    _, payload = decode(row["envelope"].encode())  # what the relay publishes, a consumer can read
    assert payload == registered()
