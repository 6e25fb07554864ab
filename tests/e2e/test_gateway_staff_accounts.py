"""The agency's accounts through the public API: an admin opens a reviewer's account, the reviewer
sets a password through the link the invitation email brings and signs in; an admin disables and
enables accounts; nobody else may run accounts; staff see a name where there was an account id."""

from __future__ import annotations

import uuid

import pytest

from devstack.stack import Stack
from tests.e2e.accounts import (
    bearer,
    create_account_on_the_command_line,
    me_status,
    password_through_link,
    refresh_status,
)

PASSWORD = "reviewer passphrase"
ADMIN_ROUTES = [
    ("GET", "/api/v1/accounts"),
    ("POST", "/api/v1/accounts"),
    ("POST", "/api/v1/accounts/{id}/invitation"),
    ("POST", "/api/v1/accounts/{id}/disable"),
    ("POST", "/api/v1/accounts/{id}/enable"),
]


def _reviewer_email() -> str:
    return f"reviewer-{uuid.uuid4().hex[:8]}@invest-smolensk.example.ru"


def _tokens(gateway, email: str, password: str = PASSWORD):
    return gateway.post("/api/v1/auth/token", data={"username": email, "password": password})


def _bearer(tokens) -> dict[str, str]:
    return {"Authorization": f"Bearer {tokens.json()['access_token']}"}


def _open(
    gateway, admin, *, email: str | None = None, name: str = "Анна Смирнова", role: str = "agency"
):
    return gateway.post(
        "/api/v1/accounts",
        json={"email": email or _reviewer_email(), "name": name, "role": role},
        headers=admin,
    )


def _links_in_the_invitations_to(mailbox, email: str, *, count: int = 1) -> list[str]:
    """The set-password links of the invitation emails that reached this address, oldest first."""
    import time

    deadline = time.monotonic() + 30
    while True:
        messages = mailbox.wait_for(email, timeout=30)
        if len(messages) >= count or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert len(messages) >= count, (
        f"{len(messages)} invitation email(s) reached {email}, expected {count}"
    )
    links = []
    for summary in sorted(messages, key=lambda m: m["Created"]):
        text = mailbox.message(summary["ID"])["Text"]
        links.append(
            next(word for word in text.split() if "/set-password?token=" in word).rstrip(".,)>")
        )
    return links


def _cli_account(platform: Stack, *, role: str = "agency", name: str = "Мария Козлова") -> str:
    """An account opened on the command line, with a password; returns its email."""
    email = _reviewer_email()
    result = create_account_on_the_command_line(
        platform, role=role, email=email, password=PASSWORD, name=name
    )
    assert result.returncode == 0, result.stderr
    assert name in result.stdout
    return email


def test_an_admin_opens_a_reviewers_account_that_has_no_password_until_the_reviewer_sets_one(
    gateway, admin
):
    email = _reviewer_email()

    opened = _open(gateway, admin, email=email, name="  Анна   Смирнова ")

    assert opened.status_code == 201, opened.text
    account = opened.json()
    assert {
        k: account[k]
        for k in ("email", "name", "role", "disabled", "disabled_at", "password_set", "confirmed")
    } == {
        "email": email,
        "name": "Анна Смирнова",
        "role": "agency",
        "disabled": False,
        "disabled_at": None,
        "password_set": False,
        "confirmed": False,
    }
    assert isinstance(account["invitation_sent"], bool)
    assert account["id"] and account["created_at"]
    # Nothing signs in to an account without a password, not even an empty one.
    for guess in ("", "a long passphrase"):
        refused = _tokens(gateway, email, guess)
        assert refused.status_code in (401, 422), refused.text
    newest = gateway.get(
        "/api/v1/accounts", params={"role": "agency", "limit": 1}, headers=admin
    ).json()
    assert newest["items"][0]["id"] == account["id"]
    assert newest["items"][0]["password_set"] is False
    assert newest["next_cursor"] is not None and newest["total"] >= 2  # the demo reviewer too


def test_the_invited_reviewer_sets_a_password_through_the_emailed_link_and_signs_in(
    gateway, admin, mailbox
):
    email = _reviewer_email()
    opened = _open(gateway, admin, email=email, name="Ирина Волкова").json()
    assert opened["invitation_sent"] is True, (
        "the notifications service did not accept POST /emails/account-invitation"
    )

    [link] = _links_in_the_invitations_to(mailbox, email)
    weak, done, again = (
        password_through_link(gateway, link, password, route="set-password")
        for password in ("short", PASSWORD, "a takeover passphrase")
    )

    assert "/set-password?token=" in link
    assert weak.status_code == 422
    assert weak.json()["errors"][0]["field"] == "password"
    assert done.status_code == 200, done.text
    assert done.json()["id"] == opened["id"]
    assert again.status_code == 400
    assert again.json()["title"] == "Invalid link"
    signed_in = _tokens(gateway, email)
    assert signed_in.status_code == 200, signed_in.text
    me = gateway.get("/api/v1/auth/me", headers=_bearer(signed_in)).json()
    assert (me["name"], me["role"], me["confirmed"]) == ("Ирина Волкова", "agency", True)
    listed = gateway.get(
        "/api/v1/accounts", params={"role": "agency", "limit": 5}, headers=admin
    ).json()["items"]
    assert next(a for a in listed if a["id"] == opened["id"])["password_set"] is True


def test_a_link_sent_again_works_and_using_one_link_ends_all_earlier_ones(gateway, admin, mailbox):
    email = _reviewer_email()
    opened = _open(gateway, admin, email=email, role="admin", name="Олег Петров").json()

    resent = gateway.post(f"/api/v1/accounts/{opened['id']}/invitation", headers=admin)

    assert resent.status_code == 200, resent.text
    assert resent.json()["invitation_sent"] is True
    first, second = _links_in_the_invitations_to(mailbox, email, count=2)
    assert [
        password_through_link(gateway, link, PASSWORD, route="set-password").status_code
        for link in (second, first)
    ] == [200, 400]
    assert _tokens(gateway, email).json()["role"] == "admin"


@pytest.mark.parametrize(
    "token", ["not-a-token", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl"]
)
def test_a_forged_link_sets_no_password(gateway, token):
    response = gateway.post(
        "/api/v1/auth/set-password", json={"token": token, "password": PASSWORD}
    )

    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["title"] == "Invalid link"


def test_an_access_token_is_not_a_set_password_link(gateway, agency):
    response = gateway.post(
        "/api/v1/auth/set-password",
        json={"token": agency["Authorization"].split()[1], "password": PASSWORD},
    )

    assert response.status_code == 400


def test_a_disabled_reviewer_cannot_sign_in_or_refresh_until_enabled_again(
    platform: Stack, gateway, admin
):
    email = _cli_account(platform)
    session = _tokens(gateway, email).json()
    account_id = gateway.get("/api/v1/auth/me", headers=bearer(session)).json()["id"]

    disabled = gateway.post(f"/api/v1/accounts/{account_id}/disable", headers=admin)

    assert disabled.status_code == 200, disabled.text
    assert disabled.json()["disabled"] is True and disabled.json()["disabled_at"]
    refused = _tokens(gateway, email)
    assert refused.status_code == 403
    assert refused.json()["type"] == "/problems/account-disabled"
    assert (
        _tokens(gateway, email, "a wrong passphrase").status_code == 401
    )  # a guesser learns nothing new
    assert refresh_status(gateway, session) == 401
    # Its access token ends with the disable too, at once on the instance that disabled it.
    assert me_status(gateway, session) == 401

    enabled = gateway.post(f"/api/v1/accounts/{account_id}/enable", headers=admin)

    assert enabled.status_code == 200
    assert enabled.json()["disabled"] is False
    again = _tokens(gateway, email)
    assert again.status_code == 200
    assert refresh_status(gateway, again.json()) == 200
    # The refresh token of before the disable stays revoked.
    assert refresh_status(gateway, session) == 401


def test_a_disabled_admin_runs_no_accounts_even_with_an_access_token_it_still_holds(
    platform: Stack, gateway, admin
):
    email = _cli_account(platform, role="admin", name="Пётр Соколов")
    other_admin = _bearer(_tokens(gateway, email))
    other_id = gateway.get("/api/v1/auth/me", headers=other_admin).json()["id"]
    assert gateway.get("/api/v1/accounts", headers=other_admin).status_code == 200

    assert gateway.post(f"/api/v1/accounts/{other_id}/disable", headers=admin).status_code == 200

    refused = gateway.get("/api/v1/accounts", headers=other_admin)
    assert refused.status_code == 401
    assert refused.json()["type"] == "/problems/sign-in-required"


def test_an_admin_cannot_disable_itself(gateway, admin):
    me = gateway.get("/api/v1/auth/me", headers=admin).json()

    response = gateway.post(f"/api/v1/accounts/{me['id']}/disable", headers=admin)

    assert response.status_code == 409
    assert response.headers["content-type"] == "application/problem+json"
    assert _tokens(gateway, "admin@demo.local", "demo-admin").status_code == 200


@pytest.mark.parametrize("unknown", [str(uuid.uuid4()), "not-an-id"])
def test_unknown_accounts_are_404(gateway, admin, unknown):
    for method, path in ADMIN_ROUTES[2:] + [("GET", "/api/v1/accounts/{id}")]:
        response = gateway.request(method, path.format(id=unknown), headers=admin)
        assert response.status_code == 404, (method, path, response.text)
        assert response.headers["content-type"] == "application/problem+json"


def test_an_email_that_has_an_account_is_not_opened_twice(gateway, admin):
    email = _reviewer_email()
    assert _open(gateway, admin, email=email).status_code == 201

    response = _open(gateway, admin, email=email.upper(), role="admin")

    assert response.status_code == 409
    assert response.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"email": "x@example.ru", "role": "agency"}, "name"),
        ({"email": "x@example.ru", "name": "   ", "role": "agency"}, "name"),
        ({"email": "x@example.ru", "name": "я" * 201, "role": "agency"}, "name"),
        ({"email": "x@example.ru", "name": "ООО «Лифт»", "role": "company"}, "role"),
        ({"email": "not an email", "name": "Анна", "role": "agency"}, "email"),
    ],
)
def test_a_staff_account_needs_an_email_a_name_and_a_staff_role(gateway, admin, body, field):
    response = gateway.post("/api/v1/accounts", json=body, headers=admin)

    assert response.status_code == 422
    assert field in {error["field"] for error in response.json()["errors"]}


def test_the_list_pages_with_its_cursor_and_filters_by_role(gateway, admin):
    for i in range(2):
        _open(gateway, admin, name=f"Рецензент {i}")

    first = gateway.get("/api/v1/accounts", params={"limit": 2}, headers=admin).json()
    second = gateway.get(
        "/api/v1/accounts", params={"limit": 2, "cursor": first["next_cursor"]}, headers=admin
    ).json()
    admins = gateway.get(
        "/api/v1/accounts", params={"role": "admin", "limit": 200}, headers=admin
    ).json()
    bad_cursor = gateway.get("/api/v1/accounts", params={"cursor": "not-a-cursor"}, headers=admin)

    assert not {a["id"] for a in first["items"]} & {a["id"] for a in second["items"]}
    assert [a["created_at"] for a in first["items"] + second["items"]] == sorted(
        (a["created_at"] for a in first["items"] + second["items"]), reverse=True
    )
    assert {a["role"] for a in first["items"] + second["items"]} <= {"agency", "admin"}
    assert {a["role"] for a in admins["items"]} == {"admin"}
    assert "admin@demo.local" in {a["email"] for a in admins["items"]}
    assert bad_cursor.status_code == 422


@pytest.mark.parametrize("who", ["company", "agency"])
def test_companies_and_reviewers_may_not_run_accounts(gateway, request, who, admin):
    caller = request.getfixturevalue(who)
    target = _open(gateway, admin).json()["id"]

    for method, path in ADMIN_ROUTES:
        body = (
            {"email": _reviewer_email(), "name": "Захватчик", "role": "admin"}
            if path == "/api/v1/accounts" and method == "POST"
            else None
        )
        response = gateway.request(method, path.format(id=target), json=body, headers=caller)
        assert response.status_code == 403, (method, path, response.text)
        assert response.json()["type"] == "/problems/forbidden"


def test_without_signing_in_no_account_route_answers(gateway, admin):
    target = _open(gateway, admin).json()["id"]

    for method, path in ADMIN_ROUTES + [("GET", "/api/v1/accounts/{id}")]:
        response = gateway.request(method, path.format(id=target))
        assert response.status_code == 401, (method, path)
        assert response.headers["www-authenticate"].startswith("Bearer")


def test_staff_see_who_an_account_is_and_companies_do_not(gateway, agency, admin, company):
    me = gateway.get("/api/v1/auth/me", headers=admin).json()

    for staff in (agency, admin):
        seen = gateway.get(f"/api/v1/accounts/{me['id']}", headers=staff)
        assert seen.status_code == 200
        assert seen.json() == {
            "id": me["id"],
            "name": "Олег Петров (администратор)",
            "email": "admin@demo.local",
            "role": "admin",
        }
    assert gateway.get(f"/api/v1/accounts/{me['id']}", headers=company).status_code == 403


def test_the_demo_reviewer_and_admin_have_names(gateway, agency, admin):
    assert (
        gateway.get("/api/v1/auth/me", headers=agency).json()["name"] == "Анна Смирнова (агентство)"
    )
    assert (
        gateway.get("/api/v1/auth/me", headers=admin).json()["name"]
        == "Олег Петров (администратор)"
    )


def test_the_account_routes_are_in_the_openapi_document_with_who_may_call_them(gateway):
    paths = gateway.get("/openapi.json").json()["paths"]

    assert paths["/api/v1/accounts"]["get"]["x-access"] == "admin"
    assert paths["/api/v1/accounts"]["post"]["x-access"] == "admin"
    assert paths["/api/v1/accounts/{account_id}"]["get"]["x-access"] == "staff"
    for action in ("invitation", "disable", "enable"):
        assert paths[f"/api/v1/accounts/{{account_id}}/{action}"]["post"]["x-access"] == "admin"
    assert "post" in paths["/api/v1/auth/set-password"]
