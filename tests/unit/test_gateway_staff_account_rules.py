"""The rules of the agency's accounts, without any server: an admin opens a named account without
a password, its set-password link works once, and an admin may disable others but not itself."""

from datetime import UTC, datetime, timedelta

import jwt
import pytest

from gateway.adapters.tokens import AccessTokens, PasswordLinks
from gateway.domain.accounts import MAX_NAME_LENGTH, Account, Role
from gateway.domain.errors import AccountConflict, InvalidInput, InvalidToken

SECRET = "s" * 40
NOW = datetime(2026, 12, 2, 9, 30, tzinfo=UTC)


def _invited(role: Role = Role.AGENCY) -> Account:
    return Account.invite(
        email=" A.Smirnova@Invest.example.RU ", name="  Анна   Смирнова ", role=role, at=NOW
    )


def test_an_invited_staff_account_is_named_and_has_no_password_yet():
    account = _invited()

    assert account.email == "a.smirnova@invest.example.ru"
    assert account.name == "Анна Смирнова"
    assert not account.password_set
    assert not account.disabled


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("   ", "needs the person's name"),
        ("я" * (MAX_NAME_LENGTH + 1), f"at most {MAX_NAME_LENGTH}"),
    ],
)
def test_a_staff_account_needs_a_name_of_at_most_200_characters(name, reason):
    with pytest.raises(InvalidInput, match=reason) as refused:
        Account.invite(email="a@b.ru", name=name, role=Role.ADMIN, at=NOW)

    assert refused.value.field == "name"


def test_an_admin_does_not_open_company_accounts_those_register_themselves():
    with pytest.raises(InvalidInput, match="companies register themselves"):
        Account.invite(email="a@b.ru", name="ООО «Лифт»", role=Role.COMPANY, at=NOW)


def test_a_company_account_may_stay_without_a_name():
    account = Account.open(
        email="lift@example.ru", role=Role.COMPANY, password_hash="h", at=NOW, name="   "
    )

    assert account.name is None


def test_a_set_password_link_stops_working_once_a_password_is_set():
    account = _invited()
    stamp_of_the_link = account.password_stamp
    account.check_password_link(stamp_of_the_link)  # still good

    account.set_password("$argon2id$first")

    with pytest.raises(InvalidToken, match="already used"):
        account.check_password_link(stamp_of_the_link)


def test_a_link_made_after_a_password_was_set_works_once_more_and_then_not_again():
    account = _invited()
    account.set_password("$argon2id$first")
    second_link = account.password_stamp

    account.check_password_link(second_link)
    account.set_password("$argon2id$second")

    with pytest.raises(InvalidToken):
        account.check_password_link(second_link)


def test_an_admin_disables_another_account_and_disabling_twice_keeps_the_first_time():
    account = _invited()

    account.disable(by="another-admin", at=NOW)
    account.disable(by="another-admin", at=NOW + timedelta(hours=1))

    assert account.disabled
    assert account.disabled_at == NOW


def test_an_admin_cannot_disable_itself():
    admin = _invited(Role.ADMIN)

    with pytest.raises(AccountConflict, match="its own account"):
        admin.disable(by=admin.id, at=NOW)
    assert not admin.disabled


def test_enabling_lifts_the_disable():
    account = _invited()
    account.disable(by="another-admin", at=NOW)

    account.enable()

    assert not account.disabled
    assert account.disabled_at is None


def test_a_link_is_sent_only_to_an_enabled_staff_account():
    disabled = _invited()
    disabled.disable(by="another-admin", at=NOW)
    company = Account.open(email="lift@example.ru", role=Role.COMPANY, password_hash="h", at=NOW)

    with pytest.raises(AccountConflict, match="disabled"):
        disabled.check_invitable()
    with pytest.raises(AccountConflict, match="company"):
        company.check_invitable()
    _invited().check_invitable()  # an enabled staff account may get one


def test_a_set_password_link_names_the_account_and_the_stamp_it_was_made_with():
    links = PasswordLinks(secret=SECRET)

    claims = links.read(links.issue(account_id="acc-1", stamp="stamp-1"))

    assert (claims.account_id, claims.stamp) == ("acc-1", "stamp-1")


def test_a_set_password_link_expires_after_72_hours():
    links = PasswordLinks(secret=SECRET)
    token = links.issue(account_id="acc-1", stamp="stamp-1")
    expires_at = jwt.decode(token, options={"verify_signature": False})["exp"]

    assert links.ttl_seconds == 72 * 3600
    assert expires_at - jwt.decode(token, options={"verify_signature": False})["iat"] == 72 * 3600
    with pytest.raises(InvalidToken, match="expired"):
        PasswordLinks(secret=SECRET, ttl_seconds=-1).read(
            PasswordLinks(secret=SECRET, ttl_seconds=-1).issue(account_id="acc-1", stamp="s")
        )


def test_a_forged_link_or_another_token_of_the_same_secret_is_not_a_set_password_link():
    links = PasswordLinks(secret=SECRET)
    forged = PasswordLinks(secret="f" * 40).issue(account_id="acc-1", stamp="s")
    access_token = AccessTokens(secret=SECRET, ttl_seconds=60).issue(
        account_id="acc-1", role="admin"
    )
    confirmation = jwt.encode(
        {
            "purpose": "confirm-email",
            "sub": "acc-1",
            "stamp": "s",
            "exp": int(NOW.timestamp()) + 10**9,
        },
        SECRET,
        algorithm="HS256",
    )

    for token in (forged, access_token, confirmation, "not-a-token"):
        with pytest.raises(InvalidToken):
            links.read(token)
