"""The platform's logs keep no one's contacts, password or tokens: a Mogilev lift maker's person
opens an account (with a password of their own), confirms its address, signs in, refreshes the
session, registers the enterprise with their name and phone, publishes an offer; a Smolensk buyer's
need is matched with it, the agency approves, both are interested and are emailed each other's
contacts; on the way the person also mistypes the password, registers the address again, asks for a
new password and sends a body the gateway refuses. Then every line every process of the platform
wrote (the services, the relay, the gateway, the web application, Kafka, PostgreSQL) is read for
those contacts, the password and every token: none is there."""

from __future__ import annotations

import random
import re
import time
import uuid
from pathlib import Path

import httpx

from tests.e2e.console_story import (
    answer_interested,
    approve,
    proposed_lift_pair,
    registered_company,
)
from tests.e2e.profiles import lift_maker_profile
from tests.e2e.waiting import wait_until
from tests.identifiers import fresh_marker


def platform_log_files(platform) -> list[Path]:
    """Every process's output (devstack's run directory) and PostgreSQL's server log; Kafka's topic
    data, which carries the contacts on purpose, is not a log of lines."""
    files = sorted(platform.supervisor.run_dir.glob("*.log"))
    files += sorted((platform.config.state_dir / "postgres").glob("*.log"))
    return [path for path in files if path.is_file()]


def lines_holding(files: list[Path], secrets: dict[str, str]) -> list[str]:
    found = []
    for path in files:
        for number, line in enumerate(path.read_text(errors="replace").splitlines(), 1):
            lowered = line.lower()
            found += [
                f"{path.name}:{number}: {what}"
                for what, secret in secrets.items()
                if secret.lower() in lowered
            ]
    return found


def tokens_emailed_to(platform, *addresses: str) -> set[str]:
    """Every link with a token in every email the sink holds for the addresses, as "/path?token=..."
    (read from the sink itself: the test mailbox follows and hides the address confirmations)."""
    sink = httpx.Client(base_url=platform.mail_api_url, timeout=10)
    listing = sink.get("/api/v1/messages", params={"limit": 1000}).json()["messages"]
    found = set()
    for summary in listing:
        if any(to["Address"] in addresses for to in summary["To"]):
            body = sink.get(f"/api/v1/message/{summary['ID']}").json().get("Text") or ""
            found |= {
                match.group(1)
                for match in re.finditer(
                    r"https?://[^/\s]+(/[\w/-]*\?token=[A-Za-z0-9._~-]{16,})", body
                )
            }
    return found


def _link_token(mailbox, address: str, path: str) -> str:
    pattern = re.compile(rf"{re.escape(path)}\?token=([A-Za-z0-9._~-]+)")

    def tokens() -> list[str]:
        return [
            found.group(1)
            for summary in mailbox.messages_to(address)
            if (found := pattern.search(mailbox.message(summary["ID"]).get("Text") or ""))
        ]

    found = wait_until(tokens, bool)
    assert found, f"no {path} link reached {address}"
    return found[0]


def test_a_whole_story_leaves_no_contact_password_or_token_in_any_log(
    platform, gateway, mailbox, agency, open_company, new_housing_operator
):
    marker = fresh_marker(8)
    address = f"logs-{marker}@example.by"
    password = f"passphrase {uuid.uuid4().hex}"
    person = (
        "Алесь " + "".join(random.choice("абвгдежзклмнопрстуфхцчш") for _ in range(9)).capitalize()
    )
    subscriber = f"{random.randrange(10**6, 10**7)}"
    phone, phone_digits = (
        f"+375 29 {subscriber[:3]}-{subscriber[3:5]}-{subscriber[5:]}",
        f"29{subscriber}",
    )

    assert (
        gateway.post(
            "/api/v1/auth/register", json={"email": address, "password": password}
        ).status_code
        == 202
    )
    assert (
        gateway.post(
            "/api/v1/auth/token", data={"username": address, "password": password + "!"}
        ).status_code
        == 401
    )
    signed_in = gateway.post(
        "/api/v1/auth/token", data={"username": address, "password": password}
    ).json()
    confirmation_token = _link_token(mailbox, address, "/confirm")
    assert (
        gateway.post("/api/v1/auth/confirm", json={"token": confirmation_token}).status_code == 200
    )
    refreshed = gateway.post(
        "/api/v1/auth/refresh", json={"refresh_token": signed_in["refresh_token"]}
    ).json()
    seller_account = {"Authorization": f"Bearer {refreshed['access_token']}"}
    # The same address registered again (its owner is told by email), and a body the gateway
    # refuses.
    assert (
        gateway.post(
            "/api/v1/auth/register", json={"email": address, "password": password}
        ).status_code
        == 202
    )
    refused = gateway.post(
        "/api/v1/enterprises",
        headers=seller_account,
        json={"email": address, "contact_person": person, "phone": phone},
    )
    assert refused.status_code == 422

    lift_maker = lift_maker_profile(
        languages=["ru"], contact_person=person, email=address, phone=phone
    )
    registered = gateway.post("/api/v1/enterprises", json=lift_maker, headers=seller_account)
    assert registered.status_code == 201, registered.text
    buyer = new_housing_operator()
    buyer_id, buyer_account = registered_company(gateway, open_company, buyer)
    _, _, match = proposed_lift_pair(
        gateway,
        agency,
        seller=(registered.json()["id"], seller_account),
        buyer=(buyer_id, buyer_account),
        offer_title=f"Лифты пассажирские {marker}, 400–1000 кг",
        need_title=f"Замена пассажирских лифтов {marker}, 120 шт.",
    )
    approve(gateway, agency, match["id"])
    answer_interested(gateway, match["id"], buyer_account, seller_account)
    # The buyer is emailed the lift maker's contacts, and a new password is asked for.
    assert wait_until(
        lambda: [
            m
            for m in mailbox.messages_to(buyer["email"])
            if phone_digits in re.sub(r"\D", "", mailbox.message(m["ID"]).get("Text") or "")
        ],
        bool,
    )
    assert gateway.post("/api/v1/auth/password-reset", json={"email": address}).status_code in (
        200,
        202,
    )
    reset_token = _link_token(mailbox, address, "/reset-password")
    emailed_tokens = tokens_emailed_to(platform, address, buyer["email"])
    assert (
        len(emailed_tokens) >= 3
    )  # the account's, the password reset's, the suggestions' unsubscribe links at least
    # A person opens the links' pages in the web application, the token in the query string.
    for path_and_token in emailed_tokens:
        httpx.get(f"{platform.web_url}{path_and_token}", timeout=10)
    time.sleep(1.0)  # the processes' last lines reach their files

    secrets = {
        "address": address,
        "password": password,
        "contact person": person,
        "phone": phone_digits,
        "phone as typed": phone,
        "E.164 phone": f"+375{phone_digits}",
        "buyer's address": buyer["email"],
        "access token": signed_in["access_token"],
        "refresh token": signed_in["refresh_token"],
        "refreshed access token": refreshed["access_token"],
        "refreshed refresh token": refreshed["refresh_token"],
        "confirmation token": confirmation_token,
        "password reset token": reset_token,
    } | {
        f"emailed token of {path_and_token.split('?')[0]}": path_and_token.split("token=", 1)[1]
        for path_and_token in emailed_tokens
    }
    files = platform_log_files(platform)
    assert {"gateway.log", "registry.log", "matching.log", "notifications.log"} <= {
        path.name for path in files
    }, files
    assert (
        sum(len(path.read_text(errors="replace").splitlines()) for path in files) > 100
    )  # the story was logged
    assert lines_holding(
        files, {"match id": match["id"]}
    )  # ids are logged, and found where they are
    assert lines_holding(files, secrets) == []
