"""Emails as deliveries: one email to one recipient for one reason, sent once.

queued -> sending -> sent
                  -> failed (transient; retried after a back-off) -> ... -> dead
                  -> dead (permanent: the address or the server refused it for good)
                  -> queued (the recipient is not known yet: waits, no attempt counted)
                  -> held -> bundled (a suggestion kept for the recipient's daily digest)
                  -> skipped (unsubscribed, suspended or deleted recipient; never for transactional
                  mail)
                  -> unconfirmed (the enterprise's address is not confirmed yet) -> queued once it
                  is

Match emails are addressed to an enterprise, not an address: the address, language and the
partner's profile are looked up when the email is sent, from the recipients read model.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum


class DeliveryStatus(StrEnum):
    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    DEAD = "dead"
    HELD = "held"
    BUNDLED = "bundled"
    SKIPPED = "skipped"
    UNCONFIRMED = "unconfirmed"


# Mail a recipient cannot opt out of: it answers something they did, completes an introduction they
# asked for, tells them what the agency decided about their enterprise (or that it checks it again),
# gives them an account, or proves their address or lets them back in (a confirmation at sign-up, a
# password reset), or warns that their own listing is about to expire. The email that confirms an
# enterprise's own address: the one thing an unconfirmed address is sent.
CONTACT_CONFIRMATION = "contact_confirmation"
TRANSACTIONAL = frozenset(
    {
        CONTACT_CONFIRMATION,
        "welcome",
        "verified",
        "recheck",
        "introduction",
        "suspended",
        "account_invitation",
        "account_confirmation",
        "password_reset",
        "account_exists",
        "listing_expiring",
    }
)


def idempotency_key(event_id: uuid.UUID, recipient: str, template: str) -> str:
    return f"{event_id}:{recipient.lower()}:{template}"


def enterprise_address(enterprise_id: uuid.UUID) -> str:
    """Stands for the recipient in an idempotency key when the email is addressed to an
    enterprise."""
    return f"enterprise:{enterprise_id}"


@dataclass
class Delivery:
    id: uuid.UUID
    idempotency_key: str
    event_id: uuid.UUID
    enterprise_id: uuid.UUID | None
    recipient: str | None
    template: str
    language: str | None
    context: dict
    partner_id: uuid.UUID | None = None
    bundled_into: uuid.UUID | None = None
    status: DeliveryStatus = DeliveryStatus.QUEUED
    attempts: int = 0
    next_attempt_at: datetime | None = None
    smtp_message_id: str | None = None
    last_error: str | None = None
    created_at: datetime | None = None
    sent_at: datetime | None = None
    history: list = field(default_factory=list)

    @classmethod
    def plan(
        cls,
        *,
        event_id: uuid.UUID,
        enterprise_id: uuid.UUID | None,
        recipient: str,
        template: str,
        language: str,
        context: dict,
    ) -> Delivery:
        return cls(
            id=uuid.uuid4(),
            idempotency_key=idempotency_key(event_id, recipient, template),
            event_id=event_id,
            enterprise_id=enterprise_id,
            recipient=recipient,
            template=template,
            language=language,
            context=context,
        )

    @classmethod
    def plan_to_enterprise(
        cls,
        *,
        event_id: uuid.UUID,
        enterprise_id: uuid.UUID,
        partner_id: uuid.UUID | None,
        template: str,
        facts: dict,
    ) -> Delivery:
        """An email whose address and language are found when it is sent."""
        return cls(
            id=uuid.uuid4(),
            idempotency_key=idempotency_key(event_id, enterprise_address(enterprise_id), template),
            event_id=event_id,
            enterprise_id=enterprise_id,
            partner_id=partner_id,
            recipient=None,
            template=template,
            language=None,
            context=facts,
        )

    @property
    def transactional(self) -> bool:
        return self.template in TRANSACTIONAL

    def address(self, *, recipient: str, language: str, context: dict) -> None:
        self.recipient = recipient
        self.language = language
        self.context = context

    def wait_for_recipient(self, *, at: datetime, give_up_after: timedelta) -> None:
        """The recipient is not known yet (its registration event is late): try again later, without
        spending an attempt, until it is clearly never coming."""
        self.attempts = max(self.attempts - 1, 0)
        if self.created_at is not None and at - self.created_at > give_up_after:
            self.status = DeliveryStatus.DEAD
            self.last_error = "the recipient never became known"
            self.next_attempt_at = None
            return
        age = (at - self.created_at).total_seconds() if self.created_at else 0.0
        self.status = DeliveryStatus.QUEUED
        self.last_error = "waiting for the recipient to become known"
        self.next_attempt_at = at + timedelta(seconds=min(60.0, max(1.0, age / 10)))

    def release(self) -> None:
        """Back to the queue untried (the sender ran short of its lease): no attempt spent."""
        self.attempts = max(self.attempts - 1, 0)
        self.status = DeliveryStatus.QUEUED
        self.next_attempt_at = None

    def hold_for_digest(self) -> None:
        self.attempts = max(self.attempts - 1, 0)
        self.status = DeliveryStatus.HELD
        self.next_attempt_at = None

    def await_confirmation(self) -> None:
        """Kept, not sent, until the enterprise confirms its address; then it goes out as it would
        have (the company reads its welcome and what happened since), no attempt spent meanwhile."""
        self.attempts = max(self.attempts - 1, 0)
        self.status = DeliveryStatus.UNCONFIRMED
        self.last_error = "waiting for the enterprise to confirm its email address"
        self.next_attempt_at = None

    def skip(self, reason: str) -> None:
        self.attempts = max(self.attempts - 1, 0)
        self.status = DeliveryStatus.SKIPPED
        self.last_error = reason
        self.next_attempt_at = None

    @property
    def message_id(self) -> str:
        """The same Message-ID on every attempt, so a rare resend after a crash is recognisable as
        one."""
        digest = uuid.uuid5(uuid.NAMESPACE_URL, self.idempotency_key).hex
        return f"<{digest}@unionmatch.local>"

    def mark_sent(self, *, at: datetime) -> None:
        self.status = DeliveryStatus.SENT
        self.sent_at = at
        self.smtp_message_id = self.message_id
        self.last_error = None

    def mark_failed(
        self, *, at: datetime, reason: str, permanent: bool, policy: RetryPolicy
    ) -> None:
        self.last_error = reason[:1000]
        if permanent or self.attempts >= policy.max_attempts:
            self.status = DeliveryStatus.DEAD
            self.next_attempt_at = None
        else:
            self.status = DeliveryStatus.FAILED
            self.next_attempt_at = at + policy.delay_after(self.attempts)


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int
    base_seconds: float
    cap_seconds: float

    def delay_after(self, attempts: int) -> timedelta:
        """Exponential back-off with full jitter, so many waiting emails do not return at once."""
        ceiling = min(self.cap_seconds, self.base_seconds * 2 ** max(attempts - 1, 0))
        return timedelta(seconds=random.uniform(ceiling / 2, ceiling))


@dataclass(frozen=True)
class DeliveryFilter:
    """A selection of the delivery log (every criterion optional), for reading it and re-sending."""

    status: str | None = None
    template: str | None = None
    enterprise_id: uuid.UUID | None = None
    created_from: datetime | None = None
    created_until: datetime | None = None


def preferred_language(languages: list[str]) -> str:
    for language in languages:
        if language in ("ru", "be", "en"):
            return language
    return "ru"
