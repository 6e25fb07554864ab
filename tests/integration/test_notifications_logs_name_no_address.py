"""A mail server that refuses a mailbox quotes it in its answer; the sender's log line names the
delivery, never the address, nor the link the email carried."""

from __future__ import annotations

import asyncio
import uuid

import pytest
import structlog
from aiosmtpd.smtp import SMTP as SmtpServer

from devstack.ports import free_port
from notifications.service_layer import account_emails
from notifications.service_layer.sending import send_due
from notifications.service_layer.unit_of_work import UnitOfWork
from tests.integration.test_notifications_sending import (  # noqa: F401 (fixtures)
    database_url,
    sending_through,
    session_factory,
)


class QuotingRefusal:
    """Refuses every mailbox, quoting it, as many servers do."""

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        return f"550 5.1.1 <{address}>: Recipient address rejected: User unknown"


@pytest.fixture
async def quoting_server():
    port = free_port()
    server = await asyncio.get_running_loop().create_server(
        lambda: SmtpServer(QuotingRefusal()), "127.0.0.1", port
    )
    yield port
    server.close()
    await server.wait_closed()


async def test_a_refused_mailbox_is_not_written_to_the_log(session_factory, quoting_server):  # noqa: F811
    address = f"Refused-{uuid.uuid4().hex[:8]}@example.ru"
    token = uuid.uuid4().hex
    await account_emails.email_account(
        uow=UnitOfWork(session_factory),
        template="password_reset",
        request_id=uuid.uuid4(),
        email=address,
        link=f"http://web.test/reset-password?token={token}",
        language="ru",
    )

    with structlog.testing.capture_logs() as logged:
        sent = await send_due(
            uow=UnitOfWork(session_factory), sending=sending_through(quoting_server), batch=500
        )

    refused = [event for event in logged if event["event"] == "delivery_failed"]
    assert [d.status for d in sent if d.recipient == address] == ["dead"]
    assert refused and all("<recipient>" in event["reason"] for event in refused)
    assert address.lower() not in str(logged).lower() and token not in str(logged)
