"""The notifications consumer's events, handled through one table without servers: each event is
applied once, an address the registry vouches for is confirmed while any other is asked to
confirm, and a suggestion's answer or ending is recorded for the reminders."""

from __future__ import annotations

import uuid
from datetime import datetime

import pytest

from eventkit import contracts
from eventkit.contracts import envelope_for
from notifications.domain.deliveries import CONTACT_CONFIRMATION, Delivery
from notifications.domain.recipients import Recipient
from notifications.service_layer import events
from tests.notifications_fakes import START, FakeUnitOfWork

NOW = START


class FakeProcessedEvents:
    def __init__(self) -> None:
        self.seen: set[uuid.UUID] = set()

    async def record(self, event_id: uuid.UUID, event_type: str) -> bool:
        first = event_id not in self.seen
        self.seen.add(event_id)
        return first


class FakeRecipients:
    def __init__(self) -> None:
        self.rows: dict[uuid.UUID, Recipient] = {}
        self.confirmed: dict[uuid.UUID, str | None] = {}

    async def get(self, enterprise_id: uuid.UUID, *, for_update: bool = False) -> Recipient | None:
        return self.rows.get(enterprise_id)

    async def put_if_newer(self, recipient: Recipient) -> bool:
        known = self.rows.get(recipient.enterprise_id)
        if known is not None and known.changed_at >= recipient.changed_at:
            return False
        self.rows[recipient.enterprise_id] = recipient
        return True

    async def save_confirmation(self, recipient: Recipient) -> None:
        self.confirmed[recipient.enterprise_id] = recipient.confirmed_email


class FakeDeliveries:
    def __init__(self) -> None:
        self.queued: dict[str, Delivery] = {}
        self.released: list[uuid.UUID] = []

    async def add_unless_known(self, delivery: Delivery) -> bool:
        if delivery.idempotency_key in self.queued:
            return False
        self.queued[delivery.idempotency_key] = delivery
        return True

    async def add_all_unless_known(self, planned: list[Delivery]) -> int:
        return sum([await self.add_unless_known(delivery) for delivery in planned])

    async def wake_waiting_for(self, enterprise_id: uuid.UUID, *, now: datetime) -> None:
        pass

    async def release_unconfirmed(self, enterprise_id: uuid.UUID, *, now: datetime) -> int:
        self.released.append(enterprise_id)
        return 0


class FakeSuggestions:
    def __init__(self) -> None:
        self.opened: list[dict] = []
        self.answered: list[tuple[uuid.UUID, uuid.UUID]] = []
        self.closed: list[uuid.UUID] = []

    async def open(self, rows: list[dict]) -> None:
        self.opened.extend(rows)

    async def mark_answered(self, match_id, enterprise_id, *, at: datetime) -> None:
        self.answered.append((match_id, enterprise_id))

    async def close(self, match_id: uuid.UUID, *, at: datetime) -> None:
        self.closed.append(match_id)


def unit_of_work() -> FakeUnitOfWork:
    return FakeUnitOfWork(
        processed_events=FakeProcessedEvents(),
        recipients=FakeRecipients(),
        deliveries=FakeDeliveries(),
        suggestions=FakeSuggestions(),
    )


def registered(*, vouched: bool) -> contracts.EnterpriseRegistered:
    housing = {"name": "МУП «Ярцевожилсервис»", "country": "RU", "region": "smolensk_oblast"}
    return contracts.EnterpriseRegistered(
        **housing,
        enterprise_id=uuid.uuid4(),
        city="Ярцево",
        sectors=["housing"],
        languages=["ru"],
        contact_person="Ольга Петрова",
        email="office@yartsevo-housing.example.ru",
        status="pending",
        contact_email_confirmed=vouched,
    )


def match_event(kind: type[contracts.MatchSnapshot], **changes) -> contracts.MatchSnapshot:
    side = {"listing_id": uuid.uuid4(), "enterprise_name": "ОАО «Лифтмаш»", "title": "Лифты"}
    values = {
        "match_id": uuid.UUID("33333333-3333-4333-8333-333333333333"),
        "offer": contracts.MatchSide(enterprise_id=uuid.uuid4(), **side),
        "need": contracts.MatchSide(enterprise_id=uuid.uuid4(), **side),
        "score": 0.8,
        "status": "approved",
        "occurred_at": NOW,
    }
    return kind(**(values | changes))


async def handle(uow, payload, *, envelope=None) -> int:
    envelope = envelope or envelope_for(payload, key="k", producer="test")
    return await events.handle(
        uow=uow, envelope=envelope, payload=payload, public_base_url="https://x"
    )


async def test_the_same_event_twice_is_applied_and_queues_its_email_once():
    uow, payload = unit_of_work(), registered(vouched=True)
    envelope = envelope_for(payload, key="k", producer="test")

    queued = [await handle(uow, payload, envelope=envelope) for _ in range(2)]

    assert queued == [1, 0]
    assert [d.template for d in uow.deliveries.queued.values()] == ["welcome"]
    assert uow.commits == 1


async def test_an_address_the_registry_vouches_for_is_confirmed_at_once_without_asking():
    uow, payload = unit_of_work(), registered(vouched=True)

    await handle(uow, payload)

    assert uow.recipients.confirmed == {payload.enterprise_id: payload.email}
    assert uow.deliveries.released == [payload.enterprise_id]
    assert CONTACT_CONFIRMATION not in {d.template for d in uow.deliveries.queued.values()}


async def test_an_address_nobody_vouches_for_is_sent_a_confirmation_beside_its_welcome():
    uow, payload = unit_of_work(), registered(vouched=False)

    await handle(uow, payload)

    assert not uow.recipients.confirmed
    templates = sorted(d.template for d in uow.deliveries.queued.values())
    assert templates == [CONTACT_CONFIRMATION, "welcome"]


async def test_an_approved_match_opens_one_suggestion_per_side():
    uow, match = unit_of_work(), match_event(contracts.MatchApproved)

    await handle(uow, match)

    assert {row["enterprise_id"] for row in uow.suggestions.opened} == {
        match.offer.enterprise_id,
        match.need.enterprise_id,
    }


@pytest.mark.parametrize(("answer", "closed"), [("interested", False), ("declined", True)])
async def test_an_answer_is_recorded_for_the_reminder_and_a_decline_ends_the_suggestion(
    answer, closed
):
    uow = unit_of_work()
    match = match_event(contracts.MatchResponded, answered_by_side="need", answer=answer)

    await handle(uow, match)

    assert uow.suggestions.answered == [(match.match_id, match.need.enterprise_id)]
    assert (uow.suggestions.closed == [match.match_id]) is closed


@pytest.mark.parametrize(
    "ending",
    [
        contracts.MatchIntroduced,
        contracts.MatchClosed,
        contracts.MatchRejected,
        contracts.MatchWithdrawn,
    ],
)
async def test_every_ending_of_a_match_closes_its_suggestion(ending):
    uow, match = unit_of_work(), match_event(ending)

    await handle(uow, match)

    assert uow.suggestions.closed == [match.match_id]


def test_every_kind_of_enterprise_profile_updates_the_recipient():
    profile_events = contracts.EnterpriseProfile.__subclasses__()

    assert profile_events
    assert {events.HANDLERS.get(kind) for kind in profile_events} == {
        events.HANDLERS[contracts.EnterpriseRegistered]
    }
