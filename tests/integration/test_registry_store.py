"""Registering an enterprise stores it and its event in one transaction, or stores nothing."""

from __future__ import annotations

import pytest

from eventkit.contracts import decode
from eventkit.topics import ENTERPRISES
from registry.adapters.orm import enterprises, outbox
from registry.domain.errors import AlreadyRegistered, InvalidInput
from registry.service_layer import enterprises as use_cases
from registry.service_layer.unit_of_work import UnitOfWork
from tests.integration.registry_forms import count, mogilev_lift_maker, outbox_events, outbox_rows

MOGILEV_LIFT_MAKER = mogilev_lift_maker(
    unp="100582333", description="Пассажирские лифты, 200 шт. в год."
)


async def test_a_registration_stores_the_enterprise_and_its_event_together(
    registry_sessions, register
):
    enterprise = await register(MOGILEV_LIFT_MAKER)

    [row] = await outbox_rows(registry_sessions, key=enterprise.id)
    envelope, payload = decode(row.envelope.encode())
    assert row.topic == ENTERPRISES
    assert row.published_at is None
    assert envelope.type == "enterprise.registered"
    assert payload.enterprise_id == enterprise.id
    assert payload.email == MOGILEV_LIFT_MAKER["email"]


async def test_a_second_registration_of_the_same_legal_id_is_refused_and_leaves_nothing(
    registry_sessions, register
):
    first = await register(MOGILEV_LIFT_MAKER)
    enterprises_before = await count(registry_sessions, enterprises)
    events_before = await count(registry_sessions, outbox)

    with pytest.raises(AlreadyRegistered) as refused:
        await register(MOGILEV_LIFT_MAKER | {"name": "Другое имя"})

    assert refused.value.existing_id == first.id
    assert await count(registry_sessions, enterprises) == enterprises_before
    assert await count(registry_sessions, outbox) == events_before


async def test_an_invalid_registration_writes_no_row_and_no_event(registry_sessions, register):
    enterprises_before = await count(registry_sessions, enterprises)
    events_before = await count(registry_sessions, outbox)

    with pytest.raises(InvalidInput):
        await register(MOGILEV_LIFT_MAKER | {"unp": "100582334"})

    assert await count(registry_sessions, enterprises) == enterprises_before
    assert await count(registry_sessions, outbox) == events_before


async def test_verifying_records_who_and_when_and_emits_its_event(registry_sessions, register):
    enterprise = await register(MOGILEV_LIFT_MAKER)

    verified = await use_cases.verify_enterprise(
        uow=UnitOfWork(registry_sessions),
        enterprise_id=enterprise.id,
        verified_by="agency-reviewer-1",
    )

    assert verified.status == "verified"
    assert verified.verified_by == "agency-reviewer-1"
    stored = await use_cases.get_enterprise_or_raise(
        uow=UnitOfWork(registry_sessions), enterprise_id=enterprise.id
    )
    assert stored.status == "verified" and stored.version == 2
    events = await outbox_events(registry_sessions, key=enterprise.id)
    types = [envelope.type for envelope, _ in events]
    assert types == ["enterprise.registered", "enterprise.verified"]
