"""Every console page, in Russian, Belarusian and English, as a reviewer and an admin see it:
axe-core finds nothing serious or critical, nothing scrolls sideways on a 360 px phone or a
1280 px screen, and a screenshot of each is kept under test-output/screenshots for a person to look
at."""

from __future__ import annotations

import pytest

from tests.e2e.browser import (
    chromium,
    screenshot,
    scrolls_sideways,
    serious_accessibility_violations,
    watch_for_errors,
)
from tests.e2e.console_story import close_listings, three_elevator_pairs

LANGUAGES = ("ru", "be", "en")
WIDTHS = (360, 1280)


@pytest.fixture
def console_pages(gateway, open_company, agency):
    pairs = three_elevator_pairs(gateway, open_company, agency)
    yield [
        "/console/queue",
        "/console/queue?sector=elevators&country_pair=BY-RU&sort=newest",
        f"/console/matches/{pairs.matches[0]['id']}",
        "/console/verification",
        "/console/verification?status=suspended",
        "/console/dashboard",
        "/console/deliveries",
        "/console/accounts",
    ]
    close_listings(gateway, agency, pairs.listings)


async def test_every_console_page_is_accessible_and_fits_a_phone_in_each_language(
    platform, console_pages
):
    problems: list[str] = []
    async with chromium() as browser:
        for language in LANGUAGES:
            context = await browser.new_context(viewport={"width": 1280, "height": 900})
            await context.add_cookies(
                [{"name": "um_lang", "value": language, "url": platform.web_url}]
            )
            page = await context.new_page()
            errors = watch_for_errors(page)
            await _sign_in_any_language(page, platform.web_url)
            for path in ["/sign-in?x=1", *console_pages]:
                for width in WIDTHS:
                    await page.set_viewport_size({"width": width, "height": 900})
                    await page.goto(platform.web_url + path)
                    assert await page.get_attribute("html", "lang") == language
                    if await scrolls_sideways(page):
                        problems.append(f"{language} {width}px {path}: scrolls sideways")
                    await screenshot(
                        page, f"{language}-{width}-{path.strip('/').replace('/', '-')[:60]}"
                    )
                problems += [
                    f"{language} {path}: {v}" for v in await serious_accessibility_violations(page)
                ]
            problems += [f"{language}: {e}" for e in errors]
            await context.close()
    assert problems == []


async def _sign_in_any_language(page, web_url: str) -> None:
    await page.goto(web_url + "/sign-in")
    await page.locator("#email").fill("admin@demo.local")
    await page.locator("#password").fill("demo-admin")
    await page.locator("form.stack button[type=submit]").click()
    await page.wait_for_url("**/console/queue")


async def test_the_home_and_error_pages_are_accessible_too(platform):
    async with chromium() as browser:
        page = await browser.new_page()
        for path in ("/", "/no-such-page", "/confirm", "/unsubscribe", "/set-password?token=x"):
            await page.goto(platform.web_url + path)
            assert await serious_accessibility_violations(page) == [], path
            assert not await scrolls_sideways(page), path
