"""Through the public API: matching proposes pairs only between enterprises the agency has verified.
A water utility's need waits while its enterprise is pending and is paired the moment the agency
verifies it; when the verified supplier renames itself it is pending again, back in the agency's
verification queue, its proposed pair withdrawn and the company told why; verified again, the pair
is proposed again."""

from __future__ import annotations

import time

from tests.e2e.console_story import close_listings, registered_company, verify
from tests.e2e.profiles import enterprise_profile
from tests.identifiers import fresh_marker


def _pairs(gateway, agency, need: dict, offer: dict) -> list[dict]:
    return gateway.get(
        "/api/v1/matches", headers=agency, params={"need_id": need["id"], "offer_id": offer["id"]}
    ).json()["items"]


def _until(check, *, timeout: float = 30):
    deadline = time.monotonic() + timeout
    while True:
        found = check()
        if found or time.monotonic() > deadline:
            return found
        time.sleep(0.3)


def _water_pair(
    gateway, agency, seller: tuple[str, dict], buyer: tuple[str, dict], marker: str
) -> tuple[dict, dict]:
    (seller_id, seller_headers), (buyer_id, buyer_headers) = seller, buyer
    stations = {
        "kind": "goods",
        "title": f"Станции обезжелезивания воды {marker}",
        "sector": "water_treatment",
        "product_codes": ["842121"],
        "unit": "шт.",
    }
    offer = gateway.post(
        f"/api/v1/enterprises/{seller_id}/offers",
        headers=seller_headers,
        json=stations
        | {
            "description": "Производим станции обезжелезивания и умягчения воды для "
            f"водоканалов, серия {marker}",
            "quantity": 40,
        },
    )
    need = gateway.post(
        f"/api/v1/enterprises/{buyer_id}/needs",
        headers=buyer_headers,
        json=stations
        | {
            "description": "Нужны станции обезжелезивания воды для водозаборов района, серия "
            f"{marker}",
            "quantity": 6,
        },
    )
    assert offer.status_code == need.status_code == 201, (offer.text, need.text)
    return offer.json(), need.json()


def _water_company(gateway, open_company, marker: str, *, name: str, city: str) -> tuple[str, dict]:
    """A water-treatment enterprise of `city` and its company's authorization header."""
    profile = enterprise_profile(marker, name=name, city=city, sectors=["water_treatment"])
    return registered_company(gateway, open_company, profile)


def test_a_pending_enterprises_need_waits_and_is_paired_the_moment_the_agency_verifies_it(
    gateway, open_company, agency
):
    marker = fresh_marker(6)
    seller, seller_headers = _water_company(
        gateway, open_company, marker, name="Аквафильтр Гомель", city="Гомель"
    )
    buyer, buyer_headers = _water_company(
        gateway, open_company, marker, name="Водоканал Вязьмы", city="Вязьма"
    )
    verify(gateway, agency, seller)
    offer, need = _water_pair(
        gateway, agency, (seller, seller_headers), (buyer, buyer_headers), marker
    )
    try:
        time.sleep(3)  # ample time for matching to have seen both listings
        while_pending = _pairs(gateway, agency, need, offer)

        verify(gateway, agency, buyer)
        after = _until(lambda: _pairs(gateway, agency, need, offer))
    finally:
        close_listings(gateway, agency, [offer, need])

    assert while_pending == []
    assert [m["status"] for m in after] == ["proposed"]
    assert after[0]["need_enterprise_status"] == after[0]["offer_enterprise_status"] == "verified"


def test_a_verified_supplier_that_renames_itself_is_checked_again_and_matched_again_once_verified(
    gateway, open_company, agency, mailbox
):
    marker = fresh_marker(6)
    seller_profile = enterprise_profile(
        marker, name="Полесьетрубпласт", city="Пинск", sectors=["water_treatment"]
    )
    seller, seller_headers = registered_company(gateway, open_company, seller_profile)
    buyer, buyer_headers = _water_company(
        gateway, open_company, marker, name="Смоленские коммунальные системы", city="Смоленск"
    )
    verify(gateway, agency, seller, buyer)
    offer, need = _water_pair(
        gateway, agency, (seller, seller_headers), (buyer, buyer_headers), marker
    )
    try:
        [proposed] = _until(lambda: _pairs(gateway, agency, need, offer))
        version = gateway.get(f"/api/v1/enterprises/{seller}").json()["version"]
        phone_edit = gateway.patch(
            f"/api/v1/enterprises/{seller}",
            headers=seller_headers,
            json={"phone": "+375165000000", "version": version},
        )
        renamed = gateway.patch(
            f"/api/v1/enterprises/{seller}",
            headers=seller_headers,
            json={
                "name": f"ООО «Трубпласт-Полесье» {marker}",
                "version": phone_edit.json()["version"],
            },
        )
        queue = gateway.get(
            "/api/v1/enterprises",
            headers=agency,
            params={"status": "pending", "q": marker, "limit": 50},
        ).json()
        withdrawn = _until(
            lambda: [m for m in _pairs(gateway, agency, need, offer) if m["status"] == "withdrawn"]
        )
        told = _until(
            lambda: [
                m
                for m in mailbox.messages_to(seller_profile["email"])
                if "снова на проверке" in m["Subject"]
            ]
        )

        verify(gateway, agency, seller)
        again = _until(
            lambda: [m for m in _pairs(gateway, agency, need, offer) if m["status"] == "proposed"]
        )
        history = gateway.get(f"/api/v1/matches/{proposed['id']}", headers=agency).json()["history"]
    finally:
        close_listings(gateway, agency, [offer, need])

    assert (
        phone_edit.status_code == 200 and phone_edit.json()["status"] == "verified"
    )  # a phone is not who it is
    assert renamed.status_code == 200, renamed.text
    assert renamed.json()["status"] == "pending" and renamed.json()["recheck_because"] == ["name"]
    assert seller in [e["id"] for e in queue["items"]]
    assert withdrawn[0]["id"] == proposed["id"]
    assert told, "the company was not told why it is checked again"
    assert "название" in mailbox.message(told[0]["ID"])["Text"]
    assert again[0]["id"] == proposed["id"]
    assert [h["to_status"] for h in history] == ["proposed", "withdrawn", "proposed"]
