"""A Smolensk lift maker, signed in through the web, publishes an offer: a missing title and a
mistyped product code are refused next to their fields, then the offer goes out with its
regions, quantity and end date ("ends in 10 days"). It changes the offer, is told when a colleague
saved a change first (and shown that version), closes and reopens it. Another company's listing
in the address gives the "not yours" page. Each page passes axe-core and fits a 360 px phone."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.async_api import expect

from tests.e2e.browser import check_at_a_phone, chromium
from tests.e2e.console_story import close_listings, published, registered
from tests.e2e.portal_story import PASSWORD, company_with_enterprise, signed_in_page
from tests.e2e.profiles import enterprise_profile
from tests.identifiers import fresh_marker


def moscow_today():
    return datetime.now(ZoneInfo("Europe/Moscow")).date()


@pytest.fixture
def lift_maker(gateway, open_company, sign_in):
    """A company account with its enterprise, as the person would sign in to the web."""
    return company_with_enterprise(
        gateway, open_company, sign_in, name="Смоленсклифт", city="Смоленск", sectors=["elevators"]
    )


@pytest.fixture
def other_company_need(gateway, open_company, agency):
    marker = fresh_marker(6)
    other_profile = enterprise_profile(
        marker, name="Гомельжилсервис", city="Гомель", sectors=["construction"]
    )
    other = registered(gateway, open_company, other_profile)
    need = published(
        gateway,
        agency,
        f"/enterprises/{other}/needs",
        {"kind": "services", "title": f"Ремонт подъездов {marker}", "sector": "construction"},
    )
    yield need
    close_listings(gateway, agency, [need])


async def _sign_in_in_english(browser, web_url: str, email: str):
    return await signed_in_page(
        browser, web_url, login=email, password=PASSWORD, then="/my/listings"
    )


async def test_a_company_publishes_changes_closes_and_reopens_an_offer(
    platform, gateway, agency, lift_maker, other_company_need
):
    web, marker, enterprise_id = platform.web_url, lift_maker["marker"], lift_maker["enterprise_id"]
    title = f"Пассажирские лифты {marker}"
    ends = moscow_today() + timedelta(days=10)
    problems: list[str] = []
    try:
        async with chromium() as browser:
            context, page, errors = await _sign_in_in_english(browser, web, lift_maker["email"])
            await expect(page.get_by_role("heading", level=1)).to_have_text("My listings")
            await expect(page.locator("section.listings").first).to_contain_text(
                "You have not published an offer yet."
            )
            await check_at_a_phone(page, "listings-empty", problems)

            # A missing title and a mistyped product code: both refused, each next to its field.
            await page.get_by_role("link", name="Publish an offer").click()
            await expect(page.get_by_role("heading", level=1)).to_have_text("Publish an offer")
            await page.locator("#sector").select_option("elevators")
            await expect(page.locator("#product_codes-hint")).to_contain_text(
                "842810"
            )  # the sector's usual codes, once chosen
            await page.locator("#product_codes").fill("842810, 84A1")
            await page.get_by_role("button", name="Publish the offer").click()
            await expect(page.locator(".error-summary")).to_be_visible()
            await expect(page.locator("#title-error")).to_contain_text("Enter a title")
            await expect(page.locator("#product_codes-error")).to_contain_text("84A1")
            assert await page.locator("#title").get_attribute("aria-invalid") == "true"
            await expect(page.locator("#sector")).to_have_value(
                "elevators"
            )  # what was chosen stays chosen
            # The sector's usual codes are named, in the page's language.
            await expect(page.locator("#product_codes-hint")).to_contain_text(
                "8428 10 — Lifts and skip hoists"
            )
            await check_at_a_phone(page, "listing-form-errors", problems)
            # The summary's link takes the reader to the field.
            await page.locator(".error-summary a[href='#title']").click()
            await expect(page.locator("#title")).to_be_focused()

            await page.locator("#title").fill(title)
            await page.locator("#description").fill(
                f"Лифты грузоподъёмностью 400 и 630 кг, монтаж и сервис. Партия {marker}"
            )
            await page.locator("#product_codes").fill("842810")
            await page.locator("#quantity").fill("120")
            await page.locator("#unit").select_option("pcs/year")
            await page.locator("#regions").select_option(["smolensk_oblast", "mogilev_oblast"])
            await page.locator("#certifications").fill("EAC, ISO 9001")
            await page.locator("#valid_until").fill(ends.isoformat())
            await page.get_by_role("button", name="Publish the offer").click()
            await page.wait_for_url("**/my/listings?done=published_offer")
            await expect(page.locator("#done")).to_contain_text("Your offer is published")
            card = page.locator("article.listing", has_text=title)
            await expect(card).to_contain_text("Published")
            await expect(card).to_contain_text("ends in 10 days")
            await expect(card).to_contain_text("Goods")
            await expect(card).to_contain_text("Elevators and lifting equipment")
            await expect(card).to_contain_text("120 pcs/year")
            await expect(card).to_contain_text("Smolensk Oblast")
            await expect(card).to_contain_text("EAC, ISO 9001")
            offer = gateway.get(f"/api/v1/enterprises/{enterprise_id}/offers").json()["items"][0]
            assert (offer["title"], offer["product_codes"], offer["quantity"], offer["unit"]) == (
                title,
                ["842810"],
                120,
                "pcs/year",
            )
            assert (
                sorted(offer["regions"]) == ["mogilev_oblast", "smolensk_oblast"]
                and offer["valid_until"] == ends.isoformat()
            )
            await check_at_a_phone(page, "listings", problems)

            # Changing it: the form holds what was published; the change is saved.
            await card.get_by_role("link", name="Change").click()
            await expect(page.get_by_role("heading", level=1)).to_have_text("Change the offer")
            await expect(page.locator("#title")).to_have_value(title)
            await expect(page.locator("#quantity")).to_have_value("120")
            await check_at_a_phone(page, "listing-form-edit", problems)
            await page.locator("#title").fill(title + ", 630 кг")
            await page.get_by_role("button", name="Save the changes").click()
            await page.wait_for_url("**/my/listings?done=changed_offer")
            await expect(page.locator("#done")).to_have_text("Your changes are saved.")
            card = page.locator("article.listing", has_text=title + ", 630 кг")
            await expect(card).to_be_visible()

            # A colleague saves first: this person is told so and shown the version now kept.
            await card.get_by_role("link", name="Change").click()
            current = gateway.get(f"/api/v1/offers/{offer['id']}").json()
            changed = gateway.patch(
                f"/api/v1/offers/{offer['id']}",
                headers=lift_maker["headers"],
                json={"version": current["version"], "title": title + ", 1000 кг"},
            )
            assert changed.status_code == 200, changed.text
            await page.locator("#title").fill(title + ", 400 кг")
            await page.get_by_role("button", name="Save the changes").click()
            await expect(page.locator("#changed-meanwhile")).to_contain_text(
                "Someone changed this listing meanwhile"
            )
            await expect(page.locator("#title")).to_have_value(title + ", 1000 кг")
            await expect(page.locator("#changed-meanwhile details")).to_contain_text(
                title + ", 400 кг"
            )
            await page.get_by_role(
                "button", name="Save the changes"
            ).click()  # saving the current version again is fine
            await page.wait_for_url("**/my/listings?done=changed_offer")

            # Closing and reopening.
            card = page.locator("article.listing", has_text=title)
            await card.get_by_role("button", name="Close").click()
            await page.wait_for_url("**/my/listings?done=closed_offer*")
            card = page.locator("article.listing", has_text=title)
            await expect(card.locator(".listing-status")).to_have_text("Closed")
            assert gateway.get(f"/api/v1/offers/{offer['id']}").json()["status"] == "closed"
            await card.get_by_role("button", name="Reopen").click()
            await page.wait_for_url("**/my/listings?done=reopened_offer*")
            await expect(
                page.locator("article.listing", has_text=title).locator(".listing-status")
            ).to_have_text("Published")
            assert gateway.get(f"/api/v1/offers/{offer['id']}").json()["status"] == "active"

            # A need is published the same way, from its own button.
            await page.get_by_role("link", name="Publish a need").click()
            await page.locator("#kind-services").check()
            await page.locator("#title").fill(f"Сервис лифтов {marker}")
            await page.locator("#sector").select_option("elevators")
            await page.get_by_role("button", name="Publish the need").click()
            await page.wait_for_url("**/my/listings?done=published_need")
            await expect(page.locator("section.listings").nth(1)).to_contain_text("Services")

            # Another company's listing, or its enterprise, in the address: the "not yours" page.
            for path in (
                f"/my/listings/need/{other_company_need['id']}/edit",
                f"/my/listings?enterprise={other_company_need['enterprise_id']}",
            ):
                response = await page.goto(web + path)
                assert response.status == 403, path
                await expect(page.get_by_role("heading", level=1)).to_have_text(
                    "This is not your company's page"
                )
                await expect(page.locator("main")).not_to_contain_text(other_company_need["title"])
            await check_at_a_phone(page, "not-yours", problems)
            assert errors == []
            await context.close()
    finally:
        for plural in ("offers", "needs"):
            close_listings(
                gateway,
                agency,
                gateway.get(f"/api/v1/enterprises/{enterprise_id}/{plural}").json()["items"],
            )
    assert problems == []


async def test_closing_through_a_form_needs_its_csrf_token(platform, gateway, agency, lift_maker):
    offer = gateway.post(
        f"/api/v1/enterprises/{lift_maker['enterprise_id']}/offers",
        headers=lift_maker["headers"],
        json={"kind": "goods", "title": f"Лебёдки {lift_maker['marker']}", "sector": "elevators"},
    ).json()
    try:
        async with chromium() as browser:
            context, page, _ = await _sign_in_in_english(
                browser, platform.web_url, lift_maker["email"]
            )
            response = await page.request.post(
                f"{platform.web_url}/my/listings/offer/{offer['id']}/status",
                form={"status": "closed", "version": str(offer["version"])},
            )
            assert response.status == 403
            assert gateway.get(f"/api/v1/offers/{offer['id']}").json()["status"] == "active"
            await context.close()
    finally:
        close_listings(gateway, agency, [offer])
