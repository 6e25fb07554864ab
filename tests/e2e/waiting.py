"""Waiting, with a bound, for what the platform does behind a request: a read model catching up,
an email reaching the SMTP sink."""

from __future__ import annotations

import time


def wait_until(fetch, ready, *, timeout: float = 30.0):
    """Fetches until `ready(value)` or the timeout; returns the last value either way, so the
    test's own assertion says what was wrong."""
    deadline = time.monotonic() + timeout
    value = fetch()
    while not ready(value) and time.monotonic() < deadline:
        time.sleep(0.2)
        value = fetch()
    return value


def exactly_one_email(mailbox, address: str, subject_part: str) -> dict:
    """The one email to the address whose subject holds the words, read whole; a second one,
    which would arrive right behind the first, fails the test."""
    wait_until(
        lambda: [m for m in mailbox.messages_to(address) if subject_part in m["Subject"]], bool
    )
    time.sleep(1.5)
    found = [m for m in mailbox.messages_to(address) if subject_part in m["Subject"]]
    assert len(found) == 1, [m["Subject"] for m in mailbox.messages_to(address)]
    return mailbox.message(found[0]["ID"])
