"""Emails as deliveries: one email to one recipient for one reason, sent once.

queued -> sending -> sent
                  -> failed (transient; retried after a back-off) -> ... -> dead
                  -> dead (permanent: the address or the server refused it for good)
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


def idempotency_key(event_id: uuid.UUID, recipient: str, template: str) -> str:
    return f"{event_id}:{recipient.lower()}:{template}"


@dataclass
class Delivery:
    id: uuid.UUID
    idempotency_key: str
    event_id: uuid.UUID
    enterprise_id: uuid.UUID | None
    recipient: str
    template: str
    language: str
    context: dict
    status: DeliveryStatus = DeliveryStatus.QUEUED
    attempts: int = 0
    next_attempt_at: datetime | None = None
    smtp_message_id: str | None = None
    last_error: str | None = None
    created_at: datetime | None = None
    sent_at: datetime | None = None
    history: list = field(default_factory=list)

    @classmethod
    def plan(cls, *, event_id: uuid.UUID, enterprise_id: uuid.UUID | None, recipient: str, template: str, language: str, context: dict) -> Delivery:
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

    @property
    def message_id(self) -> str:
        """The same Message-ID on every attempt, so a rare resend after a crash is recognisable as one."""
        digest = uuid.uuid5(uuid.NAMESPACE_URL, self.idempotency_key).hex
        return f"<{digest}@unionmatch.local>"

    def mark_sent(self, *, at: datetime) -> None:
        self.status = DeliveryStatus.SENT
        self.sent_at = at
        self.smtp_message_id = self.message_id
        self.last_error = None

    def mark_failed(self, *, at: datetime, reason: str, permanent: bool, policy: RetryPolicy) -> None:
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


def preferred_language(languages: list[str]) -> str:
    for language in languages:
        if language in ("ru", "be", "en"):
            return language
    return "ru"
