"""A Belarusian lift maker opens its account with the page in Belarusian, confirms its address
from the email, and registers its enterprise through the wizard, one question at a time: a
mistyped UNP is refused with the reason while it is typed and again on Continue. It then sees its
profile as partners and the agency do, edits it (and is told when someone changed it meanwhile),
and a company that forgot its password chooses a new one through the emailed link."""

from __future__ import annotations

import re
import uuid

from playwright.async_api import expect

from tests.e2e.browser import (
    chromium,
    screenshot,
    scrolls_sideways,
    serious_accessibility_violations,
    watch_for_errors,
)
from tests.e2e.portal_story import emailed_link
from tests.identifiers import fresh_unp

PASSWORD = "тры словы для пароля"


def _wrong_checksum(unp: str) -> str:
    return unp[:-1] + str((int(unp[-1]) + 1) % 10)


async def _continue(page) -> None:
    await page.locator("form.stack button[type=submit]").click()
    await page.wait_for_load_state()


async def test_a_belarusian_lift_maker_signs_up_and_registers_through_the_wizard(
    platform, gateway, mailbox, agency
):
    login = f"lift-{uuid.uuid4().hex[:8]}@example.by"
    unp = fresh_unp()
    problems: list[str] = []
    async with chromium() as browser:
        page = await (await browser.new_context(viewport={"width": 360, "height": 800})).new_page()
        errors = watch_for_errors(page)
        await page.goto(platform.web_url + "/sign-up")
        await page.locator('.language-switch button[value="be"]').click()
        assert await page.get_attribute("html", "lang") == "be"
        # The platform refuses the address as a password, and says so in the person's words.
        await page.locator("#email").fill(login)
        await page.locator("#password").fill(login)
        await page.locator("#repeated").fill(login)
        await _continue(page)
        await expect(page.locator("#password-error")).to_contain_text(
            "Выберыце іншы пароль: не карацейшы за 8 знакаў і не такі, як адрас пошты"
        )
        await page.locator("#password").fill(PASSWORD)
        await page.locator("#repeated").fill(PASSWORD)
        await _continue(page)
        await expect(page.locator(".notice")).to_contain_text(login)

        # The confirmation link goes to the account's own address; opening it confirms nothing until
        # the button.
        confirm = emailed_link(mailbox, login, "/confirm")
        await page.goto(confirm)
        await page.locator("main form button[type=submit]").click()
        await expect(page.locator("#message")).to_contain_text(login)

        await page.goto(platform.web_url + "/sign-in?next=/my")
        await page.locator("#email").fill(login)
        await page.locator("#password").fill(PASSWORD)
        await page.locator("form.stack button[type=submit]").click()
        await page.wait_for_url("**/my/register/country")
        await page.locator("#country-by").check()
        await _continue(page)

        # A mistyped UNP: said while typing, and refused on Continue with the reason next to the
        # field.
        await page.locator("#unp").fill(_wrong_checksum(unp))
        await expect(page.locator("#unp-live.bad")).not_to_be_empty()
        await _continue(page)
        await expect(page.locator(".error-summary")).to_be_visible()
        await expect(page.locator("#unp-error")).to_be_visible()
        problems += await serious_accessibility_violations(page)
        await page.locator("#unp").fill(unp)
        await expect(page.locator("#unp-live.ok")).not_to_be_empty()
        await _continue(page)

        name = f"ААТ «Магілёўліфтмаш» {uuid.uuid4().hex[:6]}"
        await page.locator("#name").fill(name)
        await _continue(page)
        await page.locator("#region").select_option("mogilev_oblast")
        await page.locator("#city").fill("Магілёў")
        await _continue(page)
        await page.locator("#sector-elevators").check()
        await _continue(page)
        await page.locator("#description").fill("Вырабляем і мантуем пасажырскія ліфты.")
        await page.locator("#language-be").check()
        await page.locator("#size-large").check()
        await _continue(page)
        await page.locator("#contact_person").fill("Іван Пятроў")
        await page.locator("#email").fill(f"sales-{uuid.uuid4().hex[:6]}@example.by")
        await page.locator("#phone").fill("+375 222 12-34-56")
        await _continue(page)
        await _continue(page)  # no consent yet: refused
        await expect(page.locator("#personal_data_consent-error")).to_be_visible()
        await page.locator("#consent-yes").check()
        await _continue(page)
        await expect(page.locator(".summary")).to_contain_text(unp)
        problems += await serious_accessibility_violations(page)
        if await scrolls_sideways(page):
            problems.append("check your answers scrolls sideways at 360 px")
        await screenshot(page, "portal-be-360-check-answers")
        await _continue(page)

        await page.wait_for_url("**/my/enterprise?*")
        await expect(page.get_by_role("heading", level=1)).to_have_text(name)
        enterprise_id = re.search(r"enterprise=([0-9a-f-]{36})", page.url).group(1)
        assert gateway.get(f"/api/v1/enterprises/{enterprise_id}").json()["unp"] == unp
        problems += await serious_accessibility_violations(page)
        await screenshot(page, "portal-be-360-my-enterprise")

        # Edited meanwhile by the agency: the company is told, and shown the new version.
        await page.goto(f"{platform.web_url}/my/enterprise/edit?enterprise={enterprise_id}")
        current = gateway.get(f"/api/v1/enterprises/{enterprise_id}", headers=agency).json()
        changed = gateway.patch(
            f"/api/v1/enterprises/{enterprise_id}",
            headers=agency,
            json={"description": "Змянілі ў агенцтве.", "version": current["version"]},
        )
        assert changed.status_code == 200, changed.text
        await page.locator("#city").fill("Бабруйск")
        await page.locator("form.stack button[type=submit]").click()
        await expect(page.locator("#changed-meanwhile")).to_be_visible()
        await expect(page.locator("#description")).to_have_value("Змянілі ў агенцтве.")
        await page.locator("#city").fill("Бабруйск")
        await page.locator("form.stack button[type=submit]").click()
        await page.wait_for_url("**/my/enterprise?*")
        assert gateway.get(f"/api/v1/enterprises/{enterprise_id}").json()["city"] == "Бабруйск"

        # A mistyped address is refused in the company's words next to its field, and the edit
        # waits with what was typed: nothing is saved, nothing is lost.
        await page.goto(f"{platform.web_url}/my/enterprise/edit?enterprise={enterprise_id}")
        await page.locator("#city").fill("Магілёў")
        await page.locator("#email").fill("sales-at-example.by")
        await page.locator("form.stack button[type=submit]").click()
        await expect(page.locator("#email-error")).to_contain_text(
            "Увядзіце адрас пошты, напрыклад name@example.ru"
        )
        await expect(page.locator('.error-summary a[href="#email"]')).to_be_visible()
        await expect(page.locator("#city")).to_have_value("Магілёў")
        assert gateway.get(f"/api/v1/enterprises/{enterprise_id}").json()["city"] == "Бабруйск"

        # Another company's enterprise in the address: a page saying so, not its data.
        await page.goto(f"{platform.web_url}/my/enterprise?enterprise={uuid.uuid4()}")
        assert "queue-row" not in await page.content()
        await expect(page.locator("h1")).not_to_have_text(name)

        # A forgotten password, reset through the emailed link.
        await page.goto(platform.web_url + "/account")
        await page.locator('form[action="/account/sign-out-everywhere"] button').click()
        await page.goto(platform.web_url + "/forgot-password")
        await page.locator("#email").fill(login)
        await _continue(page)
        reset = emailed_link(mailbox, login, "/reset-password")
        await page.goto(reset)
        await page.locator("#password").fill(PASSWORD + " новы")
        await page.locator("#repeated").fill(PASSWORD + " новы")
        await _continue(page)
        await page.goto(platform.web_url + "/sign-in?next=/my/enterprise")
        await page.locator("#email").fill(login)
        await page.locator("#password").fill(PASSWORD + " новы")
        await page.locator("form.stack button[type=submit]").click()
        await page.wait_for_url("**/my/enterprise")
        assert errors == []
    assert problems == []
