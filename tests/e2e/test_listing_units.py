"""Units as companies write them: the registry keeps each unit's code («шт. у год» -> pcs/year),
refuses one it cannot read with the accepted forms (through the API, and next to the field on the
web form), and matching compares a yearly capacity with a plain amount over one year."""

from __future__ import annotations

from playwright.async_api import expect

from tests.e2e.browser import chromium
from tests.e2e.console_story import close_listings, proposed, published, registered_and_verified
from tests.e2e.profiles import enterprise_profile
from tests.e2e.test_company_portal_listings import _sign_in_in_english, lift_maker  # noqa: F401 (a fixture)
from tests.identifiers import fresh_marker


def test_a_unit_in_any_language_is_kept_as_its_code_and_an_unreadable_one_is_refused(
    gateway, agency, lift_maker
):  # noqa: F811
    offers = f"/api/v1/enterprises/{lift_maker['enterprise_id']}/offers"
    offer = {
        "kind": "goods",
        "title": f"Лебёдки для лифтов {lift_maker['marker']}",
        "sector": "elevators",
        "quantity": 2500,
    }

    published = gateway.post(
        offers, headers=lift_maker["headers"], json={**offer, "unit": "шт. у год"}
    )
    refused = gateway.post(offers, headers=lift_maker["headers"], json={**offer, "unit": "бочек"})

    assert published.status_code == 201, published.text
    assert published.json()["unit"] == "pcs/year"
    assert refused.status_code == 422 and refused.headers["content-type"].startswith(
        "application/problem+json"
    )
    [error] = refused.json()["errors"]
    assert error["field"] == "unit"
    for accepted in (
        "'бочек'",
        "шт.",
        "pieces",
        "гол.",
        "head of cattle",
        "т / t",
        "м³",
        "per year",
        "шт./год",
        "pcs per year",
    ):
        assert accepted in error["reason"]

    listing = published.json()
    changed = gateway.patch(
        f"/api/v1/offers/{listing['id']}",
        headers=lift_maker["headers"],
        json={"version": listing["version"], "unit": "т в месяц"},
    )
    assert changed.status_code == 200 and changed.json()["unit"] == "t/month"
    close_listings(gateway, agency, [changed.json()])


async def test_the_web_form_says_which_units_it_takes_next_to_the_unit(platform, lift_maker):  # noqa: F811
    async with chromium() as browser:
        context, page, errors = await _sign_in_in_english(
            browser, platform.web_url, lift_maker["email"]
        )
        await page.goto(platform.web_url + "/my/listings/new?side=offer")
        await page.locator("#title").fill(f"Лебёдки {lift_maker['marker']}")
        await page.locator("#sector").select_option("elevators")
        await page.locator("#quantity").fill("2500")
        await expect(page.locator("#unit option[value='pcs/year']")).to_have_text(
            "pcs/year — pieces a year"
        )
        # A unit the list does not have (a page kept from before, a hand-made request) goes to the
        # registry, which refuses it.
        await page.locator("#unit").evaluate(
            "select => select.add(new Option('бочек', 'бочек', true, true))"
        )
        await page.get_by_role("button", name="Publish the offer").click()
        await expect(page.locator("#unit-error")).to_contain_text(
            "Choose the unit from the list: pieces, sets, head of livestock, tonnes, kilograms, "
            "litres"
        )
        assert await page.locator("#unit").get_attribute("aria-invalid") == "true"
        assert errors == []
        await context.close()


def test_a_yearly_capacity_is_compared_with_a_plain_amount_over_one_year(
    gateway, open_company, agency
):
    marker = fresh_marker(6)
    maker, buyer = (
        registered_and_verified(
            gateway,
            open_company,
            agency,
            enterprise_profile(marker, name=name, city=city, sectors=["elevators"]),
        )
        for name, city in (("Могилёвлифтмаш", "Могилёв"), ("Смоленскжилсервис", "Смоленск"))
    )
    winches = {
        "kind": "goods",
        "title": f"Лебёдки лифтовые {marker}",
        "description": f"Лебёдки для пассажирских лифтов, серия {marker}",
        "sector": "elevators",
        "product_codes": ["8425310000"],
    }
    capacity = winches | {"quantity": 2500, "unit": "шт./год"}
    wanted = winches | {
        "description": f"Нужны лебёдки для пассажирских лифтов, серия {marker}",
        "quantity": 1500,
        "unit": "шт.",
    }
    offer = published(gateway, agency, f"/enterprises/{maker}/offers", capacity)
    need = published(gateway, agency, f"/enterprises/{buyer}/needs", wanted)
    try:
        match = proposed(gateway, agency, [need["id"]], offer["id"])[need["id"]]
        assert (
            "мощность 2500 шт./год покрывает потребность 1500 шт. (за один год: 2500 шт. против "
            "1500 шт.)" in match["reasons"]["ru"]
        )
        assert (
            "a capacity of 2500 pcs/year covers the need for 1500 pcs (over one year: 2500 pcs "
            "against 1500 pcs)" in match["reasons"]["en"]
        )
        assert (
            "магутнасць 2500 шт./год пакрывае патрэбу 1500 шт. (за адзін год: 2500 шт. супраць "
            "1500 шт.)" in match["reasons"]["be"]
        )
    finally:
        close_listings(gateway, agency, [offer, need])
