"""The whole path through the public API: two companies register, the agency verifies them, one
publishes an offer and the other a need; the agency finds the pair in its queue with the reasons,
approves it, and both companies answer until they are introduced."""

from __future__ import annotations

import time

from tests.e2e.console_story import published, registered_company, verify
from tests.e2e.profiles import lift_maker_profile, lift_need, lift_offer
from tests.identifiers import fresh_marker


def test_a_published_need_reaches_the_agency_queue_and_ends_in_an_introduction(
    gateway, open_company, agency, smolensk_housing_operator
):
    line = f"ЛП-{fresh_marker(6)}"
    seller_id, seller = registered_company(
        gateway, open_company, lift_maker_profile(certifications=["ТР ТС 011/2011"], phone=None)
    )
    buyer_id, buyer = registered_company(gateway, open_company, smolensk_housing_operator)
    verify(gateway, agency, seller_id, buyer_id)
    offer_body = lift_offer(
        title=f"Пассажирские лифты {line} грузоподъёмностью 400–1000 кг",
        description="Производим и монтируем пассажирские лифты для жилых домов",
    )
    need_body = lift_need(
        title=f"Пассажирские лифты {line} для жилых домов, 120 шт.",
        description="Замена лифтов в многоквартирных домах Смоленска",
        certifications=["ТР ТС 011/2011"],
    )
    offer = published(gateway, seller, f"/enterprises/{seller_id}/offers", offer_body)
    need = published(gateway, buyer, f"/enterprises/{buyer_id}/needs", need_body)

    deadline, queue = time.monotonic() + 20, {"items": []}
    while not queue["items"] and time.monotonic() < deadline:
        queue = gateway.get(
            "/api/v1/matches",
            headers=agency,
            params={"need_id": need["id"], "offer_id": offer["id"]},
        ).json()
        time.sleep(0.2)
    [proposed] = queue["items"]
    match_id = proposed["id"]
    hidden = gateway.get(f"/api/v1/enterprises/{buyer_id}/suggestions", headers=buyer).json()
    approved = gateway.post(f"/api/v1/matches/{match_id}/approve", headers=agency, json={})
    suggestions = gateway.get(f"/api/v1/enterprises/{buyer_id}/suggestions", headers=buyer).json()
    gateway.post(
        f"/api/v1/matches/{match_id}/respond", headers=buyer, json={"answer": "interested"}
    )
    introduced = gateway.post(
        f"/api/v1/matches/{match_id}/respond", headers=seller, json={"answer": "interested"}
    )

    assert "мощность 200 шт. покрывает потребность 120 шт." in proposed["reasons"]["ru"]
    assert any(r.startswith("Могилёв — Смоленск") for r in proposed["reasons"]["ru"])
    assert match_id not in [m["id"] for m in hidden["items"]]
    assert approved.status_code == 200, approved.text
    assert match_id in [m["id"] for m in suggestions["items"]]
    assert introduced.status_code == 200, introduced.text
    assert introduced.json()["status"] == "introduced"
