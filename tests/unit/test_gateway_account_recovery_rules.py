"""The rules of getting back into an account and keeping it safe, without any server: a password
reset's link works for an hour and once, opens nothing else and nothing else opens it; asking for
one is limited per address and per email and tells nobody whether the address has an account;
changing a password needs the current one and ends the other sessions; the emails the gateway asks
for are the notifications service's, one per request, in the account's language."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, datetime

import jwt
import pytest
from pydantic import ValidationError

from gateway.adapters.account_emails import PASSWORD_RESET_PATH, AccountEmails
from gateway.adapters.passwords import Passwords
from gateway.adapters.tokens import (
    RESET_PASSWORD_PURPOSE,
    ConfirmationLinks,
    PasswordLinks,
    refresh_token_hash,
)
from gateway.bootstrap import _throttle
from gateway.domain.account_emails import PendingEmail
from gateway.domain.accounts import Account, Role
from gateway.domain.errors import InvalidInput, InvalidToken
from gateway.service_layer import accounts
from notifications.adapters.rendering import TemplateRenderer
from notifications.domain.composing import Send, decide
from notifications.domain.plans import account_confirmation, password_reset
from notifications.domain.recipients import Preferences
from notifications.entrypoints.api import AccountEmailIn

SECRET = "s" * 40
INTERNAL_SECRET = "i" * 40
NOW = datetime(2026, 12, 2, 9, 30, tzinfo=UTC)
PASSWORD = "a long passphrase"
WEB = "https://unionmatch.example"


def _reset_links(ttl_seconds: int = 3600) -> PasswordLinks:
    return PasswordLinks(secret=SECRET, ttl_seconds=ttl_seconds, purpose=RESET_PASSWORD_PURPOSE)


def _company(password_hash: str | None = "$argon2id$first") -> Account:
    return Account.open(
        email="lift@example.ru", role=Role.COMPANY, password_hash=password_hash, at=NOW
    )


# --- the reset link -------------------------------------------------------------------------------


def test_a_reset_link_names_the_account_and_the_password_it_may_replace():
    account = _company()

    claims = _reset_links().read(
        _reset_links().issue(account_id=account.id, stamp=account.password_stamp)
    )

    assert (claims.account_id, claims.stamp) == (account.id, account.password_stamp)


def test_a_reset_link_stops_working_once_the_password_changes_whichever_way():
    account = _company()
    token = _reset_links().issue(account_id=account.id, stamp=account.password_stamp)

    account.set_password("$argon2id$second")

    with pytest.raises(InvalidToken, match="already used"):
        account.check_password_link(_reset_links().read(token).stamp)


def test_a_reset_link_expires_after_its_hour():
    account = _company()
    expired = _reset_links(ttl_seconds=-1).issue(
        account_id=account.id, stamp=account.password_stamp
    )

    with pytest.raises(InvalidToken):
        _reset_links().read(expired)


def test_an_invitations_link_does_not_reset_a_password_and_a_reset_link_does_not_set_one():
    account = _company()
    invitation = PasswordLinks(secret=SECRET).issue(
        account_id=account.id, stamp=account.password_stamp
    )
    reset = _reset_links().issue(account_id=account.id, stamp=account.password_stamp)

    with pytest.raises(InvalidToken):
        _reset_links().read(invitation)
    with pytest.raises(InvalidToken):
        PasswordLinks(secret=SECRET).read(reset)


def test_a_reset_link_signed_with_another_secret_is_refused():
    forged = jwt.encode(
        {
            "purpose": RESET_PASSWORD_PURPOSE,
            "sub": "acc-1",
            "stamp": "s",
            "exp": int(NOW.timestamp()) + 10**9,
        },
        "f" * 40,
        algorithm="HS256",
    )

    with pytest.raises(InvalidToken):
        _reset_links().read(forged)


def test_the_emailed_links_open_the_web_pages_with_the_tokens_the_gateway_reads_back():
    account = _company()
    emails = AccountEmails(
        confirmation_links=ConfirmationLinks(secret=INTERNAL_SECRET),
        reset_links=_reset_links(),
        web_base_url=WEB + "/",
    )

    confirm, reset = emails.confirmation_link(account), emails.reset_link(account)

    assert confirm.startswith(f"{WEB}/confirm?token=")
    confirmed = ConfirmationLinks(secret=INTERNAL_SECRET).read_address(confirm.split("?token=")[1])
    assert (confirmed.account_id, confirmed.email) == (account.id, account.email)
    assert reset.startswith(f"{WEB}/reset-password?token=")
    assert _reset_links().read(reset.split("?token=")[1]).account_id == account.id


# --- asking for a reset ---------------------------------------------------------------------------


def test_asking_for_resets_is_limited_per_email_whether_or_not_it_has_an_account_and_per_address():
    throttle = _throttle(per_address=5, per_email=2, window=3600)

    for_one_email = [
        throttle.attempt(address="ip:10.0.0.1", email="email:lift@example.ru") for _ in range(3)
    ]
    other_email = throttle.attempt(address="ip:10.0.0.1", email="email:nobody@example.ru")
    for index in range(2):
        throttle.attempt(address="ip:10.0.0.1", email=f"email:guess-{index}@example.ru")
    sixth_from_the_address = throttle.attempt(address="ip:10.0.0.1", email="email:fresh@example.ru")
    another_address = throttle.attempt(address="ip:10.0.0.2", email="email:fresh@example.ru")

    assert for_one_email[:2] == [0, 0] and for_one_email[2] > 0
    assert other_email == 0
    assert sixth_from_the_address > 0
    assert another_address == 0  # the refusal took nothing from the fresh email's bucket


class FakePendingEmails:
    def __init__(self) -> None:
        self.kept: list[PendingEmail] = []

    async def add(self, email: PendingEmail) -> None:
        self.kept.append(email)


class FakeAccounts:
    def __init__(self, *known: Account) -> None:
        self.by_id = {a.id: a for a in known}

    async def get(self, account_id: str) -> Account | None:
        stored = self.by_id.get(account_id)
        return replace(stored) if stored else None  # a copy, as a database row would be

    async def get_by_email(self, email: str) -> Account | None:
        return next((replace(a) for a in self.by_id.values() if a.email == email), None)

    async def save_new_password(self, account: Account, *, replacing: str | None) -> bool:
        stored = self.by_id[account.id]
        if stored.password_hash != replacing:
            return False
        self.by_id[account.id] = replace(account)
        return True


class FakeRefreshTokens:
    def __init__(self, *hashes_of: tuple[str, str]) -> None:
        self.active = dict(hashes_of)  # token hash -> account id

    async def revoke_all(self, account_id: str, *, at: datetime, keeping: str | None = None) -> int:
        revoked = [h for h, owner in self.active.items() if owner == account_id and h != keeping]
        for token_hash in revoked:
            del self.active[token_hash]
        return len(revoked)


class FakeUnitOfWork:
    def __init__(self, *known: Account, refresh_tokens: FakeRefreshTokens | None = None) -> None:
        self.accounts = FakeAccounts(*known)
        self.refresh_tokens = refresh_tokens or FakeRefreshTokens()
        self.emails = FakePendingEmails()
        self.committed = False

    async def __aenter__(self) -> FakeUnitOfWork:
        return self

    async def __aexit__(self, *exc_info) -> None:
        pass

    async def commit(self) -> None:
        self.committed = True


async def test_a_reset_is_emailed_only_to_an_enabled_account_holding_the_address_in_its_language():
    enabled, disabled = (
        _company(),
        Account.open(email="gone@example.ru", role=Role.COMPANY, password_hash="h", at=NOW),
    )
    disabled.disable(by="admin-1", at=NOW)
    emails = AccountEmails(
        confirmation_links=ConfirmationLinks(secret=INTERNAL_SECRET),
        reset_links=_reset_links(),
        web_base_url=WEB,
    )
    uow = FakeUnitOfWork(enabled, disabled)

    sent = [
        await accounts.request_password_reset(uow=uow, emails=emails, email=address, language="be")
        for address in (" Lift@Example.RU ", "nobody@example.ru", "gone@example.ru")
    ]

    assert sent == [True, False, False]
    [kept] = uow.emails.kept
    assert (kept.path, kept.body["email"], kept.body["language"]) == (
        PASSWORD_RESET_PATH,
        "lift@example.ru",
        "be",
    )
    assert kept.id == kept.body["request_id"] and uow.committed
    assert _reset_links().read(kept.body["link"].split("?token=")[1]).account_id == enabled.id


# --- changing and resetting the password ----------------------------------------------------------


@pytest.fixture(scope="module")
def passwords() -> Passwords:
    return Passwords(time_cost=1, memory_cost_kib=8)


async def test_a_wrong_current_password_is_a_field_error_naming_it_and_changes_nothing(
    passwords,
):
    account = _company(await passwords.hash(PASSWORD))
    uow = FakeUnitOfWork(account)

    with pytest.raises(InvalidInput) as refused:
        await accounts.change_password(
            uow=uow,
            passwords=passwords,
            account_id=account.id,
            current_password="not it",
            new_password="another long passphrase",
        )

    assert refused.value.field == "current_password"
    assert uow.accounts.by_id[account.id].password_hash == account.password_hash
    assert not uow.committed


@pytest.mark.parametrize(
    ("new_password", "reason"),
    [("short", "at least 8"), ("lift@example.ru", "email"), (PASSWORD, "current one")],
)
async def test_a_weak_or_unchanged_new_password_is_a_field_error_naming_new_password(
    passwords, new_password, reason
):
    account = _company(await passwords.hash(PASSWORD))

    with pytest.raises(InvalidInput, match=reason) as refused:
        await accounts.change_password(
            uow=FakeUnitOfWork(account),
            passwords=passwords,
            account_id=account.id,
            current_password=PASSWORD,
            new_password=new_password,
        )

    assert refused.value.field == "new_password"


async def test_changing_the_password_ends_every_other_session_of_the_account_but_the_callers_own(
    passwords,
):
    account, stranger = _company(await passwords.hash(PASSWORD)), "someone-else"
    tokens = FakeRefreshTokens(
        (refresh_token_hash("mine"), account.id),
        (refresh_token_hash("phone"), account.id),
        (refresh_token_hash("theirs"), stranger),
    )
    uow = FakeUnitOfWork(account, refresh_tokens=tokens)

    await accounts.change_password(
        uow=uow,
        passwords=passwords,
        account_id=account.id,
        current_password=PASSWORD,
        new_password="another long passphrase",
        keep_refresh_token="mine",
    )

    assert set(tokens.active) == {refresh_token_hash("mine"), refresh_token_hash("theirs")}
    assert await passwords.verify(
        uow.accounts.by_id[account.id].password_hash, "another long passphrase"
    )


async def test_a_disabled_account_cannot_change_its_password_with_a_token_it_still_holds(passwords):
    account = _company(await passwords.hash(PASSWORD))
    account.disable(by="admin-1", at=NOW)

    with pytest.raises(InvalidToken):
        await accounts.change_password(
            uow=FakeUnitOfWork(account),
            passwords=passwords,
            account_id=account.id,
            current_password=PASSWORD,
            new_password="another long passphrase",
        )


async def _reset(uow, passwords, *, token: str, password: str):
    """Follows a reset link (one of this module's links) to set `password`."""
    links = _reset_links()
    return await accounts.reset_password(
        uow=uow, passwords=passwords, reset_links=links, token=token, password=password
    )


async def test_a_reset_link_sets_the_password_once_confirms_the_address_and_ends_every_session(
    passwords,
):
    account = _company(await passwords.hash(PASSWORD))
    tokens = FakeRefreshTokens((refresh_token_hash("laptop"), account.id))
    uow = FakeUnitOfWork(account, refresh_tokens=tokens)
    token = _reset_links().issue(account_id=account.id, stamp=account.password_stamp)

    done = await _reset(uow, passwords, token=token, password="brand new passphrase")

    assert done.confirmed and tokens.active == {}
    with pytest.raises(InvalidToken):
        await _reset(
            FakeUnitOfWork(done), passwords, token=token, password="yet another passphrase"
        )


async def test_a_reset_link_does_not_open_a_disabled_account(passwords):
    account = _company(await passwords.hash(PASSWORD))
    token = _reset_links().issue(account_id=account.id, stamp=account.password_stamp)
    account.disable(by="admin-1", at=NOW)

    with pytest.raises(InvalidToken):
        await _reset(
            FakeUnitOfWork(account), passwords, token=token, password="brand new passphrase"
        )


# --- the emails, at the notifications service -----------------------------------------------------

LINK = "https://unionmatch.example/reset-password?token=abc.def&lang=ru"


@pytest.mark.parametrize("plan", [account_confirmation, password_reset])
def test_an_account_email_is_one_transactional_email_per_request_sent_to_the_address_as_asked(plan):
    request_id = uuid.uuid4()
    first = plan(request_id=request_id, email="lift@example.ru", link=LINK, language="en")
    again = plan(request_id=request_id, email="other@example.ru", link=LINK, language="ru")

    decision = decide(
        first, addressee=None, partner=None, preferences=Preferences(uuid.uuid4()), links=None
    )

    assert first.idempotency_key == again.idempotency_key and first.transactional
    assert first.enterprise_id is None
    assert isinstance(decision, Send) and (decision.recipient, decision.language) == (
        "lift@example.ru",
        "en",
    )


@pytest.mark.parametrize(
    ("language", "someone", "ignore", "hour"),
    [
        ("ru", "Кто-то попросил сбросить пароль", "Если это были не вы", "1 часа"),
        ("be", "Нехта папрасіў скінуць пароль", "Калі гэта былі не вы", "1 гадзіны"),
        (
            "en",
            "Someone asked to reset the password",
            "If it was not you, ignore this email",
            "1 hour",
        ),
    ],
)
def test_the_reset_email_says_someone_asked_to_ignore_it_if_not_you_and_that_the_link_works_an_hour(
    language, someone, ignore, hour
):
    delivery = password_reset(
        request_id=uuid.uuid4(), email="lift@example.ru", link=LINK, language=language
    )

    email = TemplateRenderer().render(delivery.template, delivery.language, delivery.context)

    assert "Union Match" in email.subject
    assert someone in email.text and ignore in email.text and hour in email.text
    assert LINK in email.text
    assert (
        'href="https://unionmatch.example/reset-password?token=abc.def&amp;lang=ru"' in email.html
    )


@pytest.mark.parametrize(
    ("language", "confirm"), [("ru", "Подтвердите"), ("be", "Пацвердзіце"), ("en", "Confirm")]
)
def test_the_confirmation_email_asks_to_confirm_the_address_with_its_link(language, confirm):
    delivery = account_confirmation(
        request_id=uuid.uuid4(), email="lift@example.ru", link=LINK, language=language
    )

    email = TemplateRenderer().render(delivery.template, delivery.language, delivery.context)

    assert confirm in email.subject and LINK in email.text


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("request_id", "nope"),
        ("email", "not an address"),
        ("link", "javascript:alert(1)"),
        ("language", "de"),
    ],
)
def test_the_notifications_service_refuses_a_malformed_account_email_request_naming_the_field(
    field, value
):
    body = {
        "request_id": str(uuid.uuid4()),
        "email": "lift@example.ru",
        "link": LINK,
        "language": "ru",
    } | {field: value}

    with pytest.raises(ValidationError) as refused:
        AccountEmailIn.model_validate(body)

    assert [error["loc"][0] for error in refused.value.errors()] == [field]
