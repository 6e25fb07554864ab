"""The notifications service's use cases on the real PostgreSQL (a database of their own, so no
running service claims these rows) and real SMTP servers: the project's sink, and a tiny aiosmtpd
server in the test that refuses one mailbox for good."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from aiosmtpd.smtp import SMTP as SmtpServer
from alembic import command
from sqlalchemy import event, func, select, text
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

from devstack.ports import free_port
from eventkit.contracts import (
    EnterpriseDeleted,
    EnterpriseRegistered,
    MatchApproved,
    MatchResponded,
)
from notifications.__main__ import alembic_config
from notifications.adapters.links import SignedLinks
from notifications.adapters.orm import deliveries, outbox
from notifications.adapters.rendering import TemplateRenderer
from notifications.adapters.smtp import SmtpMailer
from notifications.domain.deliveries import DeliveryFilter, RetryPolicy
from notifications.service_layer import deliveries as delivery_log
from notifications.service_layer import events, housekeeping, preferences
from notifications.service_layer.ports import RenderedEmail, SystemClock
from notifications.service_layer.sending import Sending, send_due
from notifications.service_layer.unit_of_work import OneConnectionAtATime, UnitOfWork
from tests.identifiers import fresh_marker
from tests.integration.smtp_sink import sink_mailer_settings
from tests.lift_story_events import as_received, lift_match_approved

PUBLIC_URL = "http://unionmatch.test"


@pytest.fixture(scope="module")
async def database_url(infra) -> AsyncIterator[str]:
    name = f"notif_{uuid.uuid4().hex[:10]}"
    infra.postgres.create_databases([name])
    url = infra.database_url(name)
    await asyncio.to_thread(command.upgrade, alembic_config(url), "head")
    yield url
    infra.postgres.drop_database(name)


@pytest.fixture(scope="module")
async def session_factory(database_url) -> AsyncIterator[async_sessionmaker]:
    engine = create_async_engine(database_url)
    yield async_sessionmaker(engine, expire_on_commit=False)
    await engine.dispose()


def sending_through(port: int, **changes) -> Sending:
    mailer = SmtpMailer(**sink_mailer_settings(port), connections=changes.get("in_flight", 1))
    values = dict(
        mailer=mailer,
        renderer=TemplateRenderer(),
        links=SignedLinks(public_base_url=PUBLIC_URL, secret="t" * 32),
        policy=RetryPolicy(max_attempts=3, base_seconds=0.01, cap_seconds=0.02),
        lease=timedelta(seconds=30),
        recipient_wait=timedelta(days=7),
    )
    return Sending(**(values | changes))


class SteppedClock(SystemClock):
    """Stands where it was made until a test moves it on: a back-off of milliseconds then never
    runs out between two passes of a loaded machine."""

    def __init__(self) -> None:
        self.moment = datetime.now(UTC)

    def now(self) -> datetime:
        return self.moment


def registered(name: str, *, country="RU", languages=("ru",), email=None) -> EnterpriseRegistered:
    marker = fresh_marker(8)
    return EnterpriseRegistered(
        enterprise_id=uuid.uuid4(),
        name=f"{name} {marker}",
        country=country,
        region="smolensk_oblast" if country == "RU" else "mogilev_oblast",
        city="Смоленск" if country == "RU" else "Могилёв",
        sectors=["elevators"],
        languages=list(languages),
        contact_person="Мария Иванова",
        email=email or f"{marker}@example.{country.lower()}",
        phone="+74812000000",
        status="pending",
        # The owner's own confirmed address, as the registry vouches: no confirmation email, nothing
        # held
        # (tests/e2e/test_enterprise_contact_confirmation.py tells the story of an address to
        # confirm).
        contact_email_confirmed=True,
    )


def approved(offer: EnterpriseRegistered, need: EnterpriseRegistered) -> MatchApproved:
    return lift_match_approved(offer, need)


async def publish(payload, session_factory) -> int:
    envelope, decoded = as_received(payload, key=uuid.uuid4(), producer="test")
    return await events.handle(
        uow=UnitOfWork(session_factory),
        envelope=envelope,
        payload=decoded,
        public_base_url=PUBLIC_URL,
    )


async def send_all(session_factory, sending, *, passes: int = 5) -> None:
    for _ in range(passes):
        if not await send_due(uow=UnitOfWork(session_factory), sending=sending):
            return


async def rows_for(session_factory, enterprise_id) -> list:
    async with session_factory() as session:
        return list(
            await session.execute(
                select(deliveries).where(deliveries.c.enterprise_id == enterprise_id)
            )
        )


def mail_to(infra, address: str) -> list[dict]:
    listing = httpx.get(f"{infra.mail_api_url}/api/v1/messages", params={"limit": 1000}).json()
    return [
        httpx.get(f"{infra.mail_api_url}/api/v1/message/{m['ID']}").json()
        for m in listing["messages"]
        if m["To"][0]["Address"] == address
    ]


async def test_a_suggestion_approved_before_its_recipient_is_known_goes_out_once_it_registers(
    infra, session_factory
):
    sending = sending_through(infra.config.smtp_port)
    lift_maker = registered("ОАО «Могилёвлифтмаш»", country="BY", languages=("be", "ru"))
    housing = registered("МУП «Смоленскжилсервис»")
    match = approved(lift_maker, housing)

    assert await publish(match, session_factory) == 2
    await send_all(session_factory, sending)
    [waiting] = await rows_for(session_factory, housing.enterprise_id)
    assert waiting.status == "queued" and waiting.attempts == 0 and waiting.recipient is None
    assert "waiting for the recipient" in waiting.last_error

    await publish(lift_maker, session_factory)
    await publish(housing, session_factory)
    await send_all(session_factory, sending)

    [suggestion] = [
        m for m in mail_to(infra, housing.email) if "Предложение о партнёрстве" in m["Subject"]
    ]
    assert lift_maker.name in suggestion["Subject"]
    assert "Та же отрасль: лифты" in suggestion["Text"]
    assert f"{PUBLIC_URL}/suggestions/{match.match_id}" in suggestion["Text"]
    [to_lift_maker] = [
        m for m in mail_to(infra, lift_maker.email) if "Прапанова аб партнёрстве" in m["Subject"]
    ]
    assert housing.name in to_lift_maker["Text"]
    statuses = {
        row.template: row.status for row in await rows_for(session_factory, housing.enterprise_id)
    }
    assert statuses == {"suggestion": "sent", "welcome": "sent"}


async def test_the_welcome_email_carries_no_confirmation_link(infra, session_factory):
    # It goes to the address the enterprise gave, which may be anybody's; even when the event names
    # the account that registered it, only the sign-up email to the account's address confirms it.
    housing = registered("МУП «Вяземский водоканал»").model_copy(
        update={"owner_account_id": str(uuid.uuid4())}
    )

    await publish(housing, session_factory)
    await send_all(session_factory, sending_through(infra.config.smtp_port))

    [welcome] = mail_to(infra, housing.email)
    assert f"{PUBLIC_URL}/enterprises/{housing.enterprise_id}" in welcome["Text"]
    assert "/confirm" not in welcome["Text"] and "/confirm" not in welcome["HTML"]


class RefusingHandler:
    """Accepts mail, except for one mailbox it refuses for good, as a real server would."""

    def __init__(self, refused: str) -> None:
        self.refused = refused
        self.received: list[list[str]] = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address == self.refused:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.received.append(list(envelope.rcpt_tos))
        return "250 Message accepted"


@pytest.fixture
async def refusing_server():
    handler = RefusingHandler(refused=f"nobody-{uuid.uuid4().hex[:6]}@example.ru")
    port = free_port()
    server = await asyncio.get_running_loop().create_server(
        lambda: SmtpServer(handler), "127.0.0.1", port
    )
    yield handler, port
    server.close()
    await server.wait_closed()


async def test_an_address_the_server_refuses_is_recorded_dead_at_once_dead_lettered_and_not_retried(
    session_factory, refusing_server
):
    handler, port = refusing_server
    sending = sending_through(port)
    refused = registered("ООО «Нет такого адреса»", email=handler.refused)
    accepted = registered("ООО «Есть такой адрес»")

    await publish(refused, session_factory)
    await publish(accepted, session_factory)
    await send_all(session_factory, sending)
    await send_all(session_factory, sending)

    [dead] = await rows_for(session_factory, refused.enterprise_id)
    assert dead.status == "dead" and dead.attempts == 1
    assert "550" in dead.last_error
    [sent] = await rows_for(session_factory, accepted.enterprise_id)
    assert sent.status == "sent"
    assert handler.received == [[accepted.email]]
    async with session_factory() as session:
        letters = [
            row.envelope
            for row in await session.execute(
                select(outbox).where(outbox.c.topic == "notifications.deliveries.dlq")
            )
        ]
    assert any(str(dead.id) in letter and "550" in letter for letter in letters)


async def test_while_smtp_is_down_emails_back_off_then_die_and_an_admin_can_send_them_again(
    infra, session_factory
):
    nobody_listens = free_port()
    housing = registered("МУП «Рославльжилсервис»")
    await publish(housing, session_factory)

    clock = SteppedClock()
    down = sending_through(nobody_listens, clock=clock)
    await send_all(session_factory, down)
    [failed] = await rows_for(session_factory, housing.enterprise_id)
    assert failed.status == "failed" and failed.next_attempt_at > datetime.now(UTC) - timedelta(
        seconds=1
    )
    assert "SMTP unavailable" in failed.last_error
    for _ in range(3):
        clock.moment += timedelta(seconds=1)  # past the back-off, whatever it drew
        await send_all(session_factory, down)
    [dead] = await rows_for(session_factory, housing.enterprise_id)
    assert dead.status == "dead" and dead.attempts == 3

    requeued = await delivery_log.resend_dead(
        uow=UnitOfWork(session_factory),
        selection=DeliveryFilter(enterprise_id=housing.enterprise_id),
    )
    await send_all(session_factory, sending_through(infra.config.smtp_port))

    assert requeued == 1
    [sent] = await rows_for(session_factory, housing.enterprise_id)
    assert sent.status == "sent"
    assert len(mail_to(infra, housing.email)) == 1


async def test_a_suggestion_left_unanswered_gets_one_reminder_and_an_answered_one_none(
    infra, session_factory
):
    lift_maker, housing = (
        registered("ОАО «Лифтмаш»", country="BY", languages=("en",)),
        registered("МУП «Ярцевожилсервис»"),
    )
    for payload in (lift_maker, housing, match := approved(lift_maker, housing)):
        await publish(payload, session_factory)
    await publish(
        MatchResponded(
            **match.model_dump(exclude={"status", "answered_by_side", "answer"}),
            status="approved",
            answered_by_side="need",
            answer="interested",
        ),
        session_factory,
    )

    first = await housekeeping.remind_unanswered(
        uow=UnitOfWork(session_factory), waited=timedelta(0)
    )
    again = await housekeeping.remind_unanswered(
        uow=UnitOfWork(session_factory), waited=timedelta(0)
    )
    await send_all(session_factory, sending_through(infra.config.smtp_port))

    assert first >= 1 and again == 0
    reminders = [m for m in mail_to(infra, lift_maker.email) if m["Subject"].startswith("Reminder")]
    assert len(reminders) == 1 and housing.name in reminders[0]["Subject"]
    assert not [m for m in mail_to(infra, housing.email) if m["Subject"].startswith("Напоминание")]


async def test_an_enterprise_on_the_daily_digest_gets_its_suggestions_in_one_email(
    infra, session_factory
):
    housing = registered("МУП «Смоленская теплосеть»")
    makers = [registered(f"ОАО «Лифты-{i}»", country="BY") for i in range(3)]
    for payload in (housing, *makers):
        await publish(payload, session_factory)
    await preferences.change(
        uow=UnitOfWork(session_factory),
        enterprise_id=housing.enterprise_id,
        suggestions="daily",
        unsubscribed=False,
    )
    for maker in makers:
        await publish(approved(maker, housing), session_factory)

    await send_all(session_factory, sending_through(infra.config.smtp_port))
    assert not [
        m for m in mail_to(infra, housing.email) if "Предложение о партнёрстве:" in m["Subject"]
    ]
    await housekeeping.bundle_digests(uow=UnitOfWork(session_factory), hour=0)
    await send_all(session_factory, sending_through(infra.config.smtp_port))

    [digest] = [
        m for m in mail_to(infra, housing.email) if "Предложения о партнёрстве за" in m["Subject"]
    ]
    assert "3 новых предложения" in digest["Subject"]
    assert all(maker.name in digest["Text"] for maker in makers)
    statuses = sorted(
        row.status
        for row in await rows_for(session_factory, housing.enterprise_id)
        if row.template == "suggestion"
    )
    assert statuses == ["bundled"] * 3


async def test_a_deleted_enterprise_gets_no_more_suggestions(infra, session_factory):
    lift_maker, housing = registered("ОАО «Лифт-Б»", country="BY"), registered("МУП «Удалённое»")
    for payload in (
        lift_maker,
        housing,
        EnterpriseDeleted(enterprise_id=housing.enterprise_id),
        approved(lift_maker, housing),
    ):
        await publish(payload, session_factory)

    await send_all(session_factory, sending_through(infra.config.smtp_port))

    [suggestion] = [
        row
        for row in await rows_for(session_factory, housing.enterprise_id)
        if row.template == "suggestion"
    ]
    assert suggestion.status == "skipped" and suggestion.recipient is None


async def test_an_operator_requeues_dead_emails_of_one_kind_from_the_command_line(
    infra, session_factory, database_url
):
    housing = registered("МУП «Дорогобужжилсервис»")
    await publish(housing, session_factory)
    dying = sending_through(
        free_port(), policy=RetryPolicy(max_attempts=1, base_seconds=0.01, cap_seconds=0.01)
    )
    await send_all(session_factory, dying)
    [dead] = await rows_for(session_factory, housing.enterprise_id)
    assert dead.status == "dead"

    env = {
        **os.environ,
        "NOTIFICATIONS_DATABASE_URL": database_url,
        "NOTIFICATIONS_INTERNAL_TOKEN_SECRET": "t" * 32,
    }
    command_line = [
        sys.executable,
        "-m",
        "notifications",
        "resend-dead",
        "--template",
        "welcome",
        "--enterprise-id",
        str(housing.enterprise_id),
    ]
    result = await asyncio.to_thread(
        subprocess.run, command_line, env=env, capture_output=True, text=True, timeout=60
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "1 dead emails queued again"
    [queued] = await rows_for(session_factory, housing.enterprise_id)
    assert queued.status == "queued" and queued.attempts == 0


async def test_when_the_server_is_unreachable_the_rest_of_the_batch_waits_its_back_off_untried(
    session_factory,
):
    housing = [registered(f"МУП «Жилсервис-{i}»") for i in range(3)]
    for payload in housing:
        await publish(payload, session_factory)

    await send_all(session_factory, sending_through(free_port()), passes=1)

    rows = [row for h in housing for row in await rows_for(session_factory, h.enterprise_id)]
    assert [row.status for row in rows] == ["failed"] * 3
    assert sum("not tried" in row.last_error for row in rows) >= 2
    assert all(row.next_attempt_at is not None for row in rows)


async def test_a_sender_short_of_its_lease_puts_the_rest_of_its_batch_back_untried(
    infra, session_factory
):
    housing = [registered(f"МУП «Теплосеть-{i}»") for i in range(3)]
    for payload in housing:
        await publish(payload, session_factory)

    await send_all(
        session_factory, sending_through(infra.config.smtp_port, lease=timedelta(0)), passes=1
    )

    rows = [row for h in housing for row in await rows_for(session_factory, h.enterprise_id)]
    assert {(row.status, row.attempts) for row in rows} == {("queued", 0)}


async def test_a_batch_goes_out_over_several_connections_each_email_once(infra, session_factory):
    housing = [registered(f"МУП «Гагаринжилсервис-{i}»") for i in range(12)]
    for payload in housing:
        await publish(payload, session_factory)

    await send_all(session_factory, sending_through(infra.config.smtp_port, in_flight=4))

    rows = [row for h in housing for row in await rows_for(session_factory, h.enterprise_id)]
    assert [row.status for row in rows] == ["sent"] * len(housing)
    assert all(len(mail_to(infra, h.email)) == 1 for h in housing)


async def test_an_email_staged_but_never_delivered_never_reaches_the_inbox(infra):
    mailer = SmtpMailer(**sink_mailer_settings(infra.config.smtp_port), connections=2)
    email = RenderedEmail(subject="Проверка", text="Текст", html="<p>Текст</p>")
    dropped, kept = (f"{uuid.uuid4().hex[:10]}@example.ru" for _ in range(2))
    try:
        with pytest.raises(ConnectionResetError):
            async with mailer.staged(recipient=dropped, message_id=f"<{dropped}>", email=email):
                raise ConnectionResetError("the sender dies before the final dot")
        await mailer.send(recipient=kept, message_id=f"<{kept}>", email=email)
    finally:
        await mailer.close()

    assert len(mail_to(infra, kept)) == 1
    assert mail_to(infra, dropped) == []


async def backend_of(connection: OneConnectionAtATime) -> int:
    async with connection.unit_of_work() as uow, uow:
        return await uow.session.scalar(text("SELECT pg_backend_pid()"))


async def test_the_consumer_records_events_in_a_row_on_one_connection_each_committed(
    session_factory,
) -> None:
    """Rather than the pool checking a connection for every event; each event still commits."""
    connection = OneConnectionAtATime(session_factory, kept_for=60)
    received = [
        as_received(approved(registered("Лифтмаш"), registered("Жилсервис")), key=uuid.uuid4())
        for _ in range(3)
    ]
    try:
        first = await backend_of(connection)
        for envelope, payload in received:
            async with connection.unit_of_work() as uow:
                queued = await events.handle(
                    uow=uow, envelope=envelope, payload=payload, public_base_url=PUBLIC_URL
                )
            assert queued == 2  # one suggestion to each side
        assert await backend_of(connection) == first
    finally:
        await connection.close()
    async with session_factory() as session:
        event_ids = [envelope.event_id for envelope, _ in received]
        recorded = select(func.count()).where(deliveries.c.event_id.in_(event_ids))
        assert await session.scalar(recorded) == 6


async def test_the_consumers_connection_is_given_back_after_a_failure_or_its_time(
    session_factory,
) -> None:
    """So a connection the database dropped serves no further event."""
    checkouts = []
    engine = session_factory.kw["bind"].sync_engine
    listener = lambda *_: checkouts.append(1)  # noqa: E731
    event.listen(engine, "checkout", listener)
    connection = OneConnectionAtATime(session_factory, kept_for=0.5)
    try:
        await backend_of(connection)
        await backend_of(connection)
        assert len(checkouts) == 1
        with pytest.raises(RuntimeError):
            async with connection.unit_of_work():
                raise RuntimeError("the event's handler failed")
        assert session_factory.kw["bind"].pool.checkedout() == 0
        await backend_of(connection)
        assert len(checkouts) == 2
        await asyncio.sleep(0.6)
        await backend_of(connection)
        assert len(checkouts) == 3
    finally:
        await connection.close()
        event.remove(engine, "checkout", listener)
