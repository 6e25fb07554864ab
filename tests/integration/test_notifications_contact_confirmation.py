"""The notifications use cases on the real PostgreSQL and the SMTP sink: an enterprise's address
that nobody has confirmed gets the confirmation email and nothing else; what was meant for it is
kept and goes out once it is confirmed; an address its producer vouches for (the owner's confirmed
account address) is mailed at once; a deleted enterprise's kept emails are skipped, not sent."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime

import pytest

from eventkit.contracts import EnterpriseDeleted, EnterpriseUpdated, EnterpriseVerified
from notifications.adapters.smtp import SmtpMailer
from notifications.service_layer import confirmations
from notifications.service_layer.sending import send_due
from notifications.service_layer.unit_of_work import UnitOfWork
from tests.integration.smtp_sink import sink_mailer_settings
from tests.integration.test_notifications_sending import (  # noqa: F401  (module fixtures)
    database_url,
    mail_to,
    publish,
    registered,
    rows_for,
    send_all,
    sending_through,
    session_factory,
)


@pytest.fixture
def sending(infra):
    return sending_through(infra.config.smtp_port)


async def publish_and_send(session_factory, sending, *events) -> None:
    """Hands the events to notifications as its consumer would, then sends what is due."""
    for event in events:
        await publish(event, session_factory)
    await send_all(session_factory, sending)


def unvouched(name: str):
    return registered(name).model_copy(update={"contact_email_confirmed": False})


async def _statuses(session_factory, enterprise_id) -> dict[str, str]:
    return {row.template: row.status for row in await rows_for(session_factory, enterprise_id)}


async def test_an_unconfirmed_address_gets_only_the_confirmation_until_it_is_confirmed(
    infra, session_factory, sending
):
    housing = unvouched("МУП «Гагаринжилсервис»")

    await publish_and_send(session_factory, sending, housing)

    assert await _statuses(session_factory, housing.enterprise_id) == {
        "contact_confirmation": "sent",
        "welcome": "unconfirmed",
    }
    [confirmation] = mail_to(infra, housing.email)
    assert (
        "/confirm-contact?token=" in confirmation["Text"]
        and housing.name in confirmation["Subject"]
    )

    assert await confirmations.confirm_contact(
        uow=UnitOfWork(session_factory),
        enterprise_id=housing.enterprise_id,
        email=housing.email.upper(),
    )
    await send_all(session_factory, sending)

    assert await _statuses(session_factory, housing.enterprise_id) == {
        "contact_confirmation": "sent",
        "welcome": "sent",
    }
    assert sorted("Добро пожаловать" in m["Subject"] for m in mail_to(infra, housing.email)) == [
        False,
        True,
    ]


async def test_an_address_vouched_for_by_the_registry_is_mailed_without_a_confirmation(
    infra, session_factory, sending
):
    housing = registered("МУП «Сафоновожилсервис»")  # contact_email_confirmed=True

    await publish_and_send(session_factory, sending, housing)

    assert await _statuses(session_factory, housing.enterprise_id) == {"welcome": "sent"}


async def test_a_new_address_is_confirmed_anew_and_the_old_link_confirms_nothing(
    infra, session_factory, sending
):
    housing = registered("МУП «Починокжилсервис»")
    moved = EnterpriseUpdated(
        **(
            housing.model_dump()
            | {"email": f"new-{housing.email}", "contact_email_confirmed": False}
        )
    )

    await publish_and_send(session_factory, sending, housing, moved)

    assert [
        m["Subject"] for m in mail_to(infra, moved.email)
    ] and "/confirm-contact?token=" in mail_to(infra, moved.email)[0]["Text"]
    assert not await confirmations.confirm_contact(
        uow=UnitOfWork(session_factory), enterprise_id=housing.enterprise_id, email=housing.email
    )
    assert (
        await confirmations.get_address_confirmed(
            uow=UnitOfWork(session_factory), enterprise_id=housing.enterprise_id
        )
        is False
    )


async def test_the_emails_kept_for_a_deleted_enterprise_are_skipped_not_sent(
    infra, session_factory, sending
):
    housing = unvouched("МУП «Удалённый водоканал»")
    await publish_and_send(session_factory, sending, housing)

    await publish_and_send(
        session_factory, sending, EnterpriseDeleted(enterprise_id=housing.enterprise_id)
    )

    assert (await _statuses(session_factory, housing.enterprise_id))["welcome"] == "skipped"
    assert not await confirmations.confirm_contact(
        uow=UnitOfWork(session_factory), enterprise_id=housing.enterprise_id, email=housing.email
    )


class ConfirmedWhileSending(SmtpMailer):
    """The real mailer; while it sends the batch's first email, the person behind `enterprise_id`
    follows their confirmation link (as fast as anyone could)."""

    def __init__(self, port: int, *, session_factory, enterprise_id, email: str) -> None:
        super().__init__(**sink_mailer_settings(port))
        self._confirm = (session_factory, enterprise_id, email)

    @contextlib.asynccontextmanager
    async def staged(self, **message):
        async with super().staged(**message) as staged:
            yield staged
        if self._confirm:
            session_factory, enterprise_id, email = self._confirm
            self._confirm = None
            assert await confirmations.confirm_contact(
                uow=UnitOfWork(session_factory), enterprise_id=enterprise_id, email=email
            )


async def test_an_email_the_sender_was_deciding_on_while_its_address_was_confirmed_is_sent_not_kept(
    infra, session_factory
):
    housing, other = unvouched("МУП «Ярцевожилсервис»"), registered("МУП «Вязьмажилсервис»")
    await publish(housing, session_factory)
    await send_all(
        session_factory, sending_through(infra.config.smtp_port)
    )  # the confirmation goes, the welcome is kept
    await publish(other, session_factory)  # the batch's first email, another enterprise's welcome
    await publish(
        EnterpriseVerified(
            enterprise_id=housing.enterprise_id,
            name=housing.name,
            email=housing.email,
            languages=housing.languages,
            verified_by="reviewer-1",
            verified_at=datetime.now(UTC),
        ),
        session_factory,
    )  # read as unconfirmed with the batch, confirmed before it is decided on
    racing = sending_through(
        infra.config.smtp_port,
        mailer=ConfirmedWhileSending(
            infra.config.smtp_port,
            session_factory=session_factory,
            enterprise_id=housing.enterprise_id,
            email=housing.email,
        ),
    )

    await send_due(uow=UnitOfWork(session_factory), sending=racing)
    await send_all(session_factory, sending_through(infra.config.smtp_port))

    assert await _statuses(session_factory, housing.enterprise_id) == {
        "contact_confirmation": "sent",
        "welcome": "sent",
        "verified": "sent",
    }
