"""Event payloads: the contract between the services.

An event type names a past-tense fact. A payload model is looked up by (type, version), so a
consumer can reject what it does not understand instead of guessing.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import ClassVar

from pydantic import BaseModel, ConfigDict, EmailStr, ValidationError

from eventkit.envelope import Envelope


class EventPayload(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    event_type: ClassVar[str]
    event_version: ClassVar[int] = 1


class EnterpriseRegistered(EventPayload):
    event_type: ClassVar[str] = "enterprise.registered"

    enterprise_id: uuid.UUID
    name: str
    country: str
    region: str
    city: str
    sectors: list[str]
    languages: list[str]
    contact_person: str
    email: EmailStr
    status: str


class EnterpriseVerified(EventPayload):
    event_type: ClassVar[str] = "enterprise.verified"

    enterprise_id: uuid.UUID
    name: str
    email: EmailStr
    languages: list[str]
    verified_by: str
    verified_at: datetime


_CONTRACTS: dict[tuple[str, int], type[EventPayload]] = {
    (model.event_type, model.event_version): model for model in (EnterpriseRegistered, EnterpriseVerified)
}


class UndecodableEvent(Exception):
    """A message no consumer can act on; it belongs in the dead-letter topic with this reason."""


def envelope_for(payload: EventPayload, *, key: str, producer: str) -> Envelope:
    return Envelope(
        type=payload.event_type,
        version=payload.event_version,
        key=key,
        producer=producer,
        payload=payload.model_dump(mode="json"),
    )


def decode(raw: bytes) -> tuple[Envelope, EventPayload]:
    try:
        envelope = Envelope.from_bytes(raw)
    except ValidationError as error:
        raise UndecodableEvent(f"invalid envelope: {_first_error(error)}") from error
    model = _CONTRACTS.get((envelope.type, envelope.version))
    if model is None:
        raise UndecodableEvent(f"unknown event type {envelope.type!r} version {envelope.version}")
    try:
        return envelope, model.model_validate(envelope.payload)
    except ValidationError as error:
        raise UndecodableEvent(f"invalid {envelope.type} payload: {_first_error(error)}") from error


def _first_error(error: ValidationError) -> str:
    first = error.errors()[0]
    where = ".".join(str(part) for part in first["loc"]) or "body"
    return f"{where}: {first['msg']}"
