"""The whole story in the browser: a Belarusian lift maker signs up with the page in Belarusian,
confirms its address, registers through the wizard and publishes an offer; a Smolensk housing
operator does the same in Russian and publishes a need; the agency's reviewer approves the pair in
the console; both companies find the suggestion under «My suggestions» and answer «Interested»;
both then see each other's contacts under «My partners», and the introduction emails arrive."""

from __future__ import annotations

import time

from playwright.async_api import expect

from tests.e2e.browser import chromium, screenshot, watch_for_errors
from tests.e2e.console_story import close_listings, verify
from tests.e2e.portal_story import publish, register_through_wizard, sign_in, sign_up_and_confirm
from tests.identifiers import fresh_inn, fresh_marker, fresh_unp

PASSWORD = "доўгі і надзейны пароль"


def _profile(marker: str, *, country: str) -> dict:
    if country == "BY":
        return {
            "country": "BY",
            "unp": fresh_unp(),
            "name": f"ААТ «Магілёўліфтмаш» {marker}",
            "region": "mogilev_oblast",
            "city": "Магілёў",
            "sectors": ["elevators"],
            "description": "Вырабляем пасажырскія ліфты.",
            "contact_person": "Іван Пятроў",
            "email": f"sales-{marker}@example.by",
            "phone": "+375222123456",
        }
    return {
        "country": "RU",
        "inn": fresh_inn(),
        "name": f"МУП «Смоленскжилсервис» {marker}",
        "region": "smolensk_oblast",
        "city": "Смоленск",
        "sectors": ["construction"],
        "description": "Управляем жилыми домами Смоленска.",
        "contact_person": "Мария Иванова",
        "email": f"housing-{marker}@example.ru",
        "phone": "+74812000000",
    }


def _proposed_pair(gateway, agency, *, need_id: str, offer_id: str, timeout: float = 60) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        params = {"need_id": need_id, "offer_id": offer_id}
        items = gateway.get("/api/v1/matches", headers=agency, params=params).json()["items"]
        if items:
            return items[0]
        time.sleep(0.3)
    raise AssertionError(f"the two companies' listings were not paired within {timeout:.0f}s")


def _introduced(mailbox, address: str, partner_contact: str, *, timeout: float = 30) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for summary in mailbox.messages_to(address):
            if partner_contact in mailbox.message(summary["ID"])["Text"]:
                return True
        time.sleep(0.3)
    return False


async def _registered_through_the_portal(
    page, web_url: str, mailbox, *, login: str, language: str, profile: dict
) -> str:
    """Signs up in `language`, confirms the address, signs in and registers the enterprise through
    the wizard; returns its id."""
    await sign_up_and_confirm(
        page, web_url, mailbox, login=login, password=PASSWORD, language=language
    )
    await sign_in(page, web_url, login=login, password=PASSWORD, then="/my")
    return await register_through_wizard(page, web_url, profile)


async def test_two_companies_meet_through_the_portal(platform, gateway, mailbox, agency):
    marker = fresh_marker(6)
    maker, housing = _profile(marker, country="BY"), _profile(marker, country="RU")
    maker_login, housing_login = f"maker-{marker}@example.by", f"housing-login-{marker}@example.ru"
    async with chromium() as browser:
        maker_page = await (await browser.new_context()).new_page()
        housing_page = await (await browser.new_context()).new_page()
        errors = watch_for_errors(maker_page) + watch_for_errors(housing_page)

        maker_id, housing_id = [
            await _registered_through_the_portal(
                page, platform.web_url, mailbox, login=login, language=language, profile=profile
            )
            for page, login, language, profile in (
                (maker_page, maker_login, "be", maker),
                (housing_page, housing_login, "ru", housing),
            )
        ]
        verify(gateway, agency, maker_id, housing_id)

        # Lift parts (HS 8431 31), so the pair is not crowded out by whole lifts other tests
        # publish.
        lift_parts = {"sector": "elevators", "product_codes": "843131", "unit": "pcs"}
        parts_offer = lift_parts | {
            "title": f"Запчасткі для ліфтаў {marker}",
            "description": f"Лябёдкі і дзверы для ліфтаў, партыя {marker}",
            "quantity": 200,
        }
        parts_need = lift_parts | {
            "title": f"Запчасти для лифтов {marker}",
            "description": f"Нужны лебёдки и двери для лифтов, партия {marker}",
            "quantity": 40,
        }
        await publish(maker_page, platform.web_url, side="offer", listing=parts_offer)
        await publish(housing_page, platform.web_url, side="need", listing=parts_need)
        offers = gateway.get(f"/api/v1/enterprises/{maker_id}/offers").json()["items"]
        needs = gateway.get(f"/api/v1/enterprises/{housing_id}/needs").json()["items"]
        pair = _proposed_pair(gateway, agency, need_id=needs[0]["id"], offer_id=offers[0]["id"])

        # The reviewer approves the pair in the console.
        reviewer = await (await browser.new_context()).new_page()
        await sign_in(
            reviewer,
            platform.web_url,
            login="agency@demo.local",
            password="demo-agency",
            then=f"/console/matches/{pair['id']}",
        )
        await reviewer.locator("#approve-button").click()
        await reviewer.wait_for_load_state()
        assert (
            gateway.get(f"/api/v1/matches/{pair['id']}", headers=agency).json()["status"]
            == "approved"
        )

        # Both companies answer «Interested» from «My suggestions».
        for page in (maker_page, housing_page):
            await page.goto(platform.web_url + "/my/suggestions")
            await page.locator('button[name="answer"][value="interested"]').first.click()
            await page.wait_for_load_state()
        await screenshot(housing_page, "portal-story-suggestions")
        assert (
            gateway.get(f"/api/v1/matches/{pair['id']}", headers=agency).json()["status"]
            == "introduced"
        )
        # The reviewer's page of the pair says who answered what, in the reviewer's words.
        await reviewer.goto(f"{platform.web_url}/console/matches/{pair['id']}")
        history = reviewer.locator("table.history")
        await expect(history).to_contain_text("Поставщик: интересно")
        await expect(history).to_contain_text("Покупатель: интересно")

        # Each sees the other's contacts under «My partners», and the introduction emails arrive.
        await maker_page.goto(platform.web_url + "/my/partners")
        await expect(maker_page.locator("main")).to_contain_text(housing["email"])
        await housing_page.goto(platform.web_url + "/my/partners")
        await expect(housing_page.locator("main")).to_contain_text(maker["email"])
        await screenshot(housing_page, "portal-story-partners")
        assert _introduced(mailbox, housing["email"], maker["email"]) and _introduced(
            mailbox, maker["email"], housing["email"]
        )
        assert errors == []
    close_listings(gateway, agency, [*offers, *needs])
