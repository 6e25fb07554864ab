"""Fakes of the notifications service's ports for the unit tests of its use cases: a unit of work
whose repositories each test supplies, a clock that moves only when told, and a mailer."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

from notifications.service_layer.ports import RenderedEmail, SendFailed

START = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)


class FakeUnitOfWork:
    """Counts its commits; the repositories are the attributes a test gives it."""

    def __init__(self, **repositories) -> None:
        self.__dict__.update(repositories)
        self.commits = 0

    async def __aenter__(self) -> FakeUnitOfWork:
        return self

    async def __aexit__(self, *exc_info) -> None:
        pass

    async def commit(self) -> None:
        self.commits += 1

    @contextlib.asynccontextmanager
    async def sibling(self) -> AsyncIterator[FakeUnitOfWork]:
        """The same fake: its repositories are plain dictionaries, safe to share between tasks."""
        yield self


class FakeClock:
    """Stands still unless a test (or a slow mailer) moves it."""

    def __init__(self) -> None:
        self.moment = START
        self.seconds = 0.0

    def now(self) -> datetime:
        return self.moment

    def monotonic(self) -> float:
        return self.seconds

    def advance(self, by: timedelta) -> None:
        self.moment += by
        self.seconds += by.total_seconds()


class FakeMailer:
    """Records what it was asked to send; raises the failures a test lines up, in order; a slow
    one moves the clock by `takes` for each message."""

    def __init__(self, *failures: SendFailed, clock: FakeClock | None = None, takes=timedelta()):
        self.sent: list[tuple[str, str, RenderedEmail]] = []
        self.tried: list[str] = []
        self._failures = list(failures)
        self._clock, self._takes = clock, takes

    @contextlib.asynccontextmanager
    async def staged(
        self, *, recipient: str, message_id: str, email: RenderedEmail
    ) -> AsyncIterator[_FakeStaged]:
        self.tried.append(message_id)
        if self._clock is not None:
            self._clock.advance(self._takes)
        if self._failures:
            raise self._failures.pop(0)
        yield _FakeStaged(self.sent, (recipient, message_id, email))


class _FakeStaged:
    def __init__(self, sent: list, message: tuple[str, str, RenderedEmail]) -> None:
        self._sent, self._message = sent, message

    async def deliver(self) -> str:
        self._sent.append(self._message)
        return "250 2.0.0 queued"
