"""Every page of the company portal, in Russian, Belarusian and English, as a company with an
enterprise and an offer sees it: axe-core finds nothing serious or critical, nothing scrolls
sideways on a 360 px phone or a 1280 px screen, and a screenshot of each is kept under
test-output/screenshots."""

from __future__ import annotations

import pytest

from tests.e2e.browser import chromium
from tests.e2e.console_story import close_listings, published
from tests.e2e.portal_story import (
    PASSWORD,
    company_with_enterprise,
    problems_of_each_page_in_each_language,
)


@pytest.fixture
def company_with_an_offer(gateway, open_company, sign_in):
    company = company_with_enterprise(
        gateway,
        open_company,
        sign_in,
        name="Смоленский льнозавод",
        city="Смоленск",
        sectors=["flax"],
    )
    email, enterprise_id, marker = company["email"], company["enterprise_id"], company["marker"]
    flax_fibre = {
        "kind": "goods",
        "title": f"Льноволокно длинное {marker}",
        "description": "Длинное трёпаное льноволокно, партии от 5 т",
        "sector": "flax",
        "quantity": 120,
        "unit": "т",
    }
    offer = published(
        gateway, company["headers"], f"/enterprises/{enterprise_id}/offers", flax_fibre
    )
    yield email, enterprise_id, offer
    close_listings(gateway, sign_in(email, PASSWORD), [offer])


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
    async with chromium() as browser:
        problems = await problems_of_each_page_in_each_language(
            browser,
            platform.web_url,
            pages,
            login=email,
            password=PASSWORD,
            then="/my/enterprise",
            shot_prefix="portal-",
        )
    assert problems == []
