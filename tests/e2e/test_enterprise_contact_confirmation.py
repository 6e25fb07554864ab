"""A company registers its enterprise with an address other than its account's: that address gets
only a confirmation email until someone there follows its link, so the platform cannot be used to
mail strangers. Once confirmed, the welcome and the agency's decision kept for it arrive; a new
address needs its own confirmation, and the old link no longer confirms anything.

This mailbox does not confirm by itself (the suite's `mailbox` fixture does, for other stories)."""

from __future__ import annotations

import re
import time

import httpx
import pytest

from tests.e2e.conftest import Mailbox, contact_confirmation_token
from tests.e2e.waiting import wait_until

pytestmark = pytest.mark.e2e


@pytest.fixture
def raw_mailbox(platform) -> Mailbox:
    return Mailbox(platform.mail_api_url)


def _subjects(mailbox: Mailbox, address: str) -> list[str]:
    return sorted(m["Subject"] for m in mailbox.messages_to(address))


def _confirmation_token(mailbox: Mailbox, address: str) -> str:
    found = wait_until(lambda: mailbox.messages_to(address), bool)
    assert len(found) == 1, [m["Subject"] for m in found]
    [summary] = found
    token = contact_confirmation_token(mailbox.message(summary["ID"]))
    assert token, summary["Subject"]
    return token


def test_an_unconfirmed_enterprise_address_gets_only_the_confirmation_then_what_was_kept(
    gateway, open_company, raw_mailbox, new_housing_operator, verify_enterprise, platform
):
    owner, profile = open_company(), new_housing_operator()
    registered = gateway.post("/api/v1/enterprises", headers=owner, json=profile)
    assert registered.status_code == 201, registered.text
    preferences = f"/api/v1/enterprises/{registered.json()['id']}/notification-preferences"
    token = _confirmation_token(raw_mailbox, profile["email"])
    verify_enterprise(registered.json()["id"])
    assert (
        gateway.get(preferences, headers=owner).json()["address_confirmed"] is False
    )  # the portal's emails page says so

    time.sleep(3)  # the welcome and the agency's decision are due by now, and kept
    [confirmation] = raw_mailbox.messages_to(profile["email"])
    assert (
        "Подтвердите адрес" in confirmation["Subject"]
        and profile["name"] in confirmation["Subject"]
    )
    assert (
        f"{platform.web_url}/confirm-contact?token="
        in raw_mailbox.message(confirmation["ID"])["Text"]
    )

    confirmed = gateway.post("/api/v1/contact-confirmations", json={"token": token})

    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json() == {
        "enterprise_id": registered.json()["id"],
        "email": profile["email"],
        "confirmed": True,
    }
    subjects = wait_until(
        lambda: _subjects(raw_mailbox, profile["email"]), lambda found: len(found) >= 3
    )
    assert len(subjects) == 3, subjects
    assert [
        any(part in s for s in subjects)
        for part in ("Подтвердите адрес", "Добро пожаловать", "прошло проверку")
    ] == [True] * 3
    assert (
        gateway.post("/api/v1/contact-confirmations", json={"token": token}).status_code == 200
    )  # twice is harmless
    assert gateway.get(preferences, headers=owner).json()["address_confirmed"] is True


def test_a_new_address_needs_its_own_confirmation_and_the_old_link_confirms_nothing(
    gateway, open_company, raw_mailbox, new_housing_operator
):
    owner, profile = open_company(), new_housing_operator()
    registered = gateway.post("/api/v1/enterprises", headers=owner, json=profile).json()
    old_token = _confirmation_token(raw_mailbox, profile["email"])
    new_address = profile["email"].replace("housing-", "sales-")

    changed = gateway.patch(
        f"/api/v1/enterprises/{registered['id']}",
        headers=owner,
        json={"version": registered["version"], "email": new_address},
    )

    assert changed.status_code == 200, changed.text
    new_token = _confirmation_token(raw_mailbox, new_address)
    stale = gateway.post("/api/v1/contact-confirmations", json={"token": old_token})
    assert stale.status_code == 409 and stale.headers["content-type"].startswith(
        "application/problem+json"
    )
    assert (
        gateway.post("/api/v1/contact-confirmations", json={"token": new_token}).status_code == 200
    )


@pytest.mark.parametrize(
    "token", ["not-a-real-token", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.forged-signature"]
)
def test_a_forged_confirmation_link_is_refused_naming_the_token(gateway, token):
    refused = gateway.post("/api/v1/contact-confirmations", json={"token": token})

    assert refused.status_code == 422, refused.text
    assert [error["field"] for error in refused.json()["errors"]] == ["token"]


def test_the_confirmation_page_asks_for_a_click_before_it_confirms(
    platform, gateway, open_company, raw_mailbox, new_housing_operator
):
    profile = new_housing_operator()
    gateway.post("/api/v1/enterprises", headers=open_company(), json=profile)
    token = _confirmation_token(raw_mailbox, profile["email"])

    with httpx.Client(base_url=platform.web_url, timeout=30) as browser:
        page = browser.get("/confirm-contact", params={"token": token})

    assert page.status_code == 200 and 'action="/confirm-contact"' in page.text
    time.sleep(
        2
    )  # a mail scanner that opened the link confirmed nothing: still only the confirmation
    assert len(raw_mailbox.messages_to(profile["email"])) == 1


def _account_with_confirmed_address(gateway, mailbox: Mailbox, email: str) -> dict[str, str]:
    """A company that signed up with `email` and followed the link its confirmation email
    brought."""
    password = "a long passphrase"
    assert (
        gateway.post(
            "/api/v1/auth/register", json={"email": email, "password": password}
        ).status_code
        == 202
    )
    [sign_up] = wait_until(lambda: mailbox.messages_to(email), bool)
    token = re.search(r"/confirm\?token=(\S+)", mailbox.message(sign_up["ID"])["Text"]).group(1)
    assert gateway.post("/api/v1/auth/confirm", json={"token": token}).json()["confirmed"] is True
    tokens = gateway.post(
        "/api/v1/auth/token", data={"username": email, "password": password}
    ).json()
    return {"Authorization": f"Bearer {tokens['access_token']}"}


def test_an_enterprise_that_gives_its_owners_confirmed_address_is_not_asked_to_confirm_it_again(
    gateway, raw_mailbox, new_housing_operator
):
    profile = new_housing_operator()
    owner = _account_with_confirmed_address(gateway, raw_mailbox, profile["email"])

    registered = gateway.post("/api/v1/enterprises", headers=owner, json=profile)

    assert registered.status_code == 201, registered.text
    subjects = wait_until(
        lambda: _subjects(raw_mailbox, profile["email"]), lambda found: len(found) >= 2
    )
    assert any("Добро пожаловать" in s for s in subjects), subjects  # the welcome, straight away
    assert not any("Подтвердите адрес для писем" in s for s in subjects), subjects
    preferences = gateway.get(
        f"/api/v1/enterprises/{registered.json()['id']}/notification-preferences", headers=owner
    )
    assert preferences.json()["address_confirmed"] is True


def test_moving_an_enterprise_to_its_owners_confirmed_address_needs_no_confirmation_there(
    gateway, raw_mailbox, new_housing_operator
):
    profile = new_housing_operator()
    own_address = profile["email"].replace("housing-", "owner-")
    owner = _account_with_confirmed_address(gateway, raw_mailbox, own_address)
    registered = gateway.post("/api/v1/enterprises", headers=owner, json=profile).json()
    _confirmation_token(raw_mailbox, profile["email"])  # another address: asked to confirm

    moved = gateway.patch(
        f"/api/v1/enterprises/{registered['id']}",
        headers=owner,
        json={"version": registered["version"], "email": own_address},
    )

    assert moved.status_code == 200, moved.text
    preferences = f"/api/v1/enterprises/{registered['id']}/notification-preferences"
    wait_until(lambda: gateway.get(preferences, headers=owner).json()["address_confirmed"], bool)
    assert not any("Подтвердите адрес для писем" in s for s in _subjects(raw_mailbox, own_address))
