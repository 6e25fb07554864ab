"""A Smolensk farm looking for combine harvesters sees, on «My suggestions», the Belarusian maker
the agency approved for it: the partner, the fit, the reasons and the state in words. It answers
«Interested» and waits for the partner; when the partner is interested too they are introduced
and the partner shows on «My partners» (or a calm note while that list is not offered yet). It
switches its emails to a daily digest and back, stops them and asks for them again. Each page
passes axe-core and fits a 360 px phone."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import expect

from tests.e2e.browser import check_at_a_phone, chromium
from tests.e2e.console_story import close_listings, proposed, published, verify
from tests.e2e.portal_story import PASSWORD, company_with_enterprise, signed_in_page


@pytest.fixture
def approved_pair(gateway, open_company, sign_in, agency):
    farm, maker = (
        company_with_enterprise(
            gateway, open_company, sign_in, name=name, city=city, sectors=["agricultural_machinery"]
        )
        for name, city in (("Агрофирма Днепр", "Сафоново"), ("Гомсельмаш-Сервис", "Гомель"))
    )
    marker = farm["marker"]
    verify(
        gateway, agency, farm["enterprise_id"], maker["enterprise_id"]
    )  # matching pairs only verified enterprises
    harvesters = {
        "kind": "goods",
        "title": f"Зерноуборочные комбайны {marker}",
        "sector": "agricultural_machinery",
        "product_codes": ["843351"],
        "unit": "шт.",
    }
    description = "зерноуборочные комбайны для уборки зерновых, партия"
    wanted = harvesters | {"description": f"Нужны {description} {marker}", "quantity": 5}
    supplied = harvesters | {"description": f"Поставляем {description} {marker}", "quantity": 20}
    farm_path, maker_path = (f"/enterprises/{c['enterprise_id']}" for c in (farm, maker))
    need = published(gateway, farm["headers"], f"{farm_path}/needs", wanted)
    offer = published(gateway, maker["headers"], f"{maker_path}/offers", supplied)
    try:
        match = proposed(gateway, agency, [need["id"]], offer["id"])[need["id"]]
        approved = gateway.post(
            f"/api/v1/matches/{match['id']}/approve", headers=agency, json={"note": "Хорошая пара"}
        )
        assert approved.status_code == 200, approved.text
        yield {"farm": farm, "maker": maker, "match": approved.json(), "need": need, "offer": offer}
    finally:
        close_listings(gateway, agency, [need, offer])


async def _signed_in(browser, web_url: str, email: str):
    return await signed_in_page(
        browser, web_url, login=email, password=PASSWORD, then="/my/suggestions"
    )


async def test_a_company_answers_an_approved_suggestion_and_meets_its_partner(
    platform, gateway, approved_pair
):
    farm, maker, match = approved_pair["farm"], approved_pair["maker"], approved_pair["match"]
    problems: list[str] = []
    async with chromium() as browser:
        context, page, errors = await _signed_in(browser, platform.web_url, farm["email"])
        await expect(page.get_by_role("heading", level=1)).to_have_text("My suggestions")
        card = page.locator(f"#match-{match['id']}")
        await expect(card.get_by_role("heading", level=2)).to_contain_text("Гомсельмаш-Сервис")
        await expect(card).to_contain_text("Гомель, Belarus")
        await expect(card.locator('[data-role="state"]')).to_have_text("Waiting for your answer")
        await expect(card.locator("dt")).to_contain_text(
            ["Your need", "Their offer", "How well it fits"]
        )
        await expect(card.locator("dd").first).to_have_text(
            f"Зерноуборочные комбайны {farm['marker']}"
        )
        assert await card.locator("ul.reasons li").count() == len(match["reasons"]["en"]) > 0
        await expect(card.locator("ul.reasons")).to_contain_text(match["reasons"]["en"][0])
        assert (
            await card.get_by_role("link", name=match["offer_enterprise_name"]).get_attribute(
                "href"
            )
            == f"/enterprises/{maker['enterprise_id']}"
        )
        await check_at_a_phone(page, "suggestions", problems)
        # In Belarusian the reasons read in Belarusian (Russian while a reason has no Belarusian
        # yet).
        await page.locator('.language-switch button[value="be"]').click()
        await expect(page.locator("html")).to_have_attribute("lang", "be")
        await expect(card.locator("ul.reasons li").first).to_have_text(
            (match["reasons"].get("be") or match["reasons"]["ru"])[0]
        )
        await page.locator('.language-switch button[value="en"]').click()
        await expect(page.locator("html")).to_have_attribute("lang", "en")

        await card.get_by_role("button", name=re.compile("^Interested")).click()
        await page.wait_for_url("**/my/suggestions?done=interested*")
        await expect(page.locator("#done")).to_contain_text("«Interested» is recorded")
        card = page.locator(f"#match-{match['id']}")
        await expect(card.locator('[data-role="state"]')).to_have_text(
            "You are interested; waiting for the partner's answer"
        )
        await expect(card.get_by_role("button")).to_have_count(0)
        assert (
            gateway.get(f"/api/v1/matches/{match['id']}", headers=farm["headers"]).json()[
                "need_answer"
            ]
            == "interested"
        )

        # The partner says yes too: they are introduced, and the partner is among «My partners».
        answered = gateway.post(
            f"/api/v1/matches/{match['id']}/respond",
            headers=maker["headers"],
            json={"answer": "interested"},
        )
        assert answered.status_code == 200, answered.text
        await page.reload()
        await expect(card.locator('[data-role="state"]')).to_contain_text("Introduced")
        await card.get_by_role("link", name="See my partners").click()
        await page.wait_for_url("**/my/partners")
        await expect(page.get_by_role("heading", level=1)).to_have_text("My partners")
        partner = page.locator(f'article.partner[data-match-id="{match["id"]}"]')
        if await page.locator("#not-available").count():
            await expect(page.locator("#not-available")).to_contain_text("not available yet")
        else:
            await expect(partner).to_contain_text("Гомсельмаш-Сервис")
            assert (await partner.locator('a[href^="mailto:"]').get_attribute("href")).startswith(
                "mailto:contact-"
            )
            assert (
                await partner.locator('a[href^="tel:"]').get_attribute("href")
            ) == "tel:+375172000000"
        await check_at_a_phone(page, "partners", problems)
        assert errors == []
        await context.close()
    assert problems == []


async def test_a_company_chooses_a_daily_digest_and_stops_and_resumes_its_emails(
    platform, gateway, open_company, sign_in
):
    farm = company_with_enterprise(
        gateway,
        open_company,
        sign_in,
        name="Агрофирма Угра",
        city="Угра",
        sectors=["agricultural_machinery"],
    )
    preferences = f"/api/v1/enterprises/{farm['enterprise_id']}/notification-preferences"
    problems: list[str] = []
    async with chromium() as browser:
        context, page, errors = await _signed_in(browser, platform.web_url, farm["email"])
        await page.goto(platform.web_url + "/my/notifications")
        await expect(page.get_by_role("heading", level=1)).to_have_text("Emails about suggestions")
        await expect(page.get_by_label("At once")).to_be_checked()
        await check_at_a_phone(page, "notifications", problems)

        await page.get_by_label("Once a day").check()
        await page.get_by_role("button", name="Save").click()
        await page.wait_for_url("**/my/notifications?done=daily")
        await expect(page.locator("#done")).to_contain_text("one email a day")
        await expect(page.get_by_label("Once a day")).to_be_checked()
        assert gateway.get(preferences, headers=farm["headers"]).json()["suggestions"] == "daily"

        await page.get_by_label("At once").check()
        await page.get_by_role("button", name="Save").click()
        await page.wait_for_url("**/my/notifications?done=immediate")
        assert (
            gateway.get(preferences, headers=farm["headers"]).json()["suggestions"] == "immediate"
        )

        # Its emails in Belarusian rather than its usual Russian, and no reminders.
        await expect(page.get_by_label("Your enterprise's usual language")).to_be_checked()
        await page.locator("#email-language-be").check()
        await page.get_by_label("No reminders").check()
        await page.get_by_role("button", name="Save").click()
        await page.wait_for_url("**/my/notifications?done=immediate")
        await expect(page.locator("#current-state")).to_contain_text(
            "Emails are written in: Беларуская."
        )
        await expect(page.locator("#email-language-be")).to_be_checked()
        await expect(page.get_by_label("No reminders")).to_be_checked()
        chosen = gateway.get(preferences, headers=farm["headers"]).json()
        assert (chosen["suggestions"], chosen["language"], chosen["reminders"]) == (
            "immediate",
            "be",
            False,
        )
        await page.get_by_label("Your enterprise's usual language").check()
        await page.get_by_label("Yes, remind me").check()
        await page.get_by_role("button", name="Save").click()
        await page.wait_for_url("**/my/notifications?done=immediate")

        await page.get_by_role("button", name="Stop emails about suggestions").click()
        await page.wait_for_url("**/my/notifications?done=unsubscribed")
        await expect(page.locator("#current-state")).to_contain_text("no emails about suggestions")
        # (whether the farm's address is confirmed is test_enterprise_contact_confirmation.py's
        # story)
        assert gateway.get(preferences, headers=farm["headers"]).json() | {
            "unsubscribed_at": None,
            "address_confirmed": None,
        } == {
            "enterprise_id": farm["enterprise_id"],
            "suggestions": "immediate",
            "unsubscribed": True,
            "unsubscribed_at": None,
            "language": None,
            "reminders": True,
            "address_confirmed": None,
        }
        await page.get_by_role("button", name="Email me about suggestions again").click()
        await page.wait_for_url("**/my/notifications?done=subscribed")
        assert gateway.get(preferences, headers=farm["headers"]).json()["unsubscribed"] is False

        # A company with nothing suggested yet reads what will come, calmly.
        await page.goto(platform.web_url + "/my/suggestions")
        await expect(page.locator("main")).to_contain_text("No suggestions yet")
        await check_at_a_phone(page, "suggestions-empty", problems)
        await page.goto(platform.web_url + "/my/partners")
        await expect(page.get_by_role("heading", level=1)).to_have_text("My partners")
        await check_at_a_phone(page, "partners-empty", problems)
        assert errors == []
        await context.close()
    assert problems == []
