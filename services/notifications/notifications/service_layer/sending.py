"""The sender: picks the due deliveries, decides on each (domain/composing.py), renders it and sends
it through the Mailer port.

Sent once, and what "once" means after a crash: a delivery is claimed (status `sending`, in its
own transaction) before the SMTP conversation and marked `sent` (in another) after the server
accepted it. A process killed between the server's acceptance and that second commit leaves the
delivery `sending`; once its lease runs out another sender sends it again. The server cannot be
asked whether it already holds a message, so for that window the service chooses at-least-once
knowingly: the resend carries the same Message-ID (derived from the idempotency key), so mail
clients and the agency can recognise it. Several emails are on their way at once, each over its own
connection. An email accepted by the server is recorded sent in the next commit of the batch's
recorder (group commit: the emails accepted while one commit runs are all recorded by the next, in
one statement), and its worker lets the server accept no other email before that commit (it
stages the next meanwhile): a crash leaves at most one email per worker accepted and unrecorded,
each to be sent once more.
"""

from __future__ import annotations

import asyncio
import dataclasses
import itertools
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta

import structlog

from eventkit import topics
from eventkit.contracts import NotificationDead, envelope_for
from eventkit.envelope import Envelope
from notifications.domain.composing import (
    AwaitConfirmation,
    Hold,
    Links,
    Send,
    Skip,
    Wait,
    decide,
    unconfirmed_address,
)
from notifications.domain.deliveries import Delivery, DeliveryStatus, RetryPolicy
from notifications.domain.recipients import Preferences, Recipient
from notifications.service_layer.ports import Clock, Mailer, Renderer, SendFailed, SystemClock
from notifications.service_layer.unit_of_work import UnitOfWork

log = structlog.get_logger(__name__)

DEAD_LETTERS = topics.dead_letter(topics.DELIVERIES)


@dataclass(frozen=True)
class Sending:
    """What the sender needs besides a unit of work."""

    mailer: Mailer
    renderer: Renderer
    links: Links
    policy: RetryPolicy
    lease: timedelta
    recipient_wait: timedelta
    clock: Clock = field(default_factory=SystemClock)
    # Emails on their way to the server at once (the mailer's connections).
    in_flight: int = 1


async def send_due(*, uow: UnitOfWork, sending: Sending, batch: int = 50) -> list[Delivery]:
    """Claims due deliveries (and reads their recipients) in one transaction, sends up to
    `sending.in_flight` of them at once, and records each outcome in its own transaction.

    When the server is unreachable the rest of the batch is not tried (each gets its own back-off),
    and what is left when half the lease has passed goes back to the queue untried, so a slow
    server never lets the lease run out under a sender that is still working through its batch."""
    clock = sending.clock
    claimed_at = clock.monotonic()
    async with uow:
        claimed = await uow.deliveries.claim_due(now=clock.now(), lease=sending.lease, limit=batch)
        if not claimed:
            return []
        people = await uow.recipients.get_by_enterprise_ids(
            {e for d in claimed for e in (d.enterprise_id, d.partner_id) if e}
        )
        preferences = await uow.preferences.get_by_enterprise_ids(
            {d.enterprise_id for d in claimed if d.enterprise_id}
        )
        await uow.commit()
    async with uow.sibling() as recording:
        batch_pass = _Pass(
            sending=sending,
            people=people,
            preferences=preferences,
            claimed_at=claimed_at,
            records=_SentRecords(uow=recording),
        )
        due = iter(claimed)
        # The first email that reaches the server goes alone: a server that is down costs the batch
        # one attempt, not one per connection.
        alone = _Worker(uow=uow)
        for delivery in due:
            if await batch_pass.handle(delivery, worker=alone):
                break
        await alone.recorded()
        async with asyncio.TaskGroup() as workers:
            for _ in range(sending.in_flight):
                workers.create_task(batch_pass.work_through(due, uow=uow))
    return claimed


@dataclass
class _SentRecords:
    """Group commit of the emails the server accepted, on a connection of their own: an email
    accepted while a commit runs waits for it, and the next commit records it together with all
    the others accepted meanwhile, in one statement. Each email is recorded no later than the
    commit after the one in progress at its acceptance, and its sender waits for that record."""

    uow: UnitOfWork
    waiting: list[tuple[Delivery, asyncio.Future[None]]] = field(default_factory=list)
    committing: asyncio.Lock = field(default_factory=asyncio.Lock)

    async def record(self, sent: Delivery) -> None:
        """Returns once `sent` is committed; raises what the commit that recorded it raised."""
        recorded = asyncio.get_running_loop().create_future()
        self.waiting.append((sent, recorded))
        async with self.committing:
            if not recorded.done():  # no commit took it while this one waited for its turn
                await self._commit_waiting()
        await recorded

    async def _commit_waiting(self) -> None:
        group, self.waiting = self.waiting, []
        try:
            async with self.uow as uow:
                await uow.deliveries.save_all([sent for sent, _ in group])
                await uow.commit()
        except Exception as error:
            for _, recorded in group:
                recorded.set_exception(error)
            return
        except BaseException:
            # Cancelled with the commit's outcome unknown: the next commit records them (again).
            self.waiting[:0] = group
            raise
        for _, recorded in group:
            recorded.set_result(None)


@dataclass
class _Worker:
    """One of the batch's workers: its unit of work, and the record of the last email it had
    accepted, still on its way."""

    uow: UnitOfWork
    recording: asyncio.Task[None] | None = None

    async def recorded(self) -> None:
        """Returns once the worker's last accepted email is recorded sent."""
        recording, self.recording = self.recording, None
        if recording is not None:
            await recording


@dataclass
class _Pass:
    """One claimed batch on its way, worked through by several workers, each with a unit of work of
    its own. A worker stages its next email while the last one it had accepted is recorded sent (by
    `records`), and lets the server accept it only once that record is committed, so a crash leaves
    at most one email per worker to send again."""

    sending: Sending
    people: dict[uuid.UUID, Recipient]
    preferences: dict[uuid.UUID, Preferences]
    claimed_at: float
    records: _SentRecords
    unavailable: SendFailed | None = None

    async def work_through(self, due: Iterator[Delivery], *, uow: UnitOfWork) -> None:
        """Takes the next due email until none is left, in a unit of work of its own (opened only
        when one is left for it)."""
        if (first := next(due, None)) is None:
            return
        async with uow.sibling() as own:
            worker = _Worker(uow=own)
            try:
                for delivery in itertools.chain([first], due):
                    await self.handle(delivery, worker=worker)
            finally:
                await worker.recorded()

    async def handle(self, delivery: Delivery, *, worker: _Worker) -> bool:
        """Returns whether the email reached the mailer."""
        clock = self.sending.clock
        if self.unavailable is not None:
            delivery.mark_failed(
                at=clock.now(),
                reason=f"not tried, {self.unavailable}",
                permanent=False,
                policy=self.sending.policy,
            )
        elif clock.monotonic() - self.claimed_at > self.sending.lease.total_seconds() / 2:
            delivery.release()
        else:
            return await self._decide(delivery, worker=worker)
        await _record(delivery, uow=worker.uow)
        return False

    async def _decide(self, delivery: Delivery, *, worker: _Worker) -> bool:
        sending = self.sending
        match decide(
            delivery,
            addressee=self.people.get(delivery.enterprise_id),
            partner=self.people.get(delivery.partner_id),
            preferences=self.preferences.get(delivery.enterprise_id)
            or Preferences(enterprise_id=delivery.enterprise_id),
            links=sending.links,
        ):
            case Wait():
                delivery.wait_for_recipient(
                    at=sending.clock.now(), give_up_after=sending.recipient_wait
                )
            case Skip(reason=reason):
                delivery.skip(reason)
            case AwaitConfirmation():
                await _await_confirmation(delivery, uow=worker.uow)
                return False
            case Hold(recipient=recipient, language=language, context=context):
                delivery.address(recipient=recipient, language=language, context=context)
                delivery.hold_for_digest()
            case Send(recipient=recipient, language=language, context=context):
                delivery.address(recipient=recipient, language=language, context=context)
                await self._send(delivery, worker=worker)
                return True
        await _record(delivery, uow=worker.uow)
        return False

    async def _send(self, delivery: Delivery, *, worker: _Worker) -> None:
        sending = self.sending
        try:
            email = sending.renderer.render(delivery.template, delivery.language, delivery.context)
        except Exception as error:  # a template that cannot render will not the next time either
            log.exception(
                "delivery_unrenderable", delivery_id=str(delivery.id), template=delivery.template
            )
            delivery.mark_failed(
                at=sending.clock.now(),
                reason=f"cannot render: {error!r}",
                permanent=True,
                policy=sending.policy,
            )
            await _record(delivery, uow=worker.uow)
            return
        at = sending.clock.now()
        sent = dataclasses.replace(delivery)
        sent.mark_sent(at=at)
        try:
            async with sending.mailer.staged(
                recipient=delivery.recipient, message_id=delivery.message_id, email=email
            ) as staged:
                # Staged while the worker's previous email was being recorded, accepted only once
                # it is.
                await worker.recorded()
                reply = await staged.deliver()
        except SendFailed as error:
            self._failed(delivery, error)
            await _record(delivery, uow=worker.uow)
            return
        worker.recording = asyncio.create_task(self.records.record(sent))
        delivery.mark_sent(at=at)
        log.info(
            "delivery_sent",
            delivery_id=str(delivery.id),
            template=delivery.template,
            smtp_reply=reply,
        )

    def _failed(self, delivery: Delivery, error: SendFailed) -> None:
        delivery.mark_failed(
            at=self.sending.clock.now(),
            reason=str(error),
            permanent=error.permanent,
            policy=self.sending.policy,
        )
        log.warning(
            "delivery_failed",
            delivery_id=str(delivery.id),
            status=delivery.status,
            reason=_without_address(str(error), delivery.recipient),
        )
        if error.server_unavailable and self.unavailable is None:
            self.unavailable = error


async def _await_confirmation(delivery: Delivery, *, uow: UnitOfWork) -> None:
    """Kept until its address is confirmed, decided again under the recipient's lock, which the
    confirmation takes too: a confirmation committed after the sender read the recipient found no
    kept email to release, so this one goes back to the queue instead of being kept for ever."""
    async with uow:
        addressee = await uow.recipients.get(delivery.enterprise_id, for_update=True)
        if unconfirmed_address(delivery, addressee):
            delivery.await_confirmation()
        else:
            delivery.release()
        await uow.deliveries.save(delivery)
        await uow.commit()


async def _record(delivery: Delivery, *, uow: UnitOfWork) -> None:
    async with uow:
        await uow.deliveries.save(delivery)
        if delivery.status is DeliveryStatus.DEAD:
            await uow.outbox.add(_dead_letter(delivery), topic=DEAD_LETTERS)
        await uow.commit()


def _without_address(text: str, address: str | None) -> str:
    """A server's refusal quotes the mailbox it refused; the log names the delivery instead."""
    return re.sub(re.escape(address), "<recipient>", text, flags=re.IGNORECASE) if address else text


# What a dead letter repeats of its delivery under the same names.
_DEAD_LETTER_FIELDS = "idempotency_key event_id enterprise_id recipient template attempts".split()


def _dead_letter(delivery: Delivery) -> Envelope:
    dead = NotificationDead(
        delivery_id=delivery.id,
        reason=delivery.last_error,
        **{name: getattr(delivery, name) for name in _DEAD_LETTER_FIELDS},
    )
    return envelope_for(dead, key=str(delivery.id), producer="notifications")
