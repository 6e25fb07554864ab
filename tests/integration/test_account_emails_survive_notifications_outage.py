"""An account email is never lost to a notifications service that is down: the sign-up keeps it in
the gateway's own database (a scratch one, so the test platform's gateway takes none of these
rows), a sender that cannot reach the service leaves it waiting its back-off, and a sender that
reaches the real service hands it over; the real SMTP sink then holds it exactly once, and the row
is gone. A request the service refuses (a 4xx) is dropped, not sent again; two senders never take
one email at once; migration 0005 goes up and down."""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
import structlog
from alembic import command
from sqlalchemy import select

from devstack.ports import free_port
from gateway.__main__ import alembic_config
from gateway.adapters.account_emails import CONFIRMATION_PATH, AccountEmails, NotificationsDoor
from gateway.adapters.orm import pending_emails
from gateway.adapters.tokens import RESET_PASSWORD_PURPOSE, ConfirmationLinks, PasswordLinks
from gateway.adapters.upstream import Upstream
from gateway.domain.account_emails import HandOver, PendingEmail, RetryDelays
from gateway.domain.accounts import Account, Role
from gateway.domain.circuit_breaker import CircuitBreaker
from gateway.service_layer import accounts
from gateway.service_layer.email_outbox import EmailSending, send_due
from gateway.service_layer.unit_of_work import UnitOfWork
from tests.integration.scratch_sql import migrated_sessions, table_names

PASSWORD = "a long passphrase"
WEB = "http://web.test"
LEASE = timedelta(seconds=30)


@pytest.fixture
async def sessions(scratch_database):
    async with migrated_sessions(scratch_database, alembic_config(scratch_database)) as sessions:
        yield sessions


@pytest.fixture
def confirmation_links(infra) -> ConfirmationLinks:
    return ConfirmationLinks(secret=infra.config.internal_token_secret)


@pytest.fixture
def account_emails(confirmation_links) -> AccountEmails:
    return AccountEmails(
        confirmation_links=confirmation_links,
        reset_links=PasswordLinks(
            secret="j" * 40, ttl_seconds=3600, purpose=RESET_PASSWORD_PURPOSE
        ),
        web_base_url=WEB,
    )


@pytest.fixture
async def sender_to(infra):
    """A sender whose notifications service answers at `url`, as the gateway builds it."""
    upstreams: list[Upstream] = []

    def sending(url: str) -> EmailSending:
        upstream = Upstream(
            name="notifications",
            base_url=url,
            secret=infra.config.internal_token_secret,
            token_ttl=60,
            timeout=5.0,
            breaker=CircuitBreaker(5, 5.0),
        )
        upstreams.append(upstream)
        return EmailSending(
            door=NotificationsDoor(upstream),
            retry=RetryDelays(first=timedelta(seconds=1), longest=timedelta(seconds=4)),
            lease=LEASE,
        )

    yield sending
    for upstream in upstreams:
        await upstream.close()


async def _rows(sessions, address: str) -> list:
    async with sessions() as session:
        query = select(pending_emails).where(pending_emails.c.body["email"].astext == address)
        return (await session.execute(query)).all()


async def _messages_to(mail_api_url: str, address: str) -> list[dict]:
    async with httpx.AsyncClient(base_url=mail_api_url, timeout=5) as sink:
        listing = (await sink.get("/api/v1/messages", params={"limit": 1000})).json()
        found = [m for m in listing["messages"] if any(t["Address"] == address for t in m["To"])]
        return [(await sink.get(f"/api/v1/message/{m['ID']}")).json() for m in found]


async def _until(check, *, timeout: float, every: float = 0.2):
    """Calls `check` until it returns something truthy (returned), for at most `timeout` s."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if found := await check():
            return found
        await asyncio.sleep(every)
    raise AssertionError(f"not within {timeout:.0f}s")


async def test_a_sign_up_while_notifications_is_unreachable_gets_its_link_once_it_is_back(
    platform, sessions, passwords, account_emails, confirmation_links, sender_to
):
    address = f"outage-{uuid.uuid4().hex[:10]}@example.ru"
    registration = await accounts.register_company(
        uow=UnitOfWork(sessions),
        passwords=passwords,
        emails=account_emails,
        email=address,
        password=PASSWORD,
        language="en",
    )
    # Nothing listens on this port: the gateway's real HTTP client fails to connect.
    unreachable = sender_to(f"http://127.0.0.1:{free_port()}")

    tried = await send_due(uow=UnitOfWork(sessions), sending=unreachable)

    assert registration.opened and tried == [HandOver.UNAVAILABLE]
    [waiting] = await _rows(sessions, address)
    assert (waiting.path, waiting.attempts) == (CONFIRMATION_PATH, 1)
    assert waiting.next_attempt_at > datetime.now(UTC)  # its back-off, not at once again
    assert await send_due(uow=UnitOfWork(sessions), sending=unreachable) == []

    reachable = sender_to(platform.service_url("notifications"))

    async def handed_over() -> list[HandOver]:
        return await send_due(uow=UnitOfWork(sessions), sending=reachable)

    assert await _until(handed_over, timeout=30) == [HandOver.ACCEPTED]
    assert await _rows(sessions, address) == []
    [message] = await _until(lambda: _messages_to(platform.mail_api_url, address), timeout=60)
    token = parse_qs(urlsplit(_link_in(message["Text"])).query)["token"][0]
    assert confirmation_links.read_address(token).account_id == registration.account.id

    # A sender that died between its hand-over and the row's deletion sends it again: the
    # notifications service knows the id, and the sink still holds one email.
    again = PendingEmail(
        id=str(waiting.id),
        path=waiting.path,
        body=waiting.body,
        caller_account_id=waiting.caller_account_id,
        caller_role=waiting.caller_role,
    )
    assert await reachable.door.hand_over(again) is HandOver.ACCEPTED
    await asyncio.sleep(2)  # the notifications sender's poll is well under this
    assert len(await _messages_to(platform.mail_api_url, address)) == 1


def _link_in(text: str) -> str:
    return next(word for word in text.split() if word.startswith(f"{WEB}/confirm?token="))


async def test_an_email_the_notifications_service_refuses_is_dropped_and_its_link_not_logged(
    platform, sessions, sender_to
):
    address = f"refused-{uuid.uuid4().hex[:10]}@example.ru"
    request_id = str(uuid.uuid4())
    secret_link = f"{WEB}/confirm?token={uuid.uuid4().hex}"
    refused = PendingEmail(  # the service takes no German
        id=request_id,
        path=CONFIRMATION_PATH,
        body={"request_id": request_id, "email": address, "link": secret_link, "language": "de"},
        caller_account_id=str(uuid.uuid4()),
        caller_role="gateway",
    )
    async with UnitOfWork(sessions) as uow:
        await uow.emails.add(refused)
        await uow.commit()

    with structlog.testing.capture_logs() as logged:
        outcomes = await send_due(
            uow=UnitOfWork(sessions), sending=sender_to(platform.service_url("notifications"))
        )

    assert outcomes == [HandOver.REFUSED]
    assert await _rows(sessions, address) == []
    dropped = [e for e in logged if e["event"] == "email_dropped"]
    assert [(e["log_level"], e["email_id"]) for e in dropped] == [("warning", request_id)]
    assert secret_link not in str(logged) and address not in str(logged)


async def test_two_senders_never_take_one_email_at_once_and_an_abandoned_one_comes_due_again(
    sessions, account_emails
):
    ids = set()
    async with UnitOfWork(sessions) as uow:
        for index in range(5):
            account = Account.open(
                email=f"two-{index}@example.ru",
                role=Role.COMPANY,
                password_hash="h",
                at=datetime.now(UTC),
            )
            email = account_emails.confirmation(account, language="ru")
            ids.add(email.id)
            await uow.emails.add(email)
        await uow.commit()
    now = datetime.now(UTC)

    async with UnitOfWork(sessions) as first, UnitOfWork(sessions) as second:
        taken_first = await first.emails.claim_due(now=now, lease=LEASE, limit=3)
        taken_second = await second.emails.claim_due(now=now, lease=LEASE, limit=10)
        await first.commit()
        await second.commit()
    async with UnitOfWork(sessions) as third:
        while_leased = await third.emails.claim_due(now=now, lease=LEASE, limit=10)
        after_lease = await third.emails.claim_due(now=now + LEASE, lease=LEASE, limit=10)

    assert len(taken_first) == 3 and len(taken_second) == 2
    assert {e.id for e in taken_first} | {e.id for e in taken_second} == ids
    assert while_leased == []
    assert {e.id for e in after_lease} == ids and {e.attempts for e in after_lease} == {2}


def test_migration_0005_adds_the_pending_emails_and_goes_back_down(scratch_database):
    config = alembic_config(scratch_database)
    command.upgrade(config, "head")
    assert "pending_emails" in table_names(scratch_database)

    command.downgrade(config, "0004")

    assert "pending_emails" not in table_names(scratch_database)
    command.upgrade(config, "head")
