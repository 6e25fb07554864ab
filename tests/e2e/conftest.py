from __future__ import annotations

import re
import time
import uuid

import httpx
import pytest

from devstack.stack import Stack
from tests.e2e.profiles import housing_operator_profile


class Mailbox:
    """Reads the SMTP sink through its Mailpit-shaped API.

    With `gateway_url`, it reads as a company that confirms its enterprise's address as soon as the
    confirmation email arrives: it follows the link (through the gateway, as the confirmation page
    does) and lists the other emails only, so stories about welcomes, decisions and suggestions
    read as they did before addresses were confirmed
    (tests/e2e/test_enterprise_contact_confirmation.py tells the confirmation's own story, with a
    mailbox that does not confirm)."""

    def __init__(self, api_url: str, *, gateway_url: str | None = None) -> None:
        self._client = httpx.Client(base_url=api_url, timeout=5)
        self._gateway = httpx.Client(base_url=gateway_url, timeout=30) if gateway_url else None
        self._confirmations: dict[
            str, bool
        ] = {}  # message id -> whether it is a contact confirmation

    def messages_to(self, address: str) -> list[dict]:
        listing = self._client.get("/api/v1/messages", params={"limit": 1000}).json()
        found = [m for m in listing["messages"] if any(to["Address"] == address for to in m["To"])]
        if self._gateway is None:
            return found
        return [m for m in found if not self._confirmed_by_following(m)]

    def _confirmed_by_following(self, summary: dict) -> bool:
        if summary["ID"] not in self._confirmations:
            token = contact_confirmation_token(self.message(summary["ID"]))
            if token is not None:
                response = self._gateway.post(
                    "/api/v1/contact-confirmations", json={"token": token}
                )
                assert response.status_code in (200, 409), (
                    response.text
                )  # 409: the address changed since
            self._confirmations[summary["ID"]] = token is not None
        return self._confirmations[summary["ID"]]

    def wait_for(self, address: str, *, timeout: float = 30.0) -> list[dict]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.messages_to(address)
            if found:
                return found
            time.sleep(0.2)
        raise AssertionError(f"no email reached {address} within {timeout:.0f}s")

    def message(self, message_id: str) -> dict:
        return self._client.get(f"/api/v1/message/{message_id}").json()


def contact_confirmation_token(message: dict) -> str | None:
    """The token of an enterprise address's confirmation link, when the message is that email."""
    found = re.search(r"/confirm-contact\?token=([A-Za-z0-9._-]+)", message.get("Text") or "")
    return found.group(1) if found else None


@pytest.fixture(scope="session")
def mailbox(platform: Stack) -> Mailbox:
    return Mailbox(platform.mail_api_url, gateway_url=platform.gateway_url)


@pytest.fixture(scope="session")
def gateway(platform: Stack):
    with httpx.Client(base_url=platform.gateway_url, timeout=30) as client:
        yield client


DEMO_AGENCY = ("agency@demo.local", "demo-agency")
DEMO_ADMIN = ("admin@demo.local", "demo-admin")


def _sign_in(gateway: httpx.Client, email: str, password: str) -> dict[str, str]:
    """The Authorization header of a fresh access token."""
    response = gateway.post("/api/v1/auth/token", data={"username": email, "password": password})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def _open_company_account(
    gateway: httpx.Client, email: str | None = None, password: str = "a long passphrase"
) -> dict[str, str]:
    """Registers a company account and signs it in; returns its Authorization header."""
    email = email or f"company-{uuid.uuid4().hex[:10]}@example.ru"
    response = gateway.post("/api/v1/auth/register", json={"email": email, "password": password})
    assert response.status_code == 202, response.text
    return _sign_in(gateway, email, password)


@pytest.fixture(scope="session")
def sign_in(gateway):
    """sign_in(email, password) -> the Authorization header of a fresh access token."""
    return lambda email, password: _sign_in(gateway, email, password)


@pytest.fixture(scope="session")
def open_company(gateway):
    """open_company(email=None, password=...) -> a new company account's Authorization header."""
    return lambda email=None, password="a long passphrase": _open_company_account(
        gateway, email, password
    )


@pytest.fixture
def company(gateway) -> dict[str, str]:
    """A company that has just opened its account and signed in (no enterprise yet)."""
    return _open_company_account(gateway)


@pytest.fixture
def agency(gateway) -> dict[str, str]:
    """The demo reviewer of the investment agency, signed in (the test platform runs in demo
    mode)."""
    return _sign_in(gateway, *DEMO_AGENCY)


@pytest.fixture(scope="session")
def verify_enterprise(gateway):
    """verify_enterprise(enterprise_id, ...) -> the demo reviewer verifies them through the agency
    API (matching proposes pairs only between verified enterprises)."""

    def verify(*enterprise_ids: str) -> None:
        staff = _sign_in(gateway, *DEMO_AGENCY)
        for enterprise_id in enterprise_ids:
            response = gateway.post(f"/api/v1/enterprises/{enterprise_id}/verify", headers=staff)
            assert response.status_code == 200, response.text

    return verify


@pytest.fixture
def admin(gateway) -> dict[str, str]:
    return _sign_in(gateway, *DEMO_ADMIN)


@pytest.fixture
def smolensk_housing_operator() -> dict:
    return housing_operator_profile()


@pytest.fixture(scope="session")
def new_housing_operator():
    """new_housing_operator() -> a fresh enterprise profile (own INN and email) for each call."""
    return housing_operator_profile
