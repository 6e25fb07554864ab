"""The home page's figures, for anyone and cheap to ask: how many enterprises of each country are
on the platform and how many the agency has verified, how many offers and needs are open, and how
many companies the platform has introduced. They move as companies register and publish."""

from __future__ import annotations

import pytest

OFFER = {
    "kind": "goods",
    "title": "Пассажирские лифты 400-1000 кг для жилых домов",
    "description": "Поставка, монтаж и сервис; сроки от 90 дней.",
    "sector": "construction",
    "product_codes": ["842810"],
    "quantity": 20,
    "unit": "pcs",
    "regions": ["smolensk_oblast"],
    "certifications": [],
    "valid_until": "2030-12-31",
}


def _enterprise_figures(gateway) -> dict:
    response = gateway.get("/api/v1/figures/enterprises")
    assert response.status_code == 200, response.text
    return response.json()


@pytest.mark.parametrize("path", ["/api/v1/figures/enterprises", "/api/v1/figures/introductions"])
def test_anyone_reads_the_figures_and_caches_may_keep_them_a_minute(gateway, path):
    response = gateway.get(path)

    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "public, max-age=60"


def test_the_enterprise_figures_count_each_country_and_the_open_listings(gateway):
    figures = _enterprise_figures(gateway)

    assert set(figures) == {"enterprises", "verified_enterprises", "active_offers", "active_needs"}
    assert set(figures["enterprises"]) == set(figures["verified_enterprises"]) == {"RU", "BY"}
    for country in ("RU", "BY"):
        assert 0 <= figures["verified_enterprises"][country] <= figures["enterprises"][country]
    assert all(
        isinstance(figures[name], int) and figures[name] >= 0
        for name in ("active_offers", "active_needs")
    )


def test_the_introduction_figures_count_matches_ever_introduced_and_ever_approved(gateway):
    figures = gateway.get("/api/v1/figures/introductions").json()

    assert set(figures) == {"introductions", "approved"}
    assert 0 <= figures["introductions"] <= figures["approved"]


def test_the_figures_move_when_a_company_registers_is_verified_and_publishes_an_offer(
    gateway, company, agency, smolensk_housing_operator
):
    before = _enterprise_figures(gateway)

    enterprise = gateway.post(
        "/api/v1/enterprises", json=smolensk_housing_operator, headers=company
    ).json()
    registered = _enterprise_figures(gateway)
    assert (
        gateway.post(f"/api/v1/enterprises/{enterprise['id']}/verify", headers=agency).status_code
        == 200
    )
    verified = _enterprise_figures(gateway)
    assert (
        gateway.post(
            f"/api/v1/enterprises/{enterprise['id']}/offers", json=OFFER, headers=company
        ).status_code
        == 201
    )
    published = _enterprise_figures(gateway)

    assert registered["enterprises"] == {
        "RU": before["enterprises"]["RU"] + 1,
        "BY": before["enterprises"]["BY"],
    }
    assert registered["verified_enterprises"] == before["verified_enterprises"]
    assert verified["verified_enterprises"]["RU"] == before["verified_enterprises"]["RU"] + 1
    assert published["active_offers"] == verified["active_offers"] + 1
    assert published["active_needs"] == verified["active_needs"]


def test_a_suspended_enterprise_is_not_counted(gateway, company, agency, smolensk_housing_operator):
    enterprise = gateway.post(
        "/api/v1/enterprises", json=smolensk_housing_operator, headers=company
    ).json()
    counted = _enterprise_figures(gateway)

    suspended = gateway.post(
        f"/api/v1/enterprises/{enterprise['id']}/suspend",
        json={"reason": "Не отвечает"},
        headers=agency,
    )

    assert suspended.status_code == 200, suspended.text
    assert _enterprise_figures(gateway)["enterprises"]["RU"] == counted["enterprises"]["RU"] - 1
