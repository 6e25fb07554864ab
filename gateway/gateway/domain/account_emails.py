"""Account emails on their way to the notifications service: each is decided by a use case, kept
in the gateway's own table in the same transaction as the account change it tells of, and handed
over until the notifications service takes it (which it does once per id, however often asked)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum


@dataclass(frozen=True)
class PendingEmail:
    """One email request as the notifications service takes it: `body` is its JSON, `id` the
    idempotency key in it (request_id, invitation_id), `caller_*` who the internal token names.
    The body holds a signed link, a secret: the row is deleted once the email is taken."""

    id: str
    path: str
    body: dict
    caller_account_id: str
    caller_role: str
    attempts: int = 0


class HandOver(StrEnum):
    """What became of one attempt to hand an email over."""

    ACCEPTED = "accepted"  # the notifications service took it: done
    REFUSED = "refused"  # a 4xx: it will be refused however often it is sent again
    UNAVAILABLE = "unavailable"  # unreachable, failing or busy: try again later


@dataclass(frozen=True)
class RetryDelays:
    """After the n-th failed attempt the email waits `first` doubled n-1 times, never more than
    `longest`: a notifications service back after a minute gets its emails within seconds, and
    one down for an hour is asked once a minute."""

    first: timedelta = timedelta(seconds=1)
    longest: timedelta = timedelta(seconds=60)

    def after(self, attempts: int) -> timedelta:
        doublings = max(0, attempts - 1)
        if doublings >= 32:  # far past any cap; keeps the multiplication small
            return self.longest
        return min(self.first * 2**doublings, self.longest)


def hand_over_outcome(status_code: int) -> HandOver:
    """The outcome of an answer: 2xx taken; a refusal that may pass later (408 timeout, 429 busy)
    and any 5xx wait for another attempt; anything else (another 4xx) is final."""
    if 200 <= status_code < 300:
        return HandOver.ACCEPTED
    if status_code in (408, 429) or status_code >= 500:
        return HandOver.UNAVAILABLE
    return HandOver.REFUSED
