"""The sender of the account emails the gateway keeps (service_layer/email_outbox.py), a worker of
the serving process: it looks for due emails every poll interval, and at once when a transaction
that kept one commits on this instance. Several gateway instances each run one; a row is taken
by one of them at a time."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import timedelta

import structlog

from gateway.domain.account_emails import RetryDelays
from gateway.service_layer.email_outbox import EmailSending, send_due
from gateway.service_layer.unit_of_work import UnitOfWork
from servicekit.problems import database_unavailable
from servicekit.runner import Workers

log = structlog.get_logger(__name__)


def email_sending_of(container) -> EmailSending:
    settings = container.settings
    return EmailSending(
        door=container.email_door,
        retry=RetryDelays(
            first=timedelta(seconds=settings.account_email_retry_first_seconds),
            longest=timedelta(seconds=settings.account_email_retry_longest_seconds),
        ),
        # A batch is handed over at once: a pass lasts about one upstream timeout at most.
        lease=timedelta(seconds=settings.upstream_timeout_seconds * 2 + 30),
        batch=settings.account_email_batch_size,
    )


async def run_email_sender(container, stop: asyncio.Event) -> None:
    sending = email_sending_of(container)
    queued = container.emails_queued
    poll = container.settings.account_email_poll_seconds
    while not stop.is_set():
        queued.clear()  # a commit from here on wakes the wait below
        try:
            handled = await send_due(uow=UnitOfWork(container.session_factory), sending=sending)
        except Exception as error:
            if not database_unavailable(error):
                raise  # a fault of the code: keep_running logs it and starts the loop again
            log.warning("account_emails_wait_for_the_database", error=str(error))
            handled = []
        if not handled:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(queued.wait(), poll)


def start_email_sender(container, workers: Workers) -> None:
    """The sender as a worker of the serving process, restarted after a failure until the gateway
    stops."""
    workers.keep_running("account-emails", lambda: run_email_sender(container, workers.stop))
