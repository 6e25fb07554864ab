"""The sender's flow without servers: due emails are claimed, decided on, rendered and handed to the
Mailer port (a fake here), and each outcome is recorded in its own transaction. A server that is
down stops the batch, a slow one gives the rest back to the queue, a refusal for good is dead
lettered, and every attempt of one email carries the same Message-ID."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import uuid
from collections.abc import AsyncIterator
from datetime import datetime, timedelta

import pytest
import structlog

from eventkit import asyncapi, contracts, topics
from notifications.adapters.links import SignedLinks
from notifications.adapters.rendering import TemplateRenderer
from notifications.domain.deliveries import Delivery, DeliveryStatus, RetryPolicy
from notifications.domain.plans import PASSWORD_RESET, account_email
from notifications.domain.recipients import Preferences, Recipient
from notifications.service_layer.ports import SendFailed
from notifications.service_layer.sending import DEAD_LETTERS, Sending, send_due
from tests.notifications_fakes import START, FakeClock, FakeMailer, FakeUnitOfWork

LEASE = timedelta(seconds=60)
HOUSING = uuid.UUID("22222222-2222-4222-8222-222222222222")


class FakeDeliveries:
    def __init__(self, clock: FakeClock) -> None:
        self.rows: dict[uuid.UUID, Delivery] = {}
        self._clock = clock

    def add(self, delivery: Delivery) -> None:
        self.rows[delivery.id] = dataclasses.replace(delivery, created_at=self._clock.now())

    async def claim_due(self, *, now: datetime, lease: timedelta, limit: int) -> list[Delivery]:
        due = [
            row
            for row in self.rows.values()
            if row.status in (DeliveryStatus.QUEUED, DeliveryStatus.FAILED)
            and (row.next_attempt_at is None or row.next_attempt_at <= now)
        ][:limit]
        for row in due:
            row.status, row.attempts = DeliveryStatus.SENDING, row.attempts + 1
        return [dataclasses.replace(row) for row in sorted(due, key=lambda d: d.created_at)]

    async def save(self, delivery: Delivery) -> None:
        self.rows[delivery.id] = dataclasses.replace(delivery)

    async def save_all(self, saved: list[Delivery]) -> None:
        for delivery in saved:
            await self.save(delivery)


class FakeRecipients:
    def __init__(self, *known: Recipient) -> None:
        self.rows = {recipient.enterprise_id: recipient for recipient in known}

    async def get(self, enterprise_id: uuid.UUID, *, for_update: bool = False) -> Recipient | None:
        return self.rows.get(enterprise_id)

    async def get_by_enterprise_ids(
        self, enterprise_ids: set[uuid.UUID]
    ) -> dict[uuid.UUID, Recipient]:
        return {e: self.rows[e] for e in enterprise_ids if e in self.rows}


class FakePreferences:
    async def get_by_enterprise_ids(
        self, enterprise_ids: set[uuid.UUID]
    ) -> dict[uuid.UUID, Preferences]:
        return {e: Preferences(enterprise_id=e) for e in enterprise_ids}


class FakeOutbox:
    def __init__(self) -> None:
        self.messages: list[tuple[str, object]] = []

    async def add(self, envelope, *, topic: str) -> None:
        self.messages.append((topic, envelope))


def unit_of_work(clock: FakeClock, *recipients: Recipient) -> FakeUnitOfWork:
    return FakeUnitOfWork(
        deliveries=FakeDeliveries(clock),
        recipients=FakeRecipients(*recipients),
        preferences=FakePreferences(),
        outbox=FakeOutbox(),
    )


def sending_through(mailer: FakeMailer, clock: FakeClock) -> Sending:
    return Sending(
        mailer=mailer,
        renderer=TemplateRenderer(),
        links=SignedLinks(public_base_url="https://unionmatch.example", secret="s" * 32),
        policy=RetryPolicy(max_attempts=3, base_seconds=10, cap_seconds=60),
        lease=LEASE,
        recipient_wait=timedelta(days=7),
        clock=clock,
    )


def password_reset_to(address: str) -> Delivery:
    return account_email(
        PASSWORD_RESET,
        request_id=uuid.uuid4(),
        email=address,
        link="https://unionmatch.example/reset-password?token=abc",
        language="ru",
    )


def queued(uow: FakeUnitOfWork, *deliveries: Delivery) -> list[uuid.UUID]:
    for delivery in deliveries:
        uow.deliveries.add(delivery)
    return [delivery.id for delivery in deliveries]


def status_of(uow: FakeUnitOfWork, delivery_id: uuid.UUID) -> Delivery:
    return uow.deliveries.rows[delivery_id]


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


async def test_a_due_email_is_rendered_sent_with_its_message_id_and_recorded_sent(clock):
    uow, mailer = unit_of_work(clock), FakeMailer()
    [reset] = queued(uow, delivery := password_reset_to("lift@example.ru"))

    claimed = await send_due(uow=uow, sending=sending_through(mailer, clock))

    [(recipient, message_id, email)] = mailer.sent
    assert recipient == "lift@example.ru" and message_id == delivery.message_id
    assert "reset-password?token=abc" in email.text
    recorded = status_of(uow, reset)
    assert recorded.status is DeliveryStatus.SENT and recorded.sent_at == START
    assert recorded.smtp_message_id == delivery.message_id
    assert [d.id for d in claimed] == [reset]


async def test_an_unreachable_server_stops_the_batch_and_each_email_backs_off(clock):
    uow = unit_of_work(clock)
    mailer = FakeMailer(
        SendFailed("SMTP unavailable: refused", permanent=False, server_unavailable=True)
    )
    first, second, third = queued(uow, *(password_reset_to(f"{n}@example.ru") for n in range(3)))

    await send_due(uow=uow, sending=sending_through(mailer, clock))

    assert len(mailer.tried) == 1 and not mailer.sent
    assert "SMTP unavailable" in status_of(uow, first).last_error
    for untried in (second, third):
        assert status_of(uow, untried).last_error.startswith("not tried, SMTP unavailable")
    for delivery_id in (first, second, third):
        failed = status_of(uow, delivery_id)
        assert failed.status is DeliveryStatus.FAILED and failed.next_attempt_at > START


async def test_a_failed_email_waits_out_its_back_off_and_goes_with_the_same_message_id(clock):
    uow = unit_of_work(clock)
    mailer = FakeMailer(SendFailed("SMTP 451: try later", permanent=False))
    [reset] = queued(uow, password_reset_to("lift@example.ru"))
    sending = sending_through(mailer, clock)

    await send_due(uow=uow, sending=sending)
    too_early = await send_due(uow=uow, sending=sending)
    clock.advance(timedelta(minutes=2))
    await send_due(uow=uow, sending=sending)

    assert too_early == []
    [first_try, second_try] = mailer.tried
    assert first_try == second_try
    assert status_of(uow, reset).status is DeliveryStatus.SENT
    assert status_of(uow, reset).attempts == 2


async def test_what_is_left_after_half_the_lease_goes_back_to_the_queue_untried(clock):
    uow = unit_of_work(clock)
    mailer = FakeMailer(clock=clock, takes=LEASE / 2 + timedelta(seconds=1))  # a slow server
    first, second = queued(
        uow, password_reset_to("a@example.ru"), password_reset_to("b@example.ru")
    )

    await send_due(uow=uow, sending=sending_through(mailer, clock))

    assert [recipient for recipient, _, _ in mailer.sent] == ["a@example.ru"]
    assert status_of(uow, first).status is DeliveryStatus.SENT
    released = status_of(uow, second)
    assert released.status is DeliveryStatus.QUEUED and released.attempts == 0


async def test_a_refusal_for_good_is_dead_at_once_dead_lettered_and_logged_without_the_address(
    clock,
):
    uow = unit_of_work(clock)
    mailer = FakeMailer(SendFailed("recipient refused: Lift@Example.ru 550", permanent=True))
    [reset] = queued(uow, password_reset_to("lift@example.ru"))

    with structlog.testing.capture_logs() as logged:
        await send_due(uow=uow, sending=sending_through(mailer, clock))

    assert status_of(uow, reset).status is DeliveryStatus.DEAD
    [(topic, letter)] = uow.outbox.messages
    assert topic == DEAD_LETTERS and letter.payload["delivery_id"] == str(reset)
    # Written as the NotificationDead contract documented in docs/asyncapi.yaml: signed and keyed
    # as eventkit's topics say.
    _, dead = contracts.decode(letter.to_bytes())
    assert isinstance(dead, contracts.NotificationDead) and dead.attempts == 1
    assert topics.PRODUCED_BY[topic] == letter.producer
    assert letter.key == asyncapi.key_of(topic, dead) == str(reset)
    [failed] = [event for event in logged if event["event"] == "delivery_failed"]
    assert "<recipient>" in failed["reason"] and "lift@" not in failed["reason"].lower()


async def test_an_email_that_cannot_render_is_dead_without_reaching_the_mailer(clock):
    uow, mailer = unit_of_work(clock), FakeMailer()
    broken = dataclasses.replace(password_reset_to("lift@example.ru"), template="no_such_email")
    [delivery_id] = queued(uow, broken)

    await send_due(uow=uow, sending=sending_through(mailer, clock))

    assert not mailer.tried
    dead = status_of(uow, delivery_id)
    assert dead.status is DeliveryStatus.DEAD and dead.last_error.startswith("cannot render")


async def test_an_enterprise_address_nobody_confirmed_is_kept_not_mailed(clock):
    unconfirmed = Recipient(
        enterprise_id=HOUSING, name="МУП «Жилсервис»", email="office@housing.example.ru"
    )
    uow, mailer = unit_of_work(clock, unconfirmed), FakeMailer()
    welcome = Delivery.plan_to_enterprise(
        event_id=uuid.uuid4(),
        enterprise_id=HOUSING,
        partner_id=None,
        template="welcome",
        facts={"enterprise_name": "МУП «Жилсервис»"},
    )
    [kept] = queued(uow, welcome)

    await send_due(uow=uow, sending=sending_through(mailer, clock))

    assert not mailer.tried
    assert status_of(uow, kept).status is DeliveryStatus.UNCONFIRMED


class TimelineMailer:
    """Stages each email over a few turns of the event loop, as a real connection would, and writes
    what happens, in order, to a timeline it shares with the deliveries' records."""

    def __init__(self, timeline: list[tuple[str, str]]) -> None:
        self.timeline = timeline

    @contextlib.asynccontextmanager
    async def staged(self, *, recipient: str, message_id: str, email) -> AsyncIterator:
        self.timeline.append(("staged", message_id))
        for _ in range(3):
            await asyncio.sleep(0)
        try:
            yield self._Staged(self.timeline, message_id)
        finally:
            self.timeline.append(("done", message_id))

    class _Staged:
        def __init__(self, timeline, message_id: str) -> None:
            self._timeline, self._message_id = timeline, message_id

        async def deliver(self) -> str:
            self._timeline.append(("accepted", self._message_id))
            await asyncio.sleep(0)
            return "250 2.0.0 queued"


async def test_several_emails_are_staged_at_once_and_those_accepted_meanwhile_are_recorded_in_one_commit(  # noqa: E501
    clock,
):
    timeline: list[tuple[str, str | None]] = []
    uow = unit_of_work(clock)
    save_all, commit = uow.deliveries.save_all, uow.commit

    async def saved_all(saved: list[Delivery]) -> None:
        await asyncio.sleep(0)  # a database round trip
        await save_all(saved)
        timeline.extend((f"saved {delivery.status}", delivery.message_id) for delivery in saved)

    async def committed() -> None:
        await asyncio.sleep(0)
        await commit()
        timeline.append(("committed", None))

    uow.deliveries.save_all, uow.commit = saved_all, committed
    resets = queued(uow, *(password_reset_to(f"{n}@example.ru") for n in range(7)))
    sending = dataclasses.replace(sending_through(TimelineMailer(timeline), clock), in_flight=3)

    await send_due(uow=uow, sending=sending)

    assert {status_of(uow, reset).status for reset in resets} == {DeliveryStatus.SENT}
    on_their_way, most = 0, 0
    for event, _ in timeline:
        on_their_way += {"staged": 1, "done": -1}.get(event, 0)
        most = max(most, on_their_way)
    assert most == 3
    # Accepted and not yet committed: what a crash would send again. At most one per connection,
    # each recorded by the commit after its acceptance at the latest, several in one commit.
    unrecorded, in_transaction, most_unrecorded, group_sizes = set(), set(), 0, []
    for event, message_id in timeline:
        if event == "accepted":
            unrecorded.add(message_id)
            most_unrecorded = max(most_unrecorded, len(unrecorded))
        elif event == "saved sent":
            assert message_id in unrecorded
            in_transaction.add(message_id)
        elif event == "committed" and in_transaction:
            unrecorded -= in_transaction
            group_sizes.append(len(in_transaction))
            in_transaction = set()
    assert not unrecorded
    assert most_unrecorded <= 3
    assert sum(group_sizes) == len(resets) and max(group_sizes) > 1
