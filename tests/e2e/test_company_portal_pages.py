"""Every page of the company portal, in Russian, Belarusian and English, as a company with an
enterprise and an offer sees it: axe-core finds nothing serious or critical, nothing scrolls
sideways on a 360 px phone or a 1280 px screen, and a screenshot of each is kept under
test-output/screenshots."""

from __future__ import annotations

import uuid

import pytest

from tests.e2e.browser import (
    chromium,
    screenshot,
    scrolls_sideways,
    serious_accessibility_violations,
    watch_for_errors,
)
from tests.e2e.console_story import close_listings, enterprise_profile, registered

PASSWORD = "a long passphrase"
LANGUAGES = ("ru", "be", "en")
WIDTHS = (360, 1280)


@pytest.fixture
def company_with_an_offer(gateway, open_company, sign_in):
    email = f"portal-{uuid.uuid4().hex[:8]}@example.ru"
    marker = uuid.uuid4().hex[:6]
    enterprise_id = registered(
        gateway,
        lambda: open_company(email, PASSWORD),
        enterprise_profile(
            marker,
            country="RU",
            name="Смоленский льнозавод",
            city="Смоленск",
            region="smolensk_oblast",
            sectors=["flax"],
        ),
    )
    offer = gateway.post(
        f"/api/v1/enterprises/{enterprise_id}/offers",
        headers=sign_in(email, PASSWORD),
        json={
            "kind": "goods",
            "title": f"Льноволокно длинное {marker}",
            "description": "Длинное трёпаное льноволокно, партии от 5 т",
            "sector": "flax",
            "quantity": 120,
            "unit": "т",
        },
    )
    assert offer.status_code == 201, offer.text
    yield email, enterprise_id, offer.json()
    close_listings(gateway, sign_in(email, PASSWORD), [offer.json()])


async def test_every_portal_page_is_accessible_and_fits_a_phone_in_each_language(
    platform, company_with_an_offer
):
    email, enterprise_id, offer = company_with_an_offer
    pages = [
        "/",
        "/sign-up",
        "/forgot-password",
        "/my/enterprise",
        "/my/enterprise/edit",
        "/my/enterprise/delete",
        "/my/listings",
        "/my/listings/new?side=offer",
        f"/my/listings/offer/{offer['id']}/edit",
        "/my/suggestions",
        "/my/partners",
        "/my/notifications",
        "/account",
        "/my/register/country",
        "/my/register/legal-id",
        "/my/register/sectors",
        "/my/register/consent",
    ]
    problems: list[str] = []
    async with chromium() as browser:
        for language in LANGUAGES:
            context = await browser.new_context(viewport={"width": 1280, "height": 900})
            await context.add_cookies(
                [{"name": "um_lang", "value": language, "url": platform.web_url}]
            )
            page = await context.new_page()
            errors = watch_for_errors(page)
            await page.goto(platform.web_url + "/sign-in?next=/my/enterprise")
            await page.locator("#email").fill(email)
            await page.locator("#password").fill(PASSWORD)
            await page.locator("form.stack button[type=submit]").click()
            await page.wait_for_url("**/my/enterprise")
            for path in pages:
                for width in WIDTHS:
                    await page.set_viewport_size({"width": width, "height": 900})
                    await page.goto(platform.web_url + path)
                    assert await page.get_attribute("html", "lang") == language, path
                    if await scrolls_sideways(page):
                        problems.append(f"{language} {width}px {path}: scrolls sideways")
                    name = path.strip("/").replace("/", "-").split("?")[0][:50] or "home"
                    await screenshot(page, f"portal-{language}-{width}-{name}")
                problems += [
                    f"{language} {path}: {v}" for v in await serious_accessibility_violations(page)
                ]
            problems += [f"{language}: {e}" for e in errors]
            await context.close()
    assert problems == []
