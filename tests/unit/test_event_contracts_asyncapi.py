"""A developer reads every topic, key, producer, consumer group and message schema of the platform
in docs/asyncapi.yaml: generated from eventkit's contracts, valid AsyncAPI 3, and never stale."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema_rs
import pytest
import yaml

from eventkit import asyncapi, topics
from eventkit.contracts import decode

ROOT = Path(__file__).resolve().parents[2]
ASYNCAPI_SPEC = ROOT / "node_modules" / "@asyncapi" / "specs" / "schemas" / "3.0.0.json"
DOCUMENT_ROOT = "urn:union-match:asyncapi"


def committed_document() -> dict:
    return yaml.safe_load(asyncapi.DOCUMENT.read_text())


@pytest.fixture(scope="module")
def official_schema() -> dict:
    if not ASYNCAPI_SPEC.exists():
        pytest.fail("the AsyncAPI 3.0.0 JSON schema is missing: run `make test-tools`")
    return json.loads(ASYNCAPI_SPEC.read_text())


def refuse_remote(uri: str):
    raise AssertionError(f"the schema wanted {uri} from the network")


def test_the_committed_document_is_what_the_command_generates():
    assert asyncapi.DOCUMENT.read_text() == asyncapi.render(asyncapi.document()), (
        f"docs/asyncapi.yaml is stale: run `{asyncapi.COMMAND}`"
    )


def test_the_official_schema_resolves_every_reference_offline(official_schema):
    embedded = {definition["$id"] for definition in official_schema["definitions"].values()}
    documents = {ref.split("#")[0] for ref in references(official_schema)}

    assert documents - {""} <= embedded
    jsonschema_rs.validator_for(official_schema, retriever=refuse_remote)


def references(schema, *, parent: str = ""):
    """The $refs a schema follows (not those quoted in its examples, which nothing resolves)."""
    if isinstance(schema, dict):
        for key, value in schema.items():
            if key == "$ref" and isinstance(value, str):
                yield value
            elif key != "examples" or parent == "properties":
                yield from references(value, parent=key)
    elif isinstance(schema, list):
        for item in schema:
            yield from references(item, parent=parent)


def test_the_document_is_valid_asyncapi_3(official_schema):
    validator = jsonschema_rs.validator_for(official_schema, retriever=refuse_remote)
    document = committed_document()

    errors = [f"{list(e.instance_path)}: {e.message}" for e in validator.iter_errors(document)]

    assert document["asyncapi"] == "3.0.0"
    assert errors == []


def test_the_official_schema_refuses_a_broken_document(official_schema):
    validator = jsonschema_rs.validator_for(official_schema, retriever=refuse_remote)
    broken = committed_document()
    broken["channels"]["registry.enterprises"]["address"] = 42
    del broken["info"]["version"]

    assert not validator.is_valid(broken)


def test_every_topic_is_a_channel_with_its_partitions():
    channels = committed_document()["channels"]

    assert {channel["address"] for channel in channels.values()} == set(topics.PARTITIONS)
    for topic, partitions in topics.PARTITIONS.items():
        assert channels[topic]["bindings"]["kafka"]["partitions"] == partitions


def test_each_topic_names_its_producer_and_the_consumer_groups_that_read_it():
    operations = committed_document()["operations"]
    senders = {
        (name.split(".")[0], operation["channel"]["$ref"].removeprefix("#/channels/"))
        for name, operation in operations.items()
        if operation["action"] == "send" and ".publishes." in name
    }
    readers = {
        (operation["bindings"]["kafka"]["groupId"]["enum"][0], operation["channel"]["$ref"])
        for operation in operations.values()
        if operation["action"] == "receive"
    }

    assert senders == {(producer, topic) for topic, producer in topics.PRODUCED_BY.items()}
    assert readers == {
        (group, f"#/channels/{topic}")
        for group, consumed in topics.CONSUMED_BY.items()
        for topic in consumed
    }


def test_an_operation_names_only_messages_of_its_own_channel():
    document = committed_document()

    for name, operation in document["operations"].items():
        channel = operation["channel"]["$ref"].removeprefix("#/channels/")
        carried = document["channels"][channel].get("messages", {})
        for message in operation["messages"]:
            prefix = f"#/channels/{channel}/messages/"
            assert message["$ref"].startswith(prefix), name
            assert message["$ref"].removeprefix(prefix) in carried, name


def test_every_contract_has_a_message_with_its_version_on_the_topic_that_carries_it():
    document = committed_document()

    for contract in asyncapi.all_contracts():
        message = document["components"]["messages"][asyncapi.message_id(contract)]
        topic = asyncapi.topic_of(contract)
        assert message["x-event-type"] == contract.event_type
        assert message["x-event-version"] == contract.event_version
        assert asyncapi.message_id(contract) in document["channels"][topic]["messages"]


def test_every_contract_has_an_example():
    assert set(asyncapi.EXAMPLES) == set(asyncapi.all_contracts())


@pytest.mark.parametrize("contract", asyncapi.all_contracts(), ids=asyncapi.message_id)
def test_each_example_message_is_valid_against_the_document_and_decodes(contract):
    document = committed_document()
    message = document["components"]["messages"][asyncapi.message_id(contract)]
    validator = message_validator(document, asyncapi.message_id(contract))
    example = message["examples"][0]["payload"]

    errors = [f"{list(e.instance_path)}: {e.message}" for e in validator.iter_errors(example)]
    envelope, payload = decode(json.dumps(example).encode())

    assert errors == []
    assert payload == asyncapi.EXAMPLES[contract]
    assert envelope.key == asyncapi.key_of(asyncapi.topic_of(contract), payload)


@pytest.mark.parametrize(
    ("change", "where"),
    [
        (lambda m: m["payload"].pop("enterprise_id"), "enterprise_id"),
        (lambda m: m["payload"].update(email=["sales@liftmash.example.by"]), "email"),
        (lambda m: m.update(version=2), "version"),
        (lambda m: m.update(type="enterprise.teleported"), "type"),
    ],
    ids=["field missing", "field retyped", "other version", "other type"],
)
def test_the_document_refuses_a_message_its_contract_refuses(change, where):
    document = committed_document()
    message = document["components"]["messages"]["enterprise.registered.v1"]
    example = message["examples"][0]["payload"]
    change(example)

    errors = list(message_validator(document, "enterprise.registered.v1").iter_errors(example))

    assert errors
    assert any(where in (str(list(e.instance_path)) + e.message) for e in errors)


def message_validator(document: dict, message_id: str):
    """Validates against one message's payload schema, resolving its $refs inside the document."""
    registry = jsonschema_rs.Registry([(DOCUMENT_ROOT, document)], draft=jsonschema_rs.Draft7)
    return jsonschema_rs.Draft7Validator(
        {"$ref": f"{DOCUMENT_ROOT}#/components/messages/{message_id}/payload"},
        registry=registry,
        validate_formats=True,
        retriever=refuse_remote,
    )
