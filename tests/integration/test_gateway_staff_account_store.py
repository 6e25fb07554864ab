"""The agency's accounts on the gateway's real PostgreSQL database: an admin opens a named account
without a password, the person sets one through the link (once, even under a race), a disabled
account can neither sign in nor refresh, the list pages newest first, and migration 0002 goes up
and down. The invitation emails are composed as the gateway does, and their links kept for the
stories to follow (tests/integration/test_account_emails_survive_notifications_outage.py follows
them to the notifications service)."""

from __future__ import annotations

import uuid
from urllib.parse import parse_qs, urlsplit

import pytest
from alembic import command
from sqlalchemy.ext.asyncio import async_sessionmaker

from gateway.__main__ import alembic_config
from gateway.adapters.invitations import Invitations
from gateway.adapters.tokens import PasswordLinks
from gateway.domain.account_emails import PendingEmail
from gateway.domain.accounts import Account, Role
from gateway.domain.errors import (
    AccountConflict,
    AccountDisabled,
    EmailTaken,
    InvalidCredentials,
    InvalidInput,
    InvalidToken,
    UnknownAccount,
    WeakPassword,
)
from gateway.service_layer import accounts
from gateway.service_layer.unit_of_work import UnitOfWork
from tests.integration.gateway_accounts import PASSWORD, racing, refresh, set_password, sign_in
from tests.integration.scratch_sql import column_names, run_sql

ADMIN_ID = str(uuid.uuid4())


class KeptLinks:
    """The gateway's invitations, keeping the link of each email composed."""

    def __init__(self, links: PasswordLinks) -> None:
        self._invitations = Invitations(links=links, web_base_url="http://console.example.ru/")
        self.sent: list[tuple[str, str]] = []  # (email, token)

    def invitation(self, account: Account, *, sent_by: str) -> PendingEmail:
        email = self._invitations.invitation(account, sent_by=sent_by)
        link = email.body["link"]
        assert link.startswith("http://console.example.ru/set-password?token=")
        self.sent.append((account.email, parse_qs(urlsplit(link).query)["token"][0]))
        return email

    def last_token_to(self, email: str) -> str:
        return [token for to, token in self.sent if to == email][-1]


@pytest.fixture
def sessions(gateway_engine):
    return async_sessionmaker(gateway_engine, expire_on_commit=False)


@pytest.fixture
def uow(sessions) -> UnitOfWork:
    return UnitOfWork(sessions)


@pytest.fixture(scope="module")
def password_links() -> PasswordLinks:
    return PasswordLinks(secret="t" * 40)


@pytest.fixture
def mail(password_links) -> KeptLinks:
    return KeptLinks(password_links)


def _email() -> str:
    return f"staff-{uuid.uuid4().hex[:10]}@invest.example.ru"


async def _invite(uow, mail, *, email=None, role=Role.AGENCY, name="Анна Смирнова") -> Account:
    return await accounts.invite_account(
        uow=uow,
        invitations=mail,
        email=email or _email(),
        name=name,
        role=role,
        invited_by=ADMIN_ID,
    )


async def test_an_invited_person_sets_a_password_through_the_link_and_signs_in(
    uow, mail, passwords, access_tokens, password_links
):
    account = await _invite(uow, mail)
    with pytest.raises(InvalidCredentials):  # no password yet: nothing lets anyone in
        await sign_in(uow, passwords, access_tokens, email=account.email, password="")

    done = await set_password(
        uow, passwords, password_links, token=mail.last_token_to(account.email), password=PASSWORD
    )
    tokens = await sign_in(uow, passwords, access_tokens, email=account.email, password=PASSWORD)

    assert (
        done.password_set and done.confirmed
    )  # the link reached the mailbox, so the address is proven
    assert access_tokens.read(tokens.access_token).role == "agency"
    stored = await accounts.get_account_or_raise(uow=uow, account_id=account.id)
    assert (stored.name, stored.password_set, stored.confirmed) == ("Анна Смирнова", True, True)


async def test_a_link_sets_a_password_once(uow, mail, passwords, password_links):
    account = await _invite(uow, mail)
    token = mail.last_token_to(account.email)
    await set_password(uow, passwords, password_links, token=token, password=PASSWORD)

    with pytest.raises(InvalidToken, match="already used"):
        await set_password(
            uow, passwords, password_links, token=token, password="someone else's passphrase"
        )


async def test_one_link_used_twice_at_once_sets_one_password(
    sessions, mail, passwords, password_links
):
    account = await _invite(UnitOfWork(sessions), mail)
    token = mail.last_token_to(account.email)

    results = await racing(
        *(
            set_password(
                UnitOfWork(sessions),
                passwords,
                password_links,
                token=token,
                password=f"passphrase number {i}",
            )
            for i in range(4)
        )
    )

    assert sum(not isinstance(r, Exception) for r in results) == 1
    assert all(isinstance(r, InvalidToken) for r in results if isinstance(r, Exception))


async def test_a_weak_password_leaves_the_link_usable(uow, mail, passwords, password_links):
    account = await _invite(uow, mail)
    token = mail.last_token_to(account.email)

    with pytest.raises(WeakPassword, match="at least 8"):
        await set_password(uow, passwords, password_links, token=token, password="short")
    done = await set_password(uow, passwords, password_links, token=token, password=PASSWORD)

    assert done.password_set


async def test_an_email_taken_by_any_account_cannot_be_invited_again(uow, mail):
    account = await _invite(uow, mail)

    with pytest.raises(EmailTaken):
        await accounts.invite_account(
            uow=uow,
            invitations=mail,
            email=account.email.upper(),
            name="Другой",
            role=Role.ADMIN,
            invited_by=ADMIN_ID,
        )


async def test_a_disabled_account_can_neither_sign_in_nor_refresh_until_it_is_enabled(
    uow, mail, passwords, access_tokens, password_links
):
    account = await _invite(uow, mail)
    await set_password(
        uow, passwords, password_links, token=mail.last_token_to(account.email), password=PASSWORD
    )
    session = await sign_in(uow, passwords, access_tokens, email=account.email, password=PASSWORD)

    await accounts.disable_account(uow=uow, account_id=account.id, disabled_by=ADMIN_ID)

    with pytest.raises(AccountDisabled):
        await sign_in(uow, passwords, access_tokens, email=account.email, password=PASSWORD)
    with pytest.raises(InvalidCredentials):  # a wrong password still hears only that
        await sign_in(
            uow, passwords, access_tokens, email=account.email, password="a wrong passphrase"
        )
    with pytest.raises(InvalidToken):
        await refresh(uow, access_tokens, refresh_token=session.refresh_token)
    with pytest.raises(AccountConflict, match="disabled"):
        await accounts.send_invitation(
            uow=uow, invitations=mail, account_id=account.id, sent_by=ADMIN_ID
        )

    await accounts.enable_account(uow=uow, account_id=account.id)
    again = await sign_in(uow, passwords, access_tokens, email=account.email, password=PASSWORD)
    assert await refresh(uow, access_tokens, refresh_token=again.refresh_token)
    # The refresh token of before the disable stays revoked.
    with pytest.raises(InvalidToken):
        await refresh(uow, access_tokens, refresh_token=session.refresh_token)


async def test_an_admin_cannot_disable_itself_and_unknown_accounts_are_unknown(uow, mail):
    admin = await _invite(uow, mail, role=Role.ADMIN)

    with pytest.raises(AccountConflict):
        await accounts.disable_account(uow=uow, account_id=admin.id, disabled_by=admin.id)
    for unknown in (str(uuid.uuid4()), "not-an-id"):
        with pytest.raises(UnknownAccount):
            await accounts.disable_account(uow=uow, account_id=unknown, disabled_by=admin.id)
        with pytest.raises(UnknownAccount):
            await accounts.enable_account(uow=uow, account_id=unknown)
    assert not (await accounts.get_account_or_raise(uow=uow, account_id=admin.id)).disabled


async def test_the_staff_list_pages_newest_first_and_filters_by_role(uow, mail):
    opened = [await _invite(uow, mail, name=f"Рецензент {i}") for i in range(3)]
    newest_admin = await _invite(uow, mail, role=Role.ADMIN, name="Администратор")

    first = await accounts.get_page_of_staff_accounts(
        uow=uow, roles=frozenset({Role.AGENCY}), limit=2
    )
    second = await accounts.get_page_of_staff_accounts(
        uow=uow, roles=frozenset({Role.AGENCY}), limit=2, cursor=first.next_cursor
    )
    both = await accounts.get_page_of_staff_accounts(
        uow=uow, roles=frozenset({Role.AGENCY, Role.ADMIN}), limit=1
    )

    assert [a.id for a in first.items] == [opened[2].id, opened[1].id]
    assert second.items[0].id == opened[0].id
    assert first.total == second.total >= 3
    assert all(a.role is Role.AGENCY for a in first.items + second.items)
    assert both.items[0].id == newest_admin.id
    assert both.total >= first.total + 1


@pytest.mark.parametrize(
    "cursor", ["not-a-cursor", "WyJ4IiwgInkiXQ", "WyIyMDI2LTEyLTAyVDA5OjMwOjAwIiwgIjEyMyJd"]
)
async def test_a_cursor_the_list_did_not_give_out_is_invalid_input(uow, cursor):
    with pytest.raises(InvalidInput) as refused:
        await accounts.get_page_of_staff_accounts(
            uow=uow, roles=frozenset({Role.AGENCY}), limit=2, cursor=cursor
        )

    assert refused.value.field == "cursor"


def test_migration_0002_adds_names_and_disabling_and_goes_back_down(scratch_database):
    config = alembic_config(scratch_database)
    command.upgrade(config, "head")
    assert {"name", "disabled_at"} <= column_names(scratch_database, "accounts")
    run_sql(
        scratch_database,
        [
            (
                "INSERT INTO accounts (id, email, role, password_hash) VALUES (gen_random_uuid(), "
                "'invited@example.ru', 'agency', NULL)",
                {},
            )
        ],
    )

    command.downgrade(config, "0001")

    assert column_names(scratch_database, "accounts") & {"name", "disabled_at"} == set()
    command.upgrade(config, "head")
