"""Accounts that cannot be borrowed, through the whole platform (gateway, registry, notifications,
SMTP): an access token stops working when its session ends (sign-out, sign-out everywhere, a new
password: tests/e2e/test_gateway_account_recovery.py tells that one), a refresh token used twice
ends its whole session, signing up tells nobody whether an address has an account (its owner is
told instead), and a company deletes its account with its enterprises."""

from __future__ import annotations

import json
import re
import statistics
import time

import httpx

from devstack.demo import load_demo
from tests.e2e.accounts import (
    NEW_PASSWORD,
    PASSWORD,
    bearer,
    fresh_email,
    me_status,
    refresh_status,
    signed_in,
    token_response,
)
from tests.e2e.waiting import exactly_one_email, wait_until


def _register(gateway, email: str, password: str = PASSWORD, **extra):
    return gateway.post(
        "/api/v1/auth/register", json={"email": email, "password": password, **extra}
    )


def _company(gateway) -> str:
    email = fresh_email()
    assert _register(gateway, email).status_code == 202
    return email


# --- an access token ends with its session --------------------------------------------------------


def test_an_access_token_stops_working_at_sign_out_and_the_other_devices_stay_signed_in(gateway):
    email = _company(gateway)
    laptop, phone = signed_in(gateway, email), signed_in(gateway, email)
    assert (me_status(gateway, laptop), me_status(gateway, phone)) == (200, 200)

    signed_out = gateway.post(
        "/api/v1/auth/logout", json={"refresh_token": laptop["refresh_token"]}
    )

    assert signed_out.status_code == 204
    refused = gateway.get("/api/v1/auth/me", headers=bearer(laptop))
    assert refused.status_code == 401
    assert refused.json()["type"] == "/problems/sign-in-required"
    assert "signed out" in refused.json()["detail"]
    # A forwarded route is refused at the door the same way.
    assert gateway.post("/api/v1/enterprises", json={}, headers=bearer(laptop)).status_code == 401
    assert me_status(gateway, phone) == 200


def test_signing_out_everywhere_stops_every_access_token_of_the_account_at_once(gateway):
    email = _company(gateway)
    laptop, phone = signed_in(gateway, email), signed_in(gateway, email)
    other_company = signed_in(gateway, _company(gateway))

    assert gateway.post("/api/v1/auth/logout-everywhere", headers=bearer(phone)).status_code == 204

    assert (me_status(gateway, laptop), me_status(gateway, phone)) == (401, 401)
    assert me_status(gateway, other_company) == 200
    # Signing in again opens a new session.
    assert me_status(gateway, signed_in(gateway, email)) == 200


def test_a_password_reset_stops_every_access_token_of_the_account(gateway, mailbox):
    email = _company(gateway)
    stolen = signed_in(gateway, email)

    assert (
        gateway.post(
            "/api/v1/auth/password-reset", json={"email": email, "language": "en"}
        ).status_code
        == 202
    )
    found = wait_until(
        lambda: [
            m
            for m in mailbox.messages_to(email)
            if "/reset-password?token=" in mailbox.message(m["ID"])["Text"]
        ],
        bool,
    )
    text = mailbox.message(found[0]["ID"])["Text"]
    token = text.split("/reset-password?token=", 1)[1].split()[0]
    reset = gateway.post(
        "/api/v1/auth/reset-password", json={"token": token, "password": NEW_PASSWORD}
    )

    assert reset.status_code == 200, reset.text
    assert me_status(gateway, stolen) == 401


# --- a refresh token used twice -------------------------------------------------------------------


def test_a_refresh_token_used_a_second_time_ends_its_whole_session(gateway):
    email = _company(gateway)
    first = signed_in(gateway, email)
    elsewhere = signed_in(gateway, email)
    traded = gateway.post("/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert traded.status_code == 200, traded.text
    second = traded.json()
    assert me_status(gateway, second) == 200

    # Whoever copied the first refresh token trades it in after its owner did.
    replayed = gateway.post("/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})

    assert replayed.status_code == 401
    assert "already used" in replayed.json()["detail"]
    # Every token of that session is dead: the owner's current ones and the first access token.
    assert (me_status(gateway, first), me_status(gateway, second)) == (401, 401)
    assert refresh_status(gateway, second) == 401
    # The account's other session is not that one.
    assert me_status(gateway, elsewhere) == 200


def test_an_unknown_refresh_token_is_refused_without_ending_anything(gateway):
    email = _company(gateway)
    session = signed_in(gateway, email)

    unknown = gateway.post(
        "/api/v1/auth/refresh", json={"refresh_token": "not-a-token-anybody-was-given"}
    )

    assert unknown.status_code == 401
    assert me_status(gateway, session) == 200


# --- signing up tells nobody whether an address has an account ------------------------------------


def test_signing_up_with_a_taken_address_answers_as_a_new_one_and_tells_the_owner(gateway, mailbox):
    owner = fresh_email()
    new = _register(gateway, owner, language="en")

    taken = _register(gateway, owner.upper(), "the intruder's passphrase", language="en")

    assert taken.status_code == new.status_code == 202
    assert taken.json() == new.json()
    assert taken.headers["content-type"] == new.headers["content-type"]
    # The owner's account and password are untouched; the one who tried got nothing.
    assert me_status(gateway, signed_in(gateway, owner)) == 200
    assert token_response(gateway, owner, "the intruder's passphrase").status_code == 401
    warning = exactly_one_email(mailbox, owner, "Someone tried to open a Union Match account")
    assert "/forgot-password" in warning["Text"]
    assert "?token=" not in warning["Text"]  # nothing in it lets its reader into the account
    exactly_one_email(mailbox, owner, "Confirm your email address")  # from the first sign-up only


def test_signing_up_takes_as_long_for_a_taken_address_as_for_a_new_one(gateway):
    """The password is hashed either way; the figures are printed for the report."""
    taken = _company(gateway)

    def timed(email: str) -> float:
        started = time.perf_counter()
        assert _register(gateway, email).status_code == 202
        return time.perf_counter() - started

    new_times = [timed(fresh_email("timing")) for _ in range(7)]
    taken_times = [timed(taken) for _ in range(7)]
    new_median, taken_median = statistics.median(new_times), statistics.median(taken_times)
    print(
        f"sign-up median: new address {new_median * 1000:.1f} ms, taken address "
        f"{taken_median * 1000:.1f} ms"
    )

    # Without the hashing the taken address would answer several times faster.
    assert taken_median > new_median / 3


def test_a_second_make_up_signs_the_demo_companies_in_without_telling_their_owners_someone_tried(
    platform, tmp_path, mailbox, new_housing_operator
):
    enterprise = new_housing_operator() | {"offers": [], "needs": []}
    demo_file = tmp_path / "enterprises.json"
    demo_file.write_text(json.dumps([enterprise], ensure_ascii=False), encoding="utf-8")

    first, again = (
        load_demo(platform.gateway_url, demo_file),
        load_demo(platform.gateway_url, demo_file),
    )

    assert (first["registered"], again["already there"]) == (1, 1)
    exactly_one_email(mailbox, enterprise["email"], "Подтвердите адрес электронной почты")
    assert not [m for m in mailbox.messages_to(enterprise["email"]) if "пытался" in m["Subject"]]


# --- a company deletes its account ----------------------------------------------------------------


def test_a_company_deletes_its_account_with_its_enterprise_and_every_session_ends(
    gateway, agency, new_housing_operator
):
    email = _company(gateway)
    laptop, phone = signed_in(gateway, email), signed_in(gateway, email)
    enterprise = gateway.post(
        "/api/v1/enterprises", json=new_housing_operator(), headers=bearer(laptop)
    )
    assert enterprise.status_code == 201, enterprise.text
    enterprise_id = enterprise.json()["id"]

    wrong = gateway.request(
        "DELETE",
        "/api/v1/auth/me",
        json={"current_password": "not my password"},
        headers=bearer(laptop),
    )
    assert wrong.status_code == 422
    assert wrong.json()["errors"][0]["field"] == "current_password"
    assert gateway.get(f"/api/v1/enterprises/{enterprise_id}", headers=agency).status_code == 200

    deleted = gateway.request(
        "DELETE", "/api/v1/auth/me", json={"current_password": PASSWORD}, headers=bearer(laptop)
    )

    assert deleted.status_code == 204, deleted.text
    assert (me_status(gateway, laptop), me_status(gateway, phone)) == (401, 401)
    assert refresh_status(gateway, phone) == 401
    assert token_response(gateway, email).status_code == 401
    assert gateway.get(f"/api/v1/enterprises/{enterprise_id}", headers=agency).status_code == 404
    # The address is free again: signing up with it opens a new, empty account.
    assert _register(gateway, email, NEW_PASSWORD).status_code == 202
    reopened = signed_in(gateway, email, NEW_PASSWORD)
    assert gateway.get("/api/v1/auth/me", headers=bearer(reopened)).json()["enterprise_ids"] == []


def test_deleting_an_account_needs_a_signed_in_company(gateway, agency):
    anonymous = gateway.request("DELETE", "/api/v1/auth/me", json={"current_password": PASSWORD})
    staff = gateway.request(
        "DELETE", "/api/v1/auth/me", json={"current_password": "demo-agency"}, headers=agency
    )

    assert anonymous.status_code == 401
    assert staff.status_code == 409
    assert staff.headers["content-type"] == "application/problem+json"
    assert gateway.get("/api/v1/auth/me", headers=agency).status_code == 200


def test_a_company_deletes_its_account_from_the_web_account_page(
    platform, gateway, agency, new_housing_operator
):
    email = _company(gateway)
    enterprise_id = gateway.post(
        "/api/v1/enterprises",
        json=new_housing_operator(),
        headers=bearer(signed_in(gateway, email)),
    ).json()["id"]
    with httpx.Client(base_url=platform.web_url, timeout=30) as browser:

        def csrf(page: httpx.Response) -> str:
            return re.search(r'name="csrf-token" content="([^"]+)"', page.text).group(1)

        web_sign_in = browser.post(
            "/sign-in",
            data={
                "email": email,
                "password": PASSWORD,
                "csrf_token": csrf(browser.get("/sign-in")),
            },
        )
        assert web_sign_in.status_code == 303, web_sign_in.text[:300]
        page = browser.get("/account", headers={"accept-language": "ru"})
        assert 'action="/account/delete"' in page.text

        wrong = browser.post(
            "/account/delete", data={"delete_password": "not my password", "csrf_token": csrf(page)}
        )
        deleted = browser.post(
            "/account/delete", data={"delete_password": PASSWORD, "csrf_token": csrf(page)}
        )

        assert wrong.status_code == 400
        assert 'id="delete_password-error"' in wrong.text
        assert deleted.status_code == 303
        assert deleted.headers["location"] == "/sign-in?account_deleted=1"
        assert browser.get("/account").status_code in (
            303,
            401,
        )  # signed out: the account page asks to sign in
    assert token_response(gateway, email).status_code == 401
    assert gateway.get(f"/api/v1/enterprises/{enterprise_id}", headers=agency).status_code == 404
