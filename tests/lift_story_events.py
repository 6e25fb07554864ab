"""The design's lift story as the events the services exchange: the Mogilev lift maker's
enterprise events, the two sides of a lift match, and an event as a consumer receives it."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import TypeVar

from eventkit.contracts import (
    EnterpriseRegistered,
    EventPayload,
    MatchApproved,
    MatchSide,
    decode,
    envelope_for,
)
from eventkit.envelope import Envelope

Payload = TypeVar("Payload")

LIFT_MAKER_PROFILE = dict(
    name="ОАО «Могилёвлифтмаш»",
    country="BY",
    region="mogilev_oblast",
    city="Могилёв",
    sectors=["elevators"],
    languages=["be", "ru"],
    contact_person="Иван Петров",
    email="sales@liftmash.example.by",
)


def lift_maker_event(
    kind: type[Payload],
    *,
    status: str = "pending",
    enterprise_id: uuid.UUID | None = None,
    **changes,
) -> Payload:
    """An enterprise event of `kind` (registered, updated, suspended...) carrying the lift maker's
    profile, with `changes` over it."""
    values = LIFT_MAKER_PROFILE | dict(enterprise_id=enterprise_id or uuid.uuid4(), status=status)
    return kind(**values | changes)


def lift_match_sides(
    *,
    offer_enterprise_id: uuid.UUID,
    need_enterprise_id: uuid.UUID,
    offer_name: str = "ОАО «Могилёвлифтмаш»",
    need_name: str = "МУП «Смоленскжилсервис»",
    offer_title: str = "Лифты ПП-0411",
    need_title: str = "120 лифтов",
    offer_listing_id: uuid.UUID | None = None,
) -> dict[str, MatchSide]:
    """The `offer` and `need` of a match between a lift offer and a housing operator's need."""
    return dict(
        offer=MatchSide(
            listing_id=offer_listing_id or uuid.uuid4(),
            enterprise_id=offer_enterprise_id,
            enterprise_name=offer_name,
            title=offer_title,
        ),
        need=MatchSide(
            listing_id=uuid.uuid4(),
            enterprise_id=need_enterprise_id,
            enterprise_name=need_name,
            title=need_title,
        ),
    )


def lift_match_approved(
    offer: EnterpriseRegistered, need: EnterpriseRegistered, **sides: str
) -> MatchApproved:
    """The agency's approval of a lift match between the `offer` and `need` enterprises (`sides`:
    the listings' titles, as `lift_match_sides` takes them)."""
    return MatchApproved(
        match_id=uuid.uuid4(),
        **lift_match_sides(
            offer_enterprise_id=offer.enterprise_id,
            need_enterprise_id=need.enterprise_id,
            offer_name=offer.name,
            need_name=need.name,
            **sides,
        ),
        score=0.84,
        reasons_ru=["Та же отрасль: лифты и подъёмное оборудование", "Могилёв — Смоленск, 190 км"],
        reasons_en=["Same sector: elevators and lifting equipment", "Mogilev — Smolensk, 190 km"],
        status="approved",
        occurred_at=datetime.now(UTC),
    )


def as_received(
    payload, *, key: uuid.UUID, producer: str = "registry"
) -> tuple[Envelope, EventPayload]:
    """The event as a consumer receives it from Kafka: enveloped, sent as bytes, decoded."""
    return decode(envelope_for(payload, key=str(key), producer=producer).to_bytes())
