"""The sender of kept account emails: takes the due ones, hands each to the notifications service,
and forgets those it took (or refused for good); the others wait their back-off.

Nothing is lost: an email is kept from the transaction that decided it until the notifications
service answers it with a 2xx (or a final 4xx). Nothing is sent twice: a row is taken by one sender
at a time (locked rows are skipped, a taken row is held for a lease), and a sender that dies between
the hand-over and the deletion hands the row over again once its lease runs out, under the same
idempotency key, which the notifications service answers with the email it already has."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol

import structlog

from gateway.domain.account_emails import HandOver, PendingEmail, RetryDelays
from gateway.service_layer.unit_of_work import UnitOfWork

log = structlog.get_logger(__name__)


class EmailDoor(Protocol):
    async def hand_over(self, email: PendingEmail) -> HandOver: ...


@dataclass(frozen=True, kw_only=True)
class EmailSending:
    """What the sender needs besides a unit of work. `lease` must outlast one pass: the requests of
    a batch go at once, so a little more than the notifications service's timeout."""

    door: EmailDoor
    retry: RetryDelays = RetryDelays()
    lease: timedelta = timedelta(seconds=60)
    batch: int = 20


async def send_due(*, uow: UnitOfWork, sending: EmailSending) -> list[HandOver]:
    """One pass: takes the due emails (in a transaction of its own), hands them over at once, and
    records every outcome in one more transaction; returns the outcomes (none: nothing was due)."""
    async with uow:
        taken = await uow.emails.claim_due(now=_now(), lease=sending.lease, limit=sending.batch)
        await uow.commit()
    if not taken:
        return []
    outcomes = await asyncio.gather(*(sending.door.hand_over(email) for email in taken))
    now = _now()
    answered = list(zip(taken, outcomes, strict=True))
    async with uow:
        await uow.emails.delete(
            [e.id for e, outcome in answered if outcome != HandOver.UNAVAILABLE]
        )
        for email, outcome in answered:
            if outcome is HandOver.UNAVAILABLE:
                await uow.emails.retry_at(email.id, now + sending.retry.after(email.attempts))
            elif outcome is HandOver.REFUSED:  # sent again, it would be refused again
                log.warning("email_dropped", path=email.path, email_id=email.id)
        await uow.commit()
    return outcomes


def _now() -> datetime:
    return datetime.now(UTC)
