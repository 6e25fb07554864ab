"""Account rules and the tokens the gateway signs, without any server."""

import time
from datetime import UTC, datetime, timedelta

import jwt
import pytest

from gateway.adapters.tokens import AccessTokens, ConfirmationLinks, refresh_token_hash
from gateway.config import DEMO_JWT_SECRET, Settings
from gateway.domain.accounts import Account, Role, check_password_strength
from gateway.domain.errors import InvalidToken, WeakPassword

SECRET = "s" * 40


def test_an_email_is_kept_in_one_spelling_so_it_cannot_be_registered_twice():
    account = Account.open(
        email="  Lift@Example.RU ", role=Role.COMPANY, password_hash="h", at=datetime.now(UTC)
    )

    assert account.email == "lift@example.ru"
    assert not account.confirmed


@pytest.mark.parametrize(
    ("password", "reason"),
    [("short", "at least 8"), ("x" * 129, "at most 128"), ("LIFT@example.ru", "email")],
)
def test_weak_passwords_are_refused_with_the_reason(password, reason):
    with pytest.raises(WeakPassword, match=reason):
        check_password_strength(password, email="lift@example.ru")


def test_confirming_twice_keeps_the_first_time():
    first = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
    account = Account.open(email="a@b.ru", role=Role.COMPANY, password_hash="h", at=first)

    account.confirm(address="a@b.ru", at=first)
    account.confirm(address="a@b.ru", at=first + timedelta(days=1))

    assert account.confirmed_at == first


def test_a_link_that_reached_the_accounts_own_address_confirms_it_whatever_its_spelling():
    at = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
    account = Account.open(email="lift@example.ru", role=Role.COMPANY, password_hash="h", at=at)

    account.confirm(address="  Lift@Example.RU ", at=at)

    assert account.confirmed_at == at


def test_a_link_that_reached_another_address_does_not_confirm_the_account():
    at = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
    account = Account.open(email="lift@example.ru", role=Role.COMPANY, password_hash="h", at=at)

    with pytest.raises(InvalidToken, match="another address"):
        account.confirm(address="stranger@example.ru", at=at)

    assert not account.confirmed


def test_an_access_token_carries_the_account_and_its_role():
    tokens = AccessTokens(secret=SECRET, ttl_seconds=60)

    claims = tokens.read(tokens.issue(account_id="acc-1", role="agency"))

    assert (claims.account_id, claims.role) == ("acc-1", "agency")


def test_an_expired_or_forged_access_token_is_refused():
    tokens = AccessTokens(secret=SECRET, ttl_seconds=-1)
    forged = AccessTokens(secret="f" * 40, ttl_seconds=60)

    with pytest.raises(InvalidToken, match="expired"):
        tokens.read(tokens.issue(account_id="acc-1", role="company"))
    with pytest.raises(InvalidToken):
        AccessTokens(secret=SECRET, ttl_seconds=60).read(
            forged.issue(account_id="acc-1", role="admin")
        )


def test_an_internal_token_of_the_same_secret_is_not_an_access_token():
    internal = jwt.encode(
        {
            "iss": "gateway",
            "aud": "registry",
            "sub": "acc-1",
            "role": "admin",
            "exp": int(time.time()) + 60,
        },
        SECRET,
        algorithm="HS256",
    )

    with pytest.raises(InvalidToken):
        AccessTokens(secret=SECRET, ttl_seconds=60).read(internal)


def test_the_confirmation_link_names_the_account_and_the_address_it_was_sent_to():
    links = ConfirmationLinks(secret=SECRET)

    confirmed = links.read_address(links.issue(account_id="acc-7", email="lift@example.ru"))

    assert (confirmed.account_id, confirmed.email) == ("acc-7", "lift@example.ru")


def test_a_link_that_names_no_address_confirms_nothing():
    # The shape the welcome email used to carry: it reached whatever address the enterprise gave.
    token = jwt.encode({"purpose": "confirm-email", "sub": "acc-7"}, SECRET, algorithm="HS256")

    with pytest.raises(InvalidToken):
        ConfirmationLinks(secret=SECRET).read_address(token)


def test_an_older_link_sent_to_an_enterprise_address_stands_for_whoever_holds_that_address():
    token = jwt.encode(
        {"purpose": "confirm-enterprise-email", "sub": "ent-1", "email": "lift@example.ru"},
        SECRET,
        algorithm="HS256",
    )

    confirmed = ConfirmationLinks(secret=SECRET).read_address(token)

    assert (confirmed.account_id, confirmed.email) == (None, "lift@example.ru")


def test_a_token_made_for_another_purpose_does_not_confirm_an_email():
    links = ConfirmationLinks(secret=SECRET)
    internal = jwt.encode(
        {"iss": "gateway", "aud": "notifications", "sub": "acc-7", "role": "company"},
        SECRET,
        algorithm="HS256",
    )
    other_purpose = jwt.encode(
        {"purpose": "unsubscribe", "sub": "acc-7", "email": "lift@example.ru"},
        SECRET,
        algorithm="HS256",
    )

    for token in (
        internal,
        other_purpose,
        links.issue(account_id="acc-7", email="lift@example.ru")[:-3] + "abc",
    ):
        with pytest.raises(InvalidToken):
            links.read_address(token)


def test_refresh_tokens_are_stored_only_as_a_hash():
    assert refresh_token_hash("abc") != "abc"
    assert len(refresh_token_hash("abc")) == 64


def test_secrets_published_in_the_repository_are_named_outside_demo_mode():
    published = Settings(
        internal_token_secret="change-me-in-production-please-32b", jwt_secret=DEMO_JWT_SECRET
    )
    own = Settings(internal_token_secret="i" * 40, jwt_secret="j" * 40)

    assert published.default_secrets_in_use() == [
        "GATEWAY_INTERNAL_TOKEN_SECRET",
        "GATEWAY_JWT_SECRET",
    ]
    assert own.default_secrets_in_use() == []
