"""Listings expire, on the whole platform (real PostgreSQL, Kafka and SMTP sink): when an offer's
last day has passed, the registry's sweep closes it saying it expired, matching withdraws its pair
keeping why, and the buyer of an approved suggestion is told the partner's listing expired; the
owner of an offer about to end is emailed once, in its language, with the page that extends it.

The sweep runs inside the registry every REGISTRY_EXPIRY_INTERVAL_SECONDS; these tests run one pass
of it from a shell (`python -m registry expire-listings`), as an operator may."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import uuid
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from devstack.stack import ROOT
from tests.e2e.console_story import approve, proposed_lift_pair, registered_company
from tests.e2e.profiles import lift_maker_profile
from tests.e2e.waiting import exactly_one_email, wait_until
from tests.identifiers import fresh_marker


def today() -> date:
    """Read when a story runs, not when it is collected: a session may cross midnight in Moscow."""
    return datetime.now(UTC).astimezone(ZoneInfo("Europe/Moscow")).date()


def expire_listings(platform) -> dict:
    """One pass of the sweep, from a shell."""
    done = subprocess.run(
        [sys.executable, "-m", "registry", "expire-listings"],
        env=os.environ | platform.service_env("registry"),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def days_pass(platform, listing_id: str, *, valid_until: date) -> None:
    """What the calendar does to a stored offer: its last day is now behind it (the registry would
    refuse such a date from a company, so the test writes it where time would)."""

    async def write() -> None:
        engine = create_async_engine(platform.database_url("registry"))
        async with engine.begin() as connection:
            await connection.execute(
                text("UPDATE listings SET valid_until = :day WHERE id = :id"),
                {"day": valid_until, "id": uuid.UUID(listing_id)},
            )
        await engine.dispose()

    asyncio.run(write())


def lift_maker(languages: list[str]) -> dict:
    return lift_maker_profile(
        languages=languages, contact_person="Алесь Каваль", phone="+375222111222"
    )


def test_an_approved_suggestion_whose_offer_expires_ends_and_the_buyer_is_told_it_expired(
    platform, gateway, mailbox, open_company, agency, new_housing_operator
):
    day = today()
    tomorrow, yesterday = day + timedelta(days=1), day - timedelta(days=1)
    marker = fresh_marker(6)
    maker, buyer = lift_maker(["ru"]), new_housing_operator()
    seller_id, seller_account = registered_company(gateway, open_company, maker)
    offer, need, match = proposed_lift_pair(
        gateway,
        agency,
        seller=(seller_id, seller_account),
        buyer=registered_company(gateway, open_company, buyer),
        offer_title=f"Пассажирские лифты {marker}",
        need_title=f"Замена пассажирских лифтов {marker}",
    )
    offer = gateway.patch(
        f"/api/v1/offers/{offer['id']}",
        headers=seller_account,
        json={"valid_until": tomorrow.isoformat(), "version": offer["version"]},
    ).json()
    approve(gateway, agency, match["id"])
    exactly_one_email(mailbox, buyer["email"], "Предложение о партнёрстве:")

    days_pass(platform, offer["id"], valid_until=yesterday)
    expire_listings(platform)

    closed = gateway.get(f"/api/v1/offers/{offer['id']}").json()
    assert (closed["status"], closed["closed_because"]) == ("closed", "expired")
    ended = wait_until(
        lambda: gateway.get(f"/api/v1/matches/{match['id']}", headers=agency).json(),
        lambda m: m["status"] == "withdrawn",
    )
    assert ended["status"] == "withdrawn"
    assert (
        ended["history"][-1]["note"]
        == f"the offer expired: it was valid until {yesterday.isoformat()}"
    )
    assert (ended["history"][-1]["cause"], ended["history"][-1]["side"]) == (
        "listing_expired",
        "offer",
    )

    told = exactly_one_email(mailbox, buyer["email"], "Предложение о партнёрстве завершено")
    assert "срок действия объявления партнёра истёк" in told["Text"]
    assert f"Ваша потребность: {need['title']}" in told["Text"]

    # The maker may bring it back, but only with a date that has not passed.
    refused = gateway.patch(
        f"/api/v1/offers/{offer['id']}",
        headers=seller_account,
        json={"status": "active", "version": closed["version"]},
    )
    assert refused.status_code == 422
    assert [e["field"] for e in refused.json()["errors"]] == ["valid_until"]
    reopened = gateway.patch(
        f"/api/v1/offers/{offer['id']}",
        headers=seller_account,
        json={
            "status": "active",
            "valid_until": (day + timedelta(days=90)).isoformat(),
            "version": closed["version"],
        },
    )
    assert reopened.status_code == 200, reopened.text
    assert (reopened.json()["status"], reopened.json()["closed_because"]) == ("active", None)


def test_the_owner_of_an_offer_about_to_expire_is_emailed_once_with_the_page_that_extends_it(
    platform, gateway, mailbox, open_company, agency, verify_enterprise
):
    maker = lift_maker(["be", "ru"])
    account = open_company()
    maker_id = gateway.post("/api/v1/enterprises", json=maker, headers=account).json()["id"]
    verify_enterprise(maker_id)
    ends = today() + timedelta(days=3)
    offer = gateway.post(
        f"/api/v1/enterprises/{maker_id}/offers",
        headers=account,
        json={
            "kind": "goods",
            "title": "Грузавыя ліфты 1000 кг",
            "sector": "elevators",
            "product_codes": ["8428101000"],
            "valid_until": ends.isoformat(),
        },
    ).json()

    expire_listings(platform)
    expire_listings(platform)  # a second pass reminds of the same date no more

    email = exactly_one_email(mailbox, maker["email"], "дзейнічае да")
    assert "Прапанова «Грузавыя ліфты 1000 кг»" in email["Subject"]
    link = f"{platform.web_url}/my/listings/offer/{offer['id']}/edit"
    assert link in email["Text"] and link in email["HTML"]
    kept = gateway.get(f"/api/v1/offers/{offer['id']}").json()
    assert (kept["status"], kept["version"]) == (
        "active",
        offer["version"],
    )  # a reminder changes nothing in the offer
