"""What the console's browser tests set up through the public API: enterprises on both sides of
the border and the pairs the matcher proposes for them."""

from __future__ import annotations

import time
from dataclasses import dataclass

import httpx

from tests.e2e.profiles import enterprise_profile, lift_need, lift_offer
from tests.identifiers import fresh_marker


def registered(gateway: httpx.Client, open_company, profile: dict) -> str:
    response = gateway.post("/api/v1/enterprises", json=profile, headers=open_company())
    assert response.status_code == 201, response.text
    return response.json()["id"]


def registered_company(
    gateway: httpx.Client, open_company, profile: dict, *login: str
) -> tuple[str, dict]:
    """A new company account (`login`: its email and password, if the test signs in with them)
    that registers `profile`; returns the enterprise id and the account's authorization header."""
    account = open_company(*login)
    return registered(gateway, lambda: account, profile), account


def verify(gateway: httpx.Client, agency: dict, *enterprise_ids: str) -> None:
    """The agency's reviewer verifies the enterprises (matching pairs only verified enterprises'
    listings); one verified already is left as it is."""
    for enterprise_id in enterprise_ids:
        if gateway.get(f"/api/v1/enterprises/{enterprise_id}").json().get("status") == "verified":
            continue
        response = gateway.post(
            f"/api/v1/enterprises/{enterprise_id}/verify",
            headers={"Authorization": agency["Authorization"]},
        )
        assert response.status_code == 200, response.text


def approve(gateway: httpx.Client, agency: dict, match_id: str) -> dict:
    """The agency's reviewer approves the proposed pair; returns the match as approved."""
    approved = gateway.post(f"/api/v1/matches/{match_id}/approve", headers=agency, json={})
    assert approved.status_code == 200, approved.text
    return approved.json()


def answer_interested(gateway: httpx.Client, match_id: str, *accounts: dict) -> dict:
    """Each company (its authorization header), in turn, answers «interested» to the suggestion;
    returns the match as the last answer left it."""
    for account in accounts:
        answered = gateway.post(
            f"/api/v1/matches/{match_id}/respond", headers=account, json={"answer": "interested"}
        )
        assert answered.status_code == 200, answered.text
    return answered.json()


def registered_and_verified(
    gateway: httpx.Client, open_company, agency: dict, profile: dict
) -> str:
    enterprise_id = registered(gateway, open_company, profile)
    verify(gateway, agency, enterprise_id)
    return enterprise_id


def published(gateway: httpx.Client, headers: dict, path: str, listing: dict) -> dict:
    """Publishes `listing` at `path` (/enterprises/{id}/offers or .../needs) as the caller of
    `headers` (the enterprise's company or the agency); returns it as published."""
    response = gateway.post(f"/api/v1{path}", headers=headers, json=listing)
    assert response.status_code == 201, response.text
    return response.json()


def proposed(
    gateway: httpx.Client, agency: dict, need_ids: list[str], offer_id: str, *, timeout: float = 60
) -> dict[str, dict]:
    deadline, found = time.monotonic() + timeout, {}
    while len(found) < len(need_ids) and time.monotonic() < deadline:
        for need_id in need_ids:
            items = gateway.get(
                "/api/v1/matches", headers=agency, params={"need_id": need_id}
            ).json()["items"]
            for match in items:
                if match["offer_id"] == offer_id:
                    found[need_id] = match
        time.sleep(0.3)
    assert len(found) == len(need_ids), (
        f"only {len(found)} of {len(need_ids)} pairs were proposed within {timeout:.0f}s"
    )
    return found


@dataclass(frozen=True)
class ElevatorPairs:
    marker: str
    matches: list[dict]  # one per need, in the needs' order
    need_titles: list[str]
    listings: list[dict]  # the offer and the needs, to close when the test is done


def three_elevator_pairs(gateway, open_company, agency) -> ElevatorPairs:
    """A Mogilev maker of lift parts and three Smolensk buyers, proposed as three BY→RU pairs.
    Lift parts (HS 8431 31) rather than whole lifts, so these pairs outrank each other and not the
    pairs other tests of the same session expect for whole lifts (HS 8428 10)."""
    marker = fresh_marker(6)
    maker_profile = enterprise_profile(
        marker, name="Лифтмаш Могилёв", city="Могилёв", sectors=["elevators"]
    )
    maker = registered_and_verified(gateway, open_company, agency, maker_profile)
    staff = {"Authorization": agency["Authorization"]}
    lift_parts = {
        "kind": "goods",
        "sector": "elevators",
        "product_codes": ["843131"],
        "unit": "шт.",
    }
    parts_offer = lift_parts | {
        "title": f"Запчасти для лифтов {marker}",
        "description": f"Лебёдки, двери и кабины для лифтов, партия {marker}",
        "quantity": 300,
    }
    offer = published(gateway, staff, f"/enterprises/{maker}/offers", parts_offer)
    needs = []
    for number, city in enumerate(("Смоленск", "Вязьма", "Рославль"), start=1):
        buyer_profile = enterprise_profile(
            f"{marker}{number}", name="Жилсервис", city=city, sectors=["construction"]
        )
        buyer = registered_and_verified(gateway, open_company, agency, buyer_profile)
        need = lift_parts | {
            "title": f"Запчасти для лифтов {marker}-{number}",
            "description": f"Нужны лебёдки и двери для лифтов, партия {marker}",
            "quantity": 40,
        }
        needs.append(published(gateway, staff, f"/enterprises/{buyer}/needs", need))
    matches = proposed(gateway, agency, [n["id"] for n in needs], offer["id"])
    return ElevatorPairs(
        marker, [matches[n["id"]] for n in needs], [n["title"] for n in needs], [offer, *needs]
    )


def close_listings(gateway, agency: dict, listings: list[dict]) -> None:
    """Takes a test's listings out of the matching index, so later tests meet only their own."""
    for listing in listings:
        plural = "offers" if listing["side"] == "offer" else "needs"
        current = gateway.get(f"/api/v1/{plural}/{listing['id']}").json()
        gateway.patch(
            f"/api/v1/{plural}/{listing['id']}",
            headers=agency,
            json={"status": "closed", "version": current["version"]},
        )


def proposed_lift_pair(
    gateway,
    agency: dict,
    seller: tuple[str, dict],
    buyer: tuple[str, dict],
    *,
    marker: str = "",
    offer_title: str = "",
    need_title: str = "",
    offer_changes: dict | None = None,
    need_changes: dict | None = None,
    timeout: float = 30,
) -> tuple[dict, dict, dict]:
    """A lift maker's offer (200 a year) and a Smolensk buyer's need (120 lifts), published by their
    companies (enterprise id and authorization header, as `registered_company` returns them),
    both verified by the agency first; their titles name `marker` unless given;
    `offer_changes` and `need_changes` add fields (certifications...). Returns the offer, the need
    and their proposed pair."""
    offer_title = offer_title or f"Пассажирские лифты {marker} грузоподъёмностью 400–1000 кг"
    need_title = need_title or f"Замена пассажирских лифтов {marker}, 120 шт."
    offer_changes, need_changes = offer_changes or {}, need_changes or {}
    (seller_id, seller_headers), (buyer_id, buyer_headers) = seller, buyer
    verify(gateway, agency, seller_id, buyer_id)
    offer = gateway.post(
        f"/api/v1/enterprises/{seller_id}/offers",
        headers=seller_headers,
        json=lift_offer(title=offer_title, **offer_changes),
    ).json()
    need = gateway.post(
        f"/api/v1/enterprises/{buyer_id}/needs",
        headers=buyer_headers,
        json=lift_need(title=need_title, **need_changes),
    ).json()
    deadline, room_made = time.monotonic() + timeout, False
    while time.monotonic() < deadline:
        queue = gateway.get(
            "/api/v1/matches",
            headers=agency,
            params={"need_id": need["id"], "offer_id": offer["id"]},
        ).json()
        if queue["items"]:
            return offer, need, queue["items"][0]
        if not room_made and time.monotonic() > deadline - timeout / 2:
            need = _room_for_the_pair(gateway, agency, offer, need, buyer_headers)
            room_made = True
        time.sleep(0.2)
    raise AssertionError(f"the lift offer and need were not paired within {timeout:.0f}s")


def _room_for_the_pair(gateway, agency: dict, offer: dict, need: dict, buyer_headers: dict) -> dict:
    """Lift listings other tests of the session left open compete for each listing's K proposals:
    one side, verified and matched a moment before the other, may have filled its K with them. The
    reviewer rejects those other proposals of this offer and need (earlier tests are done with
    them), then the buyer touches its need, which is matched again; returns the need as it now
    is."""
    for side, own in (("offer_id", offer), ("need_id", need)):
        for match in gateway.get(
            "/api/v1/matches",
            headers=agency,
            params={side: own["id"], "status": "proposed", "limit": 50},
        ).json()["items"]:
            if (match["offer_id"], match["need_id"]) != (offer["id"], need["id"]):
                gateway.post(
                    f"/api/v1/matches/{match['id']}/reject",
                    headers=agency,
                    json={"reason": "another test's listing"},
                )
    touched = gateway.patch(
        f"/api/v1/needs/{need['id']}",
        headers=buyer_headers,
        json={"description": need["description"] + " (уточнено)", "version": need["version"]},
    )
    return touched.json() if touched.status_code == 200 else need
