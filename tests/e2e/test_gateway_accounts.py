"""Accounts at the gateway: a company opens its account, confirms its email, signs in, registers
its enterprise and owns it; tokens refresh and sign-out revokes; the agency's accounts are made
by an admin command."""

from __future__ import annotations

import time
import uuid

import jwt
import pytest

from devstack.stack import Stack
from tests.e2e.accounts import create_account_on_the_command_line, me_status, refresh_status

PASSWORD = "a long passphrase"


def _register(gateway, email: str, password: str = PASSWORD):
    return gateway.post("/api/v1/auth/register", json={"email": email, "password": password})


def _tokens(gateway, email: str, password: str = PASSWORD):
    return gateway.post("/api/v1/auth/token", data={"username": email, "password": password})


def _registered_account(gateway, email: str) -> dict:
    """Registers the address and reads the account back as its owner (the sign-up answer names no
    account)."""
    assert _register(gateway, email).status_code == 202
    access_token = _tokens(gateway, email).json()["access_token"]
    return gateway.get(
        "/api/v1/auth/me", headers={"Authorization": f"Bearer {access_token}"}
    ).json()


def _fresh_email() -> str:
    return f"owner-{uuid.uuid4().hex[:10]}@example.ru"


def _wait_for_subject(
    mailbox, address: str, subject_part: str, timeout: float = 30.0
) -> list[dict]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = [m for m in mailbox.messages_to(address) if subject_part in m["Subject"]]
        if found:
            return found
        time.sleep(0.2)
    raise AssertionError(f"no email «{subject_part}» reached {address} within {timeout:.0f}s")


def test_a_company_opens_an_account_and_owns_the_enterprise_it_registers(
    gateway, sign_in, smolensk_housing_operator
):
    email = _fresh_email()
    opened = _register(gateway, email)
    assert opened.status_code == 202, opened.text
    headers = sign_in(email, PASSWORD)
    assert gateway.get("/api/v1/auth/me", headers=headers).json()["role"] == "company"
    assert gateway.get("/api/v1/auth/me", headers=headers).json()["confirmed"] is False

    enterprise = gateway.post(
        "/api/v1/enterprises", json=smolensk_housing_operator, headers=headers
    ).json()
    me = gateway.get("/api/v1/auth/me", headers=headers).json()

    assert me["email"] == email
    assert me["enterprise_ids"] == [enterprise["id"]]
    own_view = gateway.get(f"/api/v1/enterprises/{enterprise['id']}", headers=headers).json()
    assert own_view["email"] == smolensk_housing_operator["email"]


def test_another_company_sees_only_the_public_profile_and_may_not_change_it(
    gateway, open_company, smolensk_housing_operator
):
    owner = open_company()
    enterprise = gateway.post(
        "/api/v1/enterprises", json=smolensk_housing_operator, headers=owner
    ).json()
    rival = open_company()

    public_view = gateway.get(f"/api/v1/enterprises/{enterprise['id']}", headers=rival)
    change = gateway.patch(
        f"/api/v1/enterprises/{enterprise['id']}", json={"description": "захвачено"}, headers=rival
    )

    assert public_view.status_code == 200
    assert "email" not in public_view.json()
    assert change.status_code == 403
    assert change.json()["type"] == "/problems/forbidden"


def test_the_sign_in_answer_is_an_oauth2_bearer_token_with_the_role_and_is_not_cached(gateway):
    email = _fresh_email()
    _register(gateway, email)

    response = _tokens(gateway, email)

    body = response.json()
    assert response.status_code == 200
    assert body["token_type"] == "bearer"
    assert body["role"] == "company"
    assert 0 < body["expires_in"] <= 3600
    assert body["refresh_token"]
    assert response.headers["cache-control"] == "no-store"


def test_a_wrong_password_and_an_unknown_email_get_the_same_refusal(gateway):
    email = _fresh_email()
    _register(gateway, email)

    wrong_password = _tokens(gateway, email, "not the passphrase")
    unknown_email = _tokens(gateway, _fresh_email())

    assert wrong_password.status_code == unknown_email.status_code == 401
    assert wrong_password.json()["detail"] == unknown_email.json()["detail"]
    assert wrong_password.headers["content-type"] == "application/problem+json"


def test_one_email_opens_one_account_whatever_its_letter_case(gateway):
    email = _fresh_email()
    first = _register(gateway, email)

    again = _register(gateway, email.upper(), "another long passphrase")

    # The same answer, so the second caller learns nothing; the account and its password stay the
    # first's.
    assert (
        (again.status_code, again.json())
        == (first.status_code, first.json())
        == (202, first.json())
    )
    assert _tokens(gateway, email).status_code == 200
    assert _tokens(gateway, email, "another long passphrase").status_code == 401


@pytest.mark.parametrize(
    ("password", "field_reason"), [("short", "at least 8"), ("OWNER@example.ru", "email")]
)
def test_a_weak_password_is_refused_naming_the_field(gateway, password, field_reason):
    email = "owner@example.ru" if "@" in password else _fresh_email()

    response = _register(gateway, email, password)

    assert response.status_code == 422
    [error] = response.json()["errors"]
    assert error["field"] == "password"
    assert field_reason in error["reason"]


def test_a_confirmation_link_confirms_the_account_only_when_it_names_the_accounts_own_address(
    platform: Stack, gateway, sign_in
):
    email = _fresh_email()
    account = _registered_account(gateway, email)
    headers = sign_in(email, PASSWORD)

    def link(**claims) -> str:  # the gateway signs its links with the internal token secret
        return jwt.encode(
            {"purpose": "confirm-email", "sub": account["id"], **claims},
            platform.config.internal_token_secret,
            algorithm="HS256",
        )

    # Sent to somebody else's address, or naming no address (as the welcome email's link once did):
    # nothing.
    for token in (link(email="stranger@example.ru"), link()):
        refused = gateway.get("/api/v1/auth/confirm", params={"token": token})
        assert refused.status_code == 400, refused.text
        assert (refused.json()["title"], refused.headers["content-type"]) == (
            "Invalid link",
            "application/problem+json",
        )
    assert gateway.get("/api/v1/auth/me", headers=headers).json()["confirmed"] is False

    confirmed = gateway.get("/api/v1/auth/confirm", params={"token": link(email=email.upper())})

    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["confirmed"] is True
    assert gateway.get("/api/v1/auth/me", headers=headers).json()["confirmed_at"] is not None


def test_a_forged_or_borrowed_token_does_not_confirm_an_email(
    platform: Stack, gateway, internal_token
):
    account = _registered_account(gateway, _fresh_email())
    forged = jwt.encode(
        {"purpose": "confirm-email", "sub": account["id"]}, "f" * 40, algorithm="HS256"
    )
    internal = internal_token("notifications", role="company", account_id=account["id"])[
        "X-Internal-Token"
    ]

    for token in (forged, internal):
        response = gateway.get("/api/v1/auth/confirm", params={"token": token})
        assert response.status_code == 400
        assert response.headers["content-type"] == "application/problem+json"


def test_a_refresh_token_works_once_and_sign_out_revokes_it(gateway):
    email = _fresh_email()
    _register(gateway, email)
    first = _tokens(gateway, email).json()

    refreshed = gateway.post("/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert refreshed.status_code == 200
    assert me_status(gateway, refreshed.json()) == 200
    replayed = gateway.post("/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})

    assert replayed.status_code == 401
    # A replay ends the whole session (tests/e2e/test_account_security.py), the new tokens too.
    assert me_status(gateway, refreshed.json()) == 401
    assert (
        gateway.post(
            "/api/v1/auth/logout", json={"refresh_token": refreshed.json()["refresh_token"]}
        ).status_code
        == 204
    )
    assert refresh_status(gateway, refreshed.json()) == 401  # signed out


@pytest.mark.parametrize(
    "authorization", [None, "Bearer not-a-jwt", "Basic dXNlcjpwYXNz", "Bearer"]
)
def test_who_am_i_without_a_valid_access_token_is_401_with_a_bearer_challenge(
    gateway, authorization
):
    headers = {"Authorization": authorization} if authorization else {}

    response = gateway.get("/api/v1/auth/me", headers=headers)

    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert response.json()["type"] == "/problems/sign-in-required"


def test_an_admin_opens_an_agency_account_from_the_command_line(platform: Stack, gateway, sign_in):
    email = f"reviewer-{uuid.uuid4().hex[:8]}@agency.example.ru"

    result = create_account_on_the_command_line(
        platform, role="agency", email=email, password="reviewer passphrase"
    )
    assert result.returncode == 0, result.stderr
    me = gateway.get("/api/v1/auth/me", headers=sign_in(email, "reviewer passphrase")).json()
    assert me["role"] == "agency"


def test_the_demo_reviewer_and_admin_exist_in_demo_mode(agency, admin, gateway):
    assert gateway.get("/api/v1/auth/me", headers=agency).json()["role"] == "agency"
    assert gateway.get("/api/v1/auth/me", headers=admin).json()["role"] == "admin"


def test_an_owner_changes_its_enterprise_with_the_version_it_read(
    gateway, company, smolensk_housing_operator
):
    enterprise = gateway.post(
        "/api/v1/enterprises", json=smolensk_housing_operator, headers=company
    ).json()
    read = gateway.get(f"/api/v1/enterprises/{enterprise['id']}", headers=company)

    changed = gateway.patch(
        f"/api/v1/enterprises/{enterprise['id']}",
        json={"description": "Теперь и капремонт кровли."},
        headers=company | {"If-Match": read.headers["etag"]},
    )
    stale = gateway.patch(
        f"/api/v1/enterprises/{enterprise['id']}",
        json={"description": "Старая версия."},
        headers=company | {"If-Match": read.headers["etag"]},
    )

    assert changed.status_code == 200, changed.text
    assert changed.json()["description"] == "Теперь и капремонт кровли."
    assert changed.headers["etag"] != read.headers["etag"]
    assert stale.status_code in (409, 412)


def test_only_the_sign_up_email_to_the_accounts_own_address_confirms_it_not_the_welcome(
    platform: Stack, gateway, sign_in, mailbox, smolensk_housing_operator
):
    # The company registers its enterprise with an address that is not its account's: anybody's,
    # maybe.
    email = _fresh_email()
    stranger = smolensk_housing_operator["email"]
    _register(gateway, email)
    headers = sign_in(email, PASSWORD)
    assert (
        gateway.post(
            "/api/v1/enterprises", json=smolensk_housing_operator, headers=headers
        ).status_code
        == 201
    )

    # The enterprise's address is welcomed, and nothing in that email confirms anything.
    [welcome] = _wait_for_subject(mailbox, stranger, "Добро пожаловать")
    assert "/confirm" not in mailbox.message(welcome["ID"])["Text"]
    assert "/confirm" not in mailbox.message(welcome["ID"])["HTML"]
    assert gateway.get("/api/v1/auth/me", headers=headers).json()["confirmed"] is False

    # The account's own address got the sign-up email; its link opens the web application's page,
    # which passes the token on to the API.
    [signup] = _wait_for_subject(mailbox, email, "Подтвердите адрес")
    link = next(
        word for word in mailbox.message(signup["ID"])["Text"].split() if "/confirm?token=" in word
    )
    assert link.startswith(platform.web_url + "/confirm?token=")
    confirmed = gateway.get(
        "/api/v1/auth/confirm", params={"token": link.split("?token=", 1)[1].rstrip(".,)>")}
    )

    assert confirmed.status_code == 200, confirmed.text
    assert gateway.get("/api/v1/auth/me", headers=headers).json()["confirmed"] is True
