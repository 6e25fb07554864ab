"""A company deletes its enterprise and the platform forgets its people (152-FZ, GDPR): a Mogilev
lift maker with a contact person, an address and a phone of its own is matched with a Smolensk
housing operator, both are emailed the suggestion and then each other's contacts, and the lift maker
deletes its enterprise. Then no database of the registry, matching or notifications holds its
contact person, address or phone in any column of any table, matching keeps its listings without
their texts, and the public API serves neither the enterprise nor its offer."""

from __future__ import annotations

import asyncio
import random
import uuid

from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from tests.e2e.console_story import (
    answer_interested,
    approve,
    proposed_lift_pair,
    registered_company,
)
from tests.e2e.profiles import lift_maker_profile
from tests.e2e.waiting import wait_until
from tests.identifiers import fresh_marker

SERVICES_HOLDING_COPIES = ("registry", "matching", "notifications")


def _unique_person() -> str:
    surname = "".join(random.choice("абвгдеёжзклмнопрстуфхцчшэюя") for _ in range(9))
    return f"Ганна {surname.capitalize()}ская"


def _unique_mobile() -> tuple[str, str]:
    """A Belarusian mobile number as a person types it, and the digits any stored spelling keeps."""
    subscriber = f"{random.randrange(10**6, 10**7)}"
    return f"+375 29 {subscriber[:3]}-{subscriber[3:5]}-{subscriber[5:]}", f"29{subscriber}"


def rows_holding(platform, needles: list[str]) -> dict[str, list[str]]:
    """Every row of every table, in each service's database, whose text holds one of the needles,
    named as database.table: needle."""

    async def search() -> dict[str, list[str]]:
        found: dict[str, list[str]] = {}
        for database in SERVICES_HOLDING_COPIES:
            engine = create_async_engine(platform.database_url(database))
            async with engine.connect() as connection:
                tables = (
                    (
                        await connection.execute(
                            text(
                                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                                "AND tablename <> 'alembic_version'"
                            )
                        )
                    )
                    .scalars()
                    .all()
                )
                for table in tables:
                    for needle in needles:
                        hits = await connection.scalar(
                            text(
                                f'SELECT count(*) FROM "{table}" AS row WHERE row::text ILIKE '
                                ":pattern"
                            ),
                            {"pattern": f"%{needle}%"},
                        )
                        if hits:
                            found.setdefault(f"{database}.{table}", []).append(needle)
            await engine.dispose()
        return found

    return asyncio.run(search())


def matching_listings_of(platform, enterprise_id: str) -> list[dict]:
    async def read() -> list[dict]:
        engine = create_async_engine(platform.database_url("matching"))
        async with engine.connect() as connection:
            rows = await connection.execute(
                text(
                    "SELECT enterprise_name, title, description, enterprise_status FROM "
                    "listings WHERE enterprise_id = :id"
                ),
                {"id": uuid.UUID(enterprise_id)},
            )
            listings = [dict(row._mapping) for row in rows]
        await engine.dispose()
        return listings

    return asyncio.run(read())


def test_a_deleted_enterprise_leaves_no_contact_of_its_people_in_any_service(
    platform, gateway, mailbox, open_company, agency, new_housing_operator
):
    marker = fresh_marker(6)
    person, (phone, phone_digits) = _unique_person(), _unique_mobile()
    address = f"erase-{marker}@example.by"
    lift_maker = lift_maker_profile(
        languages=["ru"], contact_person=person, email=address, phone=phone
    )
    buyer = new_housing_operator()
    # The company's account shares the enterprise's address, as most do; the account itself is the
    # person's own and is closed on its own, so the gateway's database is not searched here.
    seller_id, seller_account = registered_company(gateway, open_company, lift_maker, address)
    buyer_id, buyer_account = registered_company(gateway, open_company, buyer)
    offer, need, match = proposed_lift_pair(
        gateway, agency, (seller_id, seller_account), (buyer_id, buyer_account), marker=marker
    )
    approve(gateway, agency, match["id"])
    answer_interested(gateway, match["id"], buyer_account, seller_account)
    # The buyer is emailed the lift maker's contacts (and the lift maker the buyer's): notifications
    # keeps what it rendered them with, the phone among it.
    needles = [address, phone_digits, person]

    def reading_both_mailboxes_then_searching() -> dict[str, list[str]]:
        for company_address in (
            address,
            buyer["email"],
        ):  # each company confirms its address when that email comes
            mailbox.messages_to(company_address)
        return rows_holding(platform, needles)

    held = wait_until(
        reading_both_mailboxes_then_searching,
        lambda found: phone_digits in found.get("notifications.deliveries", []),
        timeout=60,
    )
    assert phone_digits in held.get("notifications.deliveries", []), held
    assert set(held.get("registry.enterprises", [])) == set(needles), (
        held
    )  # the search finds what is there
    assert wait_until(
        lambda: [
            m
            for m in mailbox.messages_to(buyer["email"])
            if person in (mailbox.message(m["ID"]).get("Text") or "")
        ],
        bool,
    )

    deleted = gateway.delete(f"/api/v1/enterprises/{seller_id}", headers=seller_account)
    assert deleted.status_code == 204, deleted.text

    left = wait_until(lambda: rows_holding(platform, needles), lambda found: not found)
    assert left == {}
    erased = wait_until(
        lambda: matching_listings_of(platform, seller_id),
        lambda listings: listings and all(row["title"] == "" for row in listings),
    )
    assert erased == [
        {"enterprise_name": "", "title": "", "description": "", "enterprise_status": "deleted"}
    ]
    assert gateway.get(f"/api/v1/enterprises/{seller_id}", headers=agency).status_code == 404
    assert gateway.get(f"/api/v1/offers/{offer['id']}", headers=agency).status_code == 404
    assert (
        offer["id"] not in gateway.get("/api/v1/offers", params={"q": marker}, headers=agency).text
    )
    assert (
        offer["id"]
        not in gateway.get(f"/api/v1/enterprises/{seller_id}/offers", headers=agency).text
    )
    # The buyer had been introduced to it; its partners no longer list it.
    assert gateway.get(
        f"/api/v1/enterprises/{buyer_id}/partners", headers=buyer_account
    ).json() == {"items": []}
