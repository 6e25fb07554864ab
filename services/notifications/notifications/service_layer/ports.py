"""What the use cases need from the outside world, as ports: the adapters implement them (SMTP in
adapters/smtp.py, Jinja2 in adapters/rendering.py), and the unit tests put fakes in their place."""

from __future__ import annotations

import time
import uuid
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    text: str
    html: str
    # Bulk mail's one-click unsubscribe address (RFC 8058), for the List-Unsubscribe header.
    list_unsubscribe: str | None = None


class SendFailed(Exception):
    def __init__(self, reason: str, *, permanent: bool, server_unavailable: bool = False) -> None:
        super().__init__(reason)
        self.permanent = permanent
        # The server, not this message, is the problem: the next message would fail the same way.
        self.server_unavailable = server_unavailable


class StagedEmail(Protocol):
    async def deliver(self) -> str:
        """The one step that makes the message the server's: returns the server's acceptance
        reply; raises SendFailed."""
        ...


class Mailer(Protocol):
    def staged(
        self, *, recipient: str, message_id: str, email: RenderedEmail
    ) -> AbstractAsyncContextManager[StagedEmail]:
        """Hands the server everything of one email but the step that makes it accept it, so that
        several emails can be on their way while the caller lets one at a time be accepted. An
        email not delivered inside the block is dropped. Raises SendFailed (permanent for a refusal
        for good, server_unavailable when the next message would fail the same way)."""
        ...


class Renderer(Protocol):
    def render(self, template: str, language: str, context: dict) -> RenderedEmail: ...


class InvalidLinkToken(Exception):
    """A link's token that is forged, expired, meant for another purpose or missing a claim."""


class LinkTokens(Protocol):
    """Reads the signed tokens of the links that act without signing in; raises InvalidLinkToken."""

    def unsubscribing_enterprise(self, token: str) -> uuid.UUID: ...

    def confirming_contact(self, token: str) -> tuple[uuid.UUID, str]: ...


class Clock(Protocol):
    def now(self) -> datetime: ...

    def monotonic(self) -> float:
        """Seconds that only go forward, for measuring how long a pass has taken."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)

    def monotonic(self) -> float:
        return time.monotonic()
