"""A company's account from its own side, through the whole platform (gateway, notifications, SMTP):
the address is confirmed by a link emailed to it at sign-up; a forgotten password is reset through
a one-time emailed link, and asking for one tells nobody whether the address has an account; a
signed-in person changes the password (ending the other sessions, keeping their own) or signs out
everywhere."""

from __future__ import annotations

import re
import time

import jwt

from devstack.stack import Stack
from tests.e2e.accounts import (
    NEW_PASSWORD,
    PASSWORD,
    bearer,
    fresh_email,
    me_status,
    password_through_link,
    refresh_status,
    signed_in,
    token_of,
    token_response,
)


def _register(gateway, email: str, **extra):
    """Registers the address and returns the account as its owner reads it (the sign-up answer names
    none)."""
    response = gateway.post(
        "/api/v1/auth/register", json={"email": email, "password": PASSWORD, **extra}
    )
    assert response.status_code == 202, response.text
    return gateway.get("/api/v1/auth/me", headers=bearer(signed_in(gateway, email))).json()


def _link_in_email(mailbox, address: str, path: str, *, timeout: float = 30.0) -> str:
    """The link to `path` in the newest email that reached the address with one."""
    pattern = re.compile(rf"https?://\S+{re.escape(path)}\?token=\S+")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for summary in mailbox.messages_to(address):
            found = pattern.search(mailbox.message(summary["ID"])["Text"])
            if found:
                return found.group(0)
        time.sleep(0.2)
    raise AssertionError(f"no email with a {path} link reached {address} within {timeout:.0f}s")


# --- the address is confirmed at sign-up ----------------------------------------------------------


def test_sign_up_emails_the_confirmation_link_to_the_accounts_own_address_and_the_button_confirms(
    platform: Stack, gateway, mailbox
):
    email = fresh_email()
    _register(gateway, email, language="en")
    headers = bearer(signed_in(gateway, email))

    link = _link_in_email(mailbox, email, "/confirm")
    [summary] = mailbox.messages_to(email)
    assert (
        "Confirm your email address" in summary["Subject"]
    )  # in the language asked for at sign-up
    assert link.startswith(platform.web_url + "/confirm?token=")
    # Following the link (as a mail scanner does) changes nothing; the page's button posts the
    # token.
    assert gateway.get("/api/v1/auth/me", headers=headers).json()["confirmed"] is False
    confirmed = gateway.post("/api/v1/auth/confirm", json={"token": token_of(link)})

    assert confirmed.status_code == 200, confirmed.text
    assert (confirmed.json()["email"], confirmed.json()["confirmed"]) == (email, True)
    assert gateway.get("/api/v1/auth/me", headers=headers).json()["confirmed"] is True


def test_the_sign_up_email_is_in_russian_unless_asked_otherwise_and_api_clients_confirm_with_get(
    gateway, mailbox
):
    email = fresh_email()
    _register(gateway, email)

    link = _link_in_email(mailbox, email, "/confirm")
    confirmed = gateway.get("/api/v1/auth/confirm", params={"token": token_of(link)})

    assert "Подтвердите адрес электронной почты" in mailbox.messages_to(email)[0]["Subject"]
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["confirmed"] is True


def test_a_forged_or_empty_token_posted_to_confirm_is_an_invalid_link(gateway):
    account = _register(gateway, fresh_email())
    forged = jwt.encode(
        {"purpose": "confirm-email", "sub": account["id"]}, "f" * 40, algorithm="HS256"
    )

    refused = gateway.post("/api/v1/auth/confirm", json={"token": forged})
    empty = gateway.post("/api/v1/auth/confirm", json={"token": ""})

    assert refused.status_code == 400
    assert (refused.json()["title"], refused.headers["content-type"]) == (
        "Invalid link",
        "application/problem+json",
    )
    assert empty.status_code == 422


def test_sign_up_succeeds_while_the_notifications_service_is_down(platform: Stack, gateway):
    email = fresh_email()
    platform.stop_service("notifications")
    try:
        opened = gateway.post("/api/v1/auth/register", json={"email": email, "password": PASSWORD})
    finally:
        platform.start_service("notifications")

    assert opened.status_code == 202, opened.text
    assert token_response(gateway, email).status_code == 200


# --- a forgotten password -------------------------------------------------------------------------


def test_a_forgotten_password_is_reset_through_the_emailed_link_once_and_every_old_session_ends(
    platform: Stack, gateway, mailbox
):
    email = fresh_email()
    _register(gateway, email)
    old_session = signed_in(gateway, email)

    asked = gateway.post(
        "/api/v1/auth/password-reset", json={"email": email.upper(), "language": "be"}
    )
    link = _link_in_email(mailbox, email, "/reset-password")
    weak, reset, again = (
        password_through_link(gateway, link, password, route="reset-password")
        for password in ("short", NEW_PASSWORD, "yet another passphrase")
    )

    assert asked.status_code == 202, asked.text
    assert link.startswith(platform.web_url + "/reset-password?token=")
    reset_email = next(
        m
        for m in mailbox.messages_to(email)
        if "/reset-password" in mailbox.message(m["ID"])["Text"]
    )
    assert "Нехта папрасіў скінуць пароль" in mailbox.message(reset_email["ID"])["Text"]
    assert weak.status_code == 422 and weak.json()["errors"][0]["field"] == "password"
    assert reset.status_code == 200, reset.text
    assert reset.headers["cache-control"] == "no-store"
    assert again.status_code == 400 and again.json()["title"] == "Invalid link"
    assert token_response(gateway, email).status_code == 401
    assert token_response(gateway, email, NEW_PASSWORD).status_code == 200
    assert refresh_status(gateway, old_session) == 401


def test_asking_to_reset_an_unknown_address_gets_the_same_answer_and_sends_nothing(
    gateway, mailbox
):
    known, unknown = fresh_email(), fresh_email("nobody")
    _register(gateway, known)

    for_known = gateway.post("/api/v1/auth/password-reset", json={"email": known})
    for_unknown = gateway.post("/api/v1/auth/password-reset", json={"email": unknown})

    assert for_known.status_code == for_unknown.status_code == 202
    assert for_known.json() == for_unknown.json()
    assert for_known.json()["status"] == "accepted"
    _link_in_email(mailbox, known, "/reset-password")
    time.sleep(1)
    assert mailbox.messages_to(unknown) == []


def test_a_disabled_account_gets_no_reset_email(gateway, admin, mailbox):
    email = fresh_email()
    account = _register(gateway, email)
    assert (
        gateway.post(f"/api/v1/accounts/{account['id']}/disable", headers=admin).status_code == 200
    )

    asked = gateway.post("/api/v1/auth/password-reset", json={"email": email})

    assert asked.status_code == 202
    _link_in_email(
        mailbox, email, "/confirm"
    )  # the sign-up email came, so a reset email would have too
    time.sleep(1.5)
    assert not any(
        "/reset-password" in mailbox.message(m["ID"])["Text"] for m in mailbox.messages_to(email)
    )


def test_resets_asked_for_one_address_too_often_are_refused_for_a_while(gateway):
    email = fresh_email("flooded")

    answers = [gateway.post("/api/v1/auth/password-reset", json={"email": email}) for _ in range(4)]

    assert [a.status_code for a in answers[:3]] == [202, 202, 202]
    assert answers[3].status_code == 429
    assert answers[3].json()["type"] == "/problems/rate-limited"
    assert int(answers[3].headers["retry-after"]) > 0


def test_a_forged_reset_link_or_one_made_for_another_purpose_is_an_invalid_link(
    platform: Stack, gateway
):
    account = _register(gateway, fresh_email())
    forged = jwt.encode(
        {
            "purpose": "reset-password",
            "sub": account["id"],
            "stamp": "x",
            "exp": int(time.time()) + 600,
        },
        "f" * 40,
        algorithm="HS256",
    )
    confirmation = jwt.encode(
        {"purpose": "confirm-email", "sub": account["id"]},
        platform.config.internal_token_secret,
        algorithm="HS256",
    )

    for token in (forged, confirmation, "not-a-token"):
        refused = gateway.post(
            "/api/v1/auth/reset-password", json={"token": token, "password": NEW_PASSWORD}
        )
        assert refused.status_code == 400, token
        assert refused.json()["title"] == "Invalid link"


# --- changing the password, signing out everywhere ------------------------------------------------


def test_a_wrong_current_password_is_a_field_error_and_changes_nothing(gateway):
    email = fresh_email()
    _register(gateway, email)
    session = signed_in(gateway, email)

    refused = gateway.post(
        "/api/v1/auth/change-password",
        headers=bearer(session),
        json={"current_password": "not the passphrase", "new_password": NEW_PASSWORD},
    )

    assert refused.status_code == 422
    assert refused.headers["content-type"] == "application/problem+json"
    assert [e["field"] for e in refused.json()["errors"]] == ["current_password"]
    assert token_response(gateway, email).status_code == 200


def test_changing_the_password_ends_the_other_sessions_and_keeps_the_callers_own(gateway):
    email = fresh_email()
    _register(gateway, email)
    laptop, phone = signed_in(gateway, email), signed_in(gateway, email)

    changed = gateway.post(
        "/api/v1/auth/change-password",
        headers=bearer(laptop),
        json={
            "current_password": PASSWORD,
            "new_password": NEW_PASSWORD,
            "keep_refresh_token": laptop["refresh_token"],
        },
    )

    assert changed.status_code == 204, changed.text
    # The other session's tokens end at once; the caller's own stay good.
    assert (me_status(gateway, laptop), me_status(gateway, phone)) == (200, 401)
    assert refresh_status(gateway, phone) == 401
    assert refresh_status(gateway, laptop) == 200
    assert token_response(gateway, email).status_code == 401
    assert token_response(gateway, email, NEW_PASSWORD).status_code == 200


def test_a_weak_new_password_names_new_password(gateway):
    email = fresh_email()
    _register(gateway, email)

    refused = gateway.post(
        "/api/v1/auth/change-password",
        headers=bearer(signed_in(gateway, email)),
        json={"current_password": PASSWORD, "new_password": "short"},
    )

    assert refused.status_code == 422
    assert [e["field"] for e in refused.json()["errors"]] == ["new_password"]


def test_signing_out_everywhere_ends_every_session_of_the_account(gateway):
    email = fresh_email()
    _register(gateway, email)
    laptop, phone = signed_in(gateway, email), signed_in(gateway, email)

    signed_out = gateway.post("/api/v1/auth/logout-everywhere", headers=bearer(phone))

    assert signed_out.status_code == 204
    for session in (laptop, phone):
        assert refresh_status(gateway, session) == 401
    assert (
        token_response(gateway, email).status_code == 200
    )  # the password still works: a fresh sign-in


def test_changing_the_password_and_signing_out_everywhere_need_a_signed_in_caller(gateway):
    change = gateway.post(
        "/api/v1/auth/change-password",
        json={"current_password": PASSWORD, "new_password": NEW_PASSWORD},
    )
    everywhere = gateway.post("/api/v1/auth/logout-everywhere")

    for refused in (change, everywhere):
        assert refused.status_code == 401
        assert refused.json()["type"] == "/problems/sign-in-required"
        assert refused.headers["www-authenticate"].startswith("Bearer")
