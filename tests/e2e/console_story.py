"""What the console's browser tests set up through the public API: enterprises on both sides of
the border and the pairs the matcher proposes for them."""

from __future__ import annotations

import time
import uuid

import httpx
from tests.identifiers import fresh_inn, fresh_unp


def enterprise_profile(marker: str, *, country: str, name: str, city: str, region: str, sectors: list[str]) -> dict:
    legal_id = {"unp": fresh_unp()} if country == "BY" else {"inn": fresh_inn()}
    return {"name": f"{name} {marker}", "country": country, "region": region, "city": city, **legal_id, "sectors": sectors,
            "languages": ["ru"], "size": "medium", "certifications": [], "contact_person": "Ирина Ковалёва",
            "email": f"contact-{marker}-{uuid.uuid4().hex[:6]}@example.{country.lower()}", "phone": "+375172000000",
            "personal_data_consent": True, "description": "Работаем с партнёрами по обе стороны границы."}


def registered(gateway: httpx.Client, open_company, profile: dict) -> str:
    response = gateway.post("/api/v1/enterprises", json=profile, headers=open_company())
    assert response.status_code == 201, response.text
    return response.json()["id"]


def proposed(gateway: httpx.Client, agency: dict, need_ids: list[str], offer_id: str, *, timeout: float = 60) -> dict[str, dict]:
    deadline, found = time.monotonic() + timeout, {}
    while len(found) < len(need_ids) and time.monotonic() < deadline:
        for need_id in need_ids:
            items = gateway.get("/api/v1/matches", headers=agency, params={"need_id": need_id}).json()["items"]
            found |= {need_id: m for m in items if m["offer_id"] == offer_id}
        time.sleep(0.3)
    assert len(found) == len(need_ids), f"only {len(found)} of {len(need_ids)} pairs were proposed within {timeout:.0f}s"
    return found


def three_elevator_pairs(gateway, open_company, agency) -> tuple[str, list[dict], list[str]]:
    """A Mogilev lift maker's offer and three Smolensk buyers' needs, proposed as three BY→RU pairs."""
    marker = uuid.uuid4().hex[:6]
    maker = registered(gateway, open_company, enterprise_profile(marker, country="BY", name="Лифтмаш Могилёв", city="Могилёв",
                                                            region="mogilev_oblast", sectors=["elevators"]))
    seller = {"Authorization": agency["Authorization"]}
    offer = gateway.post(f"/api/v1/enterprises/{maker}/offers", headers=seller, json={
        "kind": "goods", "title": f"Пассажирские лифты {marker}", "description": "Пассажирские лифты для жилых домов, до 300 шт. в год",
        "sector": "elevators", "product_codes": ["842810"], "quantity": 300, "unit": "шт."}).json()
    needs = []
    for number, city in enumerate(("Смоленск", "Вязьма", "Рославль"), start=1):
        buyer = registered(gateway, open_company, enterprise_profile(f"{marker}{number}", country="RU", name="Жилсервис", city=city,
                                                                region="smolensk_oblast", sectors=["construction"]))
        need = gateway.post(f"/api/v1/enterprises/{buyer}/needs", headers=seller, json={
            "kind": "goods", "title": f"Замена лифтов {marker}-{number}", "description": "Нужна замена пассажирских лифтов в жилых домах",
            "sector": "elevators", "product_codes": ["842810"], "quantity": 40, "unit": "шт."}).json()
        needs.append(need)
    matches = proposed(gateway, agency, [n["id"] for n in needs], offer["id"])
    return marker, [matches[n["id"]] for n in needs], [n["title"] for n in needs]
