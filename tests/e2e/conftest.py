from __future__ import annotations

import time
import uuid

import httpx
import pytest
from stdnum.ru import inn as ru_inn

from devstack.stack import Stack


class Mailbox:
    """Reads the SMTP sink through its Mailpit-shaped API."""

    def __init__(self, api_url: str) -> None:
        self._client = httpx.Client(base_url=api_url, timeout=5)

    def messages_to(self, address: str) -> list[dict]:
        listing = self._client.get("/api/v1/messages", params={"limit": 1000}).json()
        return [m for m in listing["messages"] if any(to["Address"] == address for to in m["To"])]

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


@pytest.fixture(scope="session")
def mailbox(platform: Stack) -> Mailbox:
    return Mailbox(platform.mail_api_url)


@pytest.fixture(scope="session")
def gateway(platform: Stack):
    with httpx.Client(base_url=platform.gateway_url, timeout=30) as client:
        yield client


def _new_inn() -> str:
    """A fresh, valid 10-digit INN (Smolensk region tax office prefix 67)."""
    body = "67" + str(uuid.uuid4().int)[:7]
    return body + ru_inn.calc_company_check_digit(body)


@pytest.fixture
def smolensk_housing_operator() -> dict:
    marker = uuid.uuid4().hex[:8]
    return {
        "name": f"МУП «Смоленскжилсервис» {marker}",
        "country": "RU",
        "region": "smolensk_oblast",
        "city": "Смоленск",
        "inn": _new_inn(),
        "sectors": ["construction"],
        "description": "Управляем многоквартирными домами Смоленска; нужна замена 120 пассажирских лифтов.",
        "languages": ["ru"],
        "size": "medium",
        "certifications": [],
        "contact_person": "Мария Иванова",
        "email": f"housing-{marker}@example.ru",
        "phone": "+74812000000",
        "personal_data_consent": True,
    }
