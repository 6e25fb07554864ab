"""The platform's events as an AsyncAPI 3.0 document, and the baseline that keeps their contracts
compatible, both generated from eventkit itself: the payload models and their versions
(contracts.py), the envelope (envelope.py), the topics with their producers, consumer groups and
keys (topics.py), and one example of each event (EXAMPLES below).

    python -m eventkit.asyncapi --write   # rewrites docs/asyncapi.yaml and the contract baseline
    python -m eventkit.asyncapi --check   # exits 1 when either is stale or a change is incompatible

The baseline holds each (event type, version)'s payload schema as last written. A contract may
gain optional fields under its version; removing a field, changing its type or requiring a new one
breaks the consumers (and the replays) that still read the old shape, so it needs a new version:
a new model with `event_version = 2` beside the old one, which stays until nobody publishes it.
"""

from __future__ import annotations

import argparse
import inspect
import json
import sys
import tomllib
import uuid
from collections.abc import Iterable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, TypeAdapter
from pydantic.json_schema import models_json_schema

from eventkit import contracts, topics
from eventkit.contracts import EventPayload, envelope_for
from eventkit.envelope import Envelope

ROOT = Path(__file__).resolve().parents[3]
DOCUMENT = ROOT / "docs" / "asyncapi.yaml"
BASELINE = Path(__file__).with_name("contract_baseline.json")
COMMAND = "python -m eventkit.asyncapi --write"
KAFKA_BINDING = "0.5.0"
SCHEMAS = "#/components/schemas/"

# --- One example of each event, as its producer would publish it -----------------------------

_LIFTMASH = uuid.UUID("b2c9a0c4-7c1e-4f57-9a57-7c8e2a6f1d10")  # offers lifts, in Mogilev
_HOUSING = uuid.UUID("5d1f7f3e-2b8a-4c61-9a0e-3f4b6c8d2e71")  # needs lifts, in Smolensk
_OFFER = uuid.UUID("0f6f1c2a-93b4-4d8e-8a51-6a2c1e9b7d30")
_NEED = uuid.UUID("7a3e9d52-1c4b-4f0a-b6d8-2e5f9a1c3b84")
_MATCH_ID = uuid.UUID("c81d4e2f-6a7b-4c3d-9e8f-1a2b3c4d5e6f")
_AT = datetime(2026, 3, 2, 10, 30, tzinfo=UTC)


# The facts the examples are made of: each contract reads the fields it has from one of them
# (contracts ignore extra fields), with what differs for its event.
_ENTERPRISE: dict[str, Any] = {
    "enterprise_id": _LIFTMASH,
    "name": "ОАО «Могилёвлифтмаш»",
    "country": "BY",
    "region": "mogilev_oblast",
    "city": "Могилёв",
    "legal_id": "700008856",
    "sectors": ["elevators"],
    "languages": ["be", "ru"],
    "size": "large",
    "certifications": ["ISO 9001"],
    "contact_person": "Иван Петров",
    "email": "sales@liftmash.example.by",
    "phone": "+375 222 00 00 00",
    "status": "verified",
    "owner_account_id": "3f2b1c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d",
}
_LISTING: dict[str, Any] = {
    "listing_id": _OFFER,
    "side": "offer",
    "enterprise_id": _LIFTMASH,
    "enterprise_name": _ENTERPRISE["name"],
    "enterprise_country": "BY",
    "enterprise_region": "mogilev_oblast",
    "enterprise_city": "Могилёв",
    "enterprise_legal_id": "700008856",
    "enterprise_languages": ["be", "ru"],
    "enterprise_certifications": ["ISO 9001"],
    "kind": "goods",
    "title": "Пассажирские лифты 400-1000 кг",
    "description": "Поставка и монтаж, сертификат ТР ТС 011/2011.",
    "sector": "elevators",
    "product_codes": ["842810"],
    "quantity": 20.0,
    "unit": "pcs",
    "regions": ["smolensk_oblast"],
    "certifications": ["TR CU 011/2011"],
    "valid_until": date(2026, 12, 31),
    "status": "active",
}
_MATCH: dict[str, Any] = {
    "match_id": _MATCH_ID,
    "offer": {
        "listing_id": _OFFER,
        "enterprise_id": _LIFTMASH,
        "enterprise_name": _ENTERPRISE["name"],
        "title": _LISTING["title"],
    },
    "need": {
        "listing_id": _NEED,
        "enterprise_id": _HOUSING,
        "enterprise_name": "ООО «Смоленскжилстрой»",
        "title": "Лифты для жилого дома",
    },
    "score": 0.82,
    "reasons_ru": ["Оба в секторе «Лифты»"],
    "reasons_en": ["Both in the elevators sector"],
    "reasons_be": ["Абодва ў сектары «Ліфты»"],
    "status": "proposed",
    "actor": "matcher",
    "occurred_at": _AT,
}
_REVIEWED = {"actor": "reviewer-1", "previous_status": "proposed"}
_DEAD_EMAIL: dict[str, Any] = {
    "delivery_id": uuid.UUID("3e7a1b9c-5d2f-4a68-b0c4-9f1e2d3c4b5a"),
    "idempotency_key": f"{_MATCH_ID}:{_HOUSING}:match_suggestion",
    "event_id": _MATCH_ID,
    "enterprise_id": _HOUSING,
    "recipient": "zakupki@smolenskzhilstroy.example",
    "template": "match_suggestion",
    "attempts": 8,
    "reason": "450 4.2.0 mailbox temporarily unavailable",
}

_EXAMPLE_FACTS: dict[type[EventPayload], tuple[dict[str, Any], dict[str, Any]]] = {
    contracts.EnterpriseRegistered: (_ENTERPRISE, {"status": "pending"}),
    contracts.EnterpriseUpdated: (_ENTERPRISE, {"status": "pending", "recheck_because": ["name"]}),
    contracts.EnterpriseVerified: (
        _ENTERPRISE,
        {"verified_by": "agency@demo.local", "verified_at": _AT},
    ),
    contracts.EnterpriseSuspended: (_ENTERPRISE, {"status": "suspended", "reason": "a false UNP"}),
    contracts.EnterpriseReinstated: (_ENTERPRISE, {}),
    contracts.EnterpriseDeleted: (_ENTERPRISE, {}),
    contracts.ListingPublished: (_LISTING, {}),
    contracts.ListingChanged: (_LISTING, {"quantity": 25.0, "version": 2}),
    contracts.ListingClosed: (_LISTING, {"status": "closed", "closed_because": "closed_by_owner"}),
    contracts.ListingReopened: (_LISTING, {"version": 3}),
    contracts.ListingExpiring: (_LISTING, {}),
    contracts.MatchProposed: (_MATCH, {}),
    contracts.MatchApproved: (_MATCH, _REVIEWED | {"status": "approved"}),
    contracts.MatchRejected: (_MATCH, _REVIEWED | {"status": "rejected", "note": "no capacity"}),
    contracts.MatchResponded: (
        _MATCH,
        {
            "status": "approved",
            "answered_by_side": "need",
            "answer": "interested",
            "actor": "buyer",
        },
    ),
    contracts.MatchIntroduced: (_MATCH, {"status": "introduced", "previous_status": "approved"}),
    contracts.MatchClosed: (_MATCH, {"status": "closed", "note": "contract signed"}),
    contracts.MatchWithdrawn: (
        _MATCH,
        {"status": "withdrawn", "withdrawn_because": "listing_closed", "withdrawn_side": "offer"},
    ),
    contracts.NotificationDead: (_DEAD_EMAIL, {}),
}
EXAMPLES: dict[type[EventPayload], EventPayload] = {
    contract: contract.model_validate(sample | changes)
    for contract, (sample, changes) in _EXAMPLE_FACTS.items()
}


def all_contracts() -> list[type[EventPayload]]:
    return list(contracts._CONTRACTS.values())


def topic_of(contract: type[EventPayload]) -> str:
    return next(
        topic for topic, carried in topics.EVENT_TYPES.items() if contract.event_type in carried
    )


def message_id(contract: type[EventPayload]) -> str:
    return f"{contract.event_type}.v{contract.event_version}"


def key_of(topic: str, payload: BaseModel) -> str:
    """The value a topic's messages are keyed by, read from the payload (topics.KEYED_BY)."""
    value: Any = payload
    for name in topics.KEYED_BY[topic].split("."):
        value = getattr(value, name)
    return str(value)


def example_envelope(contract: type[EventPayload]) -> Envelope:
    """The example of a contract as it travels: keyed and signed as topics.py says."""
    payload = EXAMPLES[contract]
    topic = topic_of(contract)
    envelope = envelope_for(payload, key=key_of(topic, payload), producer=topics.PRODUCED_BY[topic])
    return envelope.model_copy(
        update={"event_id": uuid.uuid5(_MATCH_ID, message_id(contract)), "occurred_at": _AT}
    )


# --- The document ----------------------------------------------------------------------------


def document() -> dict[str, Any]:
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "Union Match events",
            "version": _project_version(),
            "description": _DESCRIPTION,
        },
        "defaultContentType": "application/json",
        "channels": {topic: _channel(topic) for topic in topics.PARTITIONS},
        "operations": _operations(),
        "components": {"messages": _messages(), "schemas": _schemas()},
    }


_DESCRIPTION = (
    "Every event the services exchange over Kafka, generated from `libs/eventkit` by `"
    + COMMAND
    + "` (do not edit by hand). A message is a JSON envelope (`Envelope`) whose `type` and"
    " `version` name its payload's contract; the Kafka key is the envelope's `key`. A consumer"
    " dead-letters a type or version it does not know. Producers publish through a transactional"
    " outbox, so a message may arrive more than once: each consumer applies it once (by "
    "`event_id`)."
)


def _project_version() -> str:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]


def _summary(contract: type[BaseModel]) -> str | None:
    """The first paragraph of the nearest docstring a contract declares (not pydantic's own)."""
    for cls in contract.__mro__:
        if cls in (EventPayload, BaseModel):
            return None
        if "__doc__" in vars(cls) and cls.__doc__:
            return inspect.cleandoc(cls.__doc__).split("\n\n")[0].replace("\n", " ")
    return None


def _channel(topic: str) -> dict[str, Any]:
    source = _source_of(topic)
    # A dead-letter topic holds its source's failures, unless it carries events of its own.
    carried = sorted(topics.EVENT_TYPES.get(topic) or topics.EVENT_TYPES.get(source or topic, ()))
    messages = [model for model in all_contracts() if model.event_type in carried]
    channel: dict[str, Any] = {
        "address": topic,
        "description": _channel_description(topic, source),
    }
    if messages:
        channel["messages"] = {
            message_id(model): {"$ref": f"#/components/messages/{message_id(model)}"}
            for model in messages
        }
    channel["bindings"] = {
        "kafka": {"partitions": topics.PARTITIONS[topic], "bindingVersion": KAFKA_BINDING}
    }
    return channel


def _channel_description(topic: str, source: str | None) -> str:
    readers = [
        group for group, consumed in topics.CONSUMED_BY.items() if (source or topic) in consumed
    ]
    if topic in topics.PRODUCED_BY and source is not None:
        return (
            f"What {topics.PRODUCED_BY[topic]} set aside from `{source}` for good, published"
            f" through its outbox relay; keyed by the payload's `{topics.KEYED_BY[topic]}`."
        )
    if source is not None and readers:
        return (
            f"Dead letters of `{source}`: what its consumer groups could not decode or handle,"
            " copied unchanged (same key) with the reason and source offset in headers."
        )
    if source is not None:
        return f"The dead-letter topic of `{source}`; no eventkit contract is published here."
    if topic in topics.KEYED_BY:
        return f"Keyed by the payload's `{topics.KEYED_BY[topic]}`."
    return "Reserved: no eventkit contract is published here."


def _source_of(topic: str) -> str | None:
    """The topic a dead-letter topic holds the failures of; None for any other topic."""
    return next(
        (source for source in topics.PARTITIONS if topics.dead_letter(source) == topic), None
    )


def _operations() -> dict[str, Any]:
    operations: dict[str, Any] = {}
    for topic, producer in topics.PRODUCED_BY.items():
        operations[f"{producer}.publishes.{topic}"] = _operation(
            "send", topic, f"{producer} publishes to {topic} through its outbox relay."
        )
    for group, consumed in topics.CONSUMED_BY.items():
        for topic in consumed:
            operations[f"{group}.consumes.{topic}"] = _operation(
                "receive",
                topic,
                f"The consumer group {group} reads {topic}, passes over the types it has no"
                " handler for, and commits an offset only after its handler's transaction.",
                group=group,
            )
            dead_letters = topics.dead_letter(topic)
            operations[f"{group}.dead-letters.{topic}"] = _operation(
                "send", dead_letters, f"{group} sets aside what it could not handle from {topic}."
            )
    return operations


def _operation(action: str, topic: str, summary: str, *, group: str | None = None) -> dict:
    channel = _channel(topic)
    operation: dict[str, Any] = {
        "action": action,
        "channel": {"$ref": f"#/channels/{topic}"},
        "summary": summary,
        "messages": [
            {"$ref": f"#/channels/{topic}/messages/{name}"} for name in channel.get("messages", {})
        ],
    }
    if group is not None:
        operation["bindings"] = {
            "kafka": {
                "groupId": {"type": "string", "enum": [group]},
                "bindingVersion": KAFKA_BINDING,
            }
        }
    return operation


def _messages() -> dict[str, Any]:
    return {message_id(model): _message(model) for model in all_contracts()}


def _message(contract: type[EventPayload]) -> dict[str, Any]:
    topic = topic_of(contract)
    key_field = topics.KEYED_BY[topic]
    key_schema = _field_schema(contract, key_field) | {
        "description": f"the payload's `{key_field}`, also the envelope's `key`"
    }
    message: dict[str, Any] = {
        "name": contract.event_type,
        "title": f"{contract.event_type} (version {contract.event_version})",
    }
    if summary := _summary(contract):
        message["summary"] = summary
    example = example_envelope(contract)
    return message | {
        "contentType": "application/json",
        "payload": {
            "allOf": [
                {"$ref": SCHEMAS + "Envelope"},
                {
                    "type": "object",
                    "properties": {
                        "type": {"const": contract.event_type},
                        "version": {"const": contract.event_version},
                        "producer": {"const": topics.PRODUCED_BY[topic]},
                        "payload": {"$ref": SCHEMAS + contract.__name__},
                    },
                },
            ]
        },
        "bindings": {"kafka": {"key": key_schema, "bindingVersion": KAFKA_BINDING}},
        "examples": [
            {"name": contract.__name__, "payload": example.model_dump(mode="json")},
        ],
        "x-event-type": contract.event_type,
        "x-event-version": contract.event_version,
    }


def _field_schema(model: type[BaseModel], path: str) -> dict[str, Any]:
    *parents, last = path.split(".")
    for name in parents:
        model = model.model_fields[name].annotation  # type: ignore[assignment]
    return TypeAdapter(model.model_fields[last].annotation).json_schema()


def _schemas() -> dict[str, Any]:
    models = [(model, "validation") for model in [Envelope, *all_contracts()]]
    _, schema = models_json_schema(models, ref_template=SCHEMAS + "{model}")  # type: ignore[arg-type]
    return schema["$defs"]


def render(content: dict[str, Any]) -> str:
    header = f"# Generated from libs/eventkit by `{COMMAND}`: do not edit.\n"
    return header + yaml.safe_dump(content, sort_keys=False, allow_unicode=True, width=100)


# --- Compatibility ---------------------------------------------------------------------------

_NOT_SHAPE = {"title", "description", "default", "examples"}


def payload_schema(contract: type[EventPayload]) -> dict[str, Any]:
    return contract.model_json_schema(mode="validation")


def incompatible_changes(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """What a consumer of the `old` payload schema could no longer read in `new`: a field removed,
    a field whose type changed, a field newly required. A new optional field is compatible."""
    return _changes(old, new, old.get("$defs", {}), new.get("$defs", {}), "payload")


def _changes(old: dict, new: dict, old_defs: dict, new_defs: dict, where: str) -> list[str]:
    old, new = _resolved(old, old_defs), _resolved(new, new_defs)
    if "properties" not in old or "properties" not in new:
        before, after = _shape(old, old_defs), _shape(new, new_defs)
        if before == after:
            return []
        return [f"{where}: type changed from {_compact(before)} to {_compact(after)}"]
    fields, new_fields = old["properties"], new["properties"]
    changes = [f"{where}.{name}: removed" for name in sorted(fields.keys() - new_fields.keys())]
    for name in sorted(set(new.get("required", [])) - set(old.get("required", []))):
        state = "now required" if name in fields else "added as required"
        changes.append(f"{where}.{name}: {state}")
    for name in sorted(fields.keys() & new_fields.keys()):
        changes += _changes(fields[name], new_fields[name], old_defs, new_defs, f"{where}.{name}")
    return changes


def _resolved(schema: dict, defs: dict) -> dict:
    while "$ref" in schema:
        schema = defs[schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def _shape(schema: Any, defs: dict) -> Any:
    """The schema with its references inlined and its documentation dropped."""
    if isinstance(schema, dict):
        schema = _resolved(schema, defs)
        return {
            key: _shape(value, defs)
            for key, value in sorted(schema.items())
            if key not in _NOT_SHAPE and key != "$defs"
        }
    if isinstance(schema, list):
        return [_shape(item, defs) for item in schema]
    return schema


def _compact(shape: Any) -> str:
    return json.dumps(shape, ensure_ascii=False, separators=(",", ":"))


def updated_baseline(baseline: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """The baseline with every contract's current payload schema, and the incompatible changes
    against the one given (which must be fixed with a new version, not written over)."""
    updated: dict[str, dict[str, Any]] = {}
    problems: list[str] = []
    for contract in all_contracts():
        schema = payload_schema(contract)
        version = str(contract.event_version)
        old = baseline.get(contract.event_type, {}).get(version)
        if old is not None:
            problems += [
                f"{contract.event_type} version {version}: {change}"
                for change in incompatible_changes(old, schema)
            ]
        updated.setdefault(contract.event_type, {})[version] = schema
    for event_type, versions in baseline.items():
        for version in versions.keys() - updated.get(event_type, {}).keys():
            problems.append(f"{event_type} version {version}: its contract is gone")
    return updated, problems


def read_baseline() -> dict[str, Any]:
    return json.loads(BASELINE.read_text()) if BASELINE.exists() else {}


def render_baseline(baseline: dict[str, Any]) -> str:
    return json.dumps(baseline, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


# --- The command -----------------------------------------------------------------------------


def main(argv: Iterable[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eventkit.asyncapi", description=__doc__)
    action = parser.add_mutually_exclusive_group(required=True)
    action.add_argument("--write", action="store_true", help="rewrite the document and baseline")
    action.add_argument("--check", action="store_true", help="exit 1 when either is stale")
    arguments = parser.parse_args(None if argv is None else list(argv))

    baseline, problems = updated_baseline(read_baseline())
    if problems:
        print("Incompatible contract changes (add a new event_version instead):", file=sys.stderr)
        print("\n".join(f"  {problem}" for problem in problems), file=sys.stderr)
        return 1
    wanted = {DOCUMENT: render(document()), BASELINE: render_baseline(baseline)}
    stale = [path for path, text in wanted.items() if not path.exists() or path.read_text() != text]
    if arguments.check:
        for path in stale:
            print(f"{path.relative_to(ROOT)} is stale: run {COMMAND}", file=sys.stderr)
        return 1 if stale else 0
    for path in stale:
        path.write_text(wanted[path])
        print(f"wrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
