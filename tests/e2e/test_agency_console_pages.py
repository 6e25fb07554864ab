"""Every console page, in Russian, Belarusian and English, as a reviewer and an admin see it:
axe-core finds nothing serious or critical, nothing scrolls sideways on a 360 px phone or a
1280 px screen, and a screenshot of each is kept under test-output/screenshots for a person to look
at."""

from __future__ import annotations

import pytest

from tests.e2e.browser import (
    chromium,
    scrolls_sideways,
    serious_accessibility_violations,
)
from tests.e2e.console_story import close_listings, three_elevator_pairs
from tests.e2e.portal_story import problems_of_each_page_in_each_language


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
    async with chromium() as browser:
        problems = await problems_of_each_page_in_each_language(
            browser,
            platform.web_url,
            ["/sign-in?x=1", *console_pages],
            login="admin@demo.local",
            password="demo-admin",
            then="/console/queue",
        )
    assert problems == []


async def test_the_home_and_error_pages_are_accessible_too(platform):
    async with chromium() as browser:
        page = await browser.new_page()
        for path in ("/", "/no-such-page", "/confirm", "/unsubscribe", "/set-password?token=x"):
            await page.goto(platform.web_url + path)
            assert await serious_accessibility_violations(page) == [], path
            assert not await scrolls_sideways(page), path
