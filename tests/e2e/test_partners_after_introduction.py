"""After an introduction each company finds the other among its partners, with its contacts, on
the platform: a Mogilev lift maker and a Smolensk housing operator are matched, the agency
approves, both say they are interested, and each then reads the other's contact person, email and
phone from GET /api/v1/enterprises/{own}/partners. A third company is refused. The match explains
itself in Belarusian too."""

from __future__ import annotations

from tests.e2e.console_story import (
    answer_interested,
    approve,
    proposed_lift_pair,
    registered_company,
)
from tests.e2e.profiles import lift_maker_profile
from tests.e2e.waiting import wait_until
from tests.identifiers import fresh_marker


def test_two_introduced_companies_each_see_the_others_contacts_and_a_third_is_refused(
    gateway, open_company, agency, new_housing_operator
):
    marker = fresh_marker(6)
    lift_maker = lift_maker_profile(
        languages=["be", "ru"], contact_person="Іван Пятроў", phone="+375222765432"
    )
    buyer = new_housing_operator()
    seller_id, seller_account = registered_company(gateway, open_company, lift_maker)
    buyer_id, buyer_account = registered_company(gateway, open_company, buyer)
    _, stranger_account = registered_company(gateway, open_company, new_housing_operator())

    offer, need, match = proposed_lift_pair(
        gateway, agency, (seller_id, seller_account), (buyer_id, buyer_account), marker=marker
    )

    # The reasons come in Belarusian too, one for each Russian one.
    assert len(match["reasons"]["be"]) == len(match["reasons"]["ru"])
    assert (
        match["reasons"]["be"][0] == "Абодва ў сектары «Ліфты і пад'ёмна-транспартнае абсталяванне»"
    )
    assert any(
        r.startswith("Магілёў — Смаленск ") and r.endswith(" км (Беларусь — Расія)")
        for r in match["reasons"]["be"]
    )

    # Before the introduction neither has partners.
    assert gateway.get(
        f"/api/v1/enterprises/{buyer_id}/partners", headers=buyer_account
    ).json() == {"items": []}

    approve(gateway, agency, match["id"])
    introduced = answer_interested(gateway, match["id"], buyer_account, seller_account)
    assert introduced["status"] == "introduced"

    buyer_sees = wait_until(
        lambda: gateway.get(f"/api/v1/enterprises/{buyer_id}/partners", headers=buyer_account),
        lambda response: response.status_code == 200 and response.json()["items"],
    )
    assert buyer_sees.status_code == 200
    [partner] = buyer_sees.json()["items"]
    assert partner == {
        "match_id": match["id"],
        "enterprise_id": seller_id,
        "name": lift_maker["name"],
        "country": "BY",
        "region": "mogilev_oblast",
        "city": "Могилёв",
        "contact_person": "Іван Пятроў",
        "email": lift_maker["email"],
        "phone": lift_maker["phone"],
        "introduced_at": partner["introduced_at"],
    }

    seller_sees = gateway.get(f"/api/v1/enterprises/{seller_id}/partners", headers=seller_account)
    [partner] = seller_sees.json()["items"]
    assert (
        partner["enterprise_id"],
        partner["email"],
        partner["phone"],
        partner["contact_person"],
    ) == (buyer_id, buyer["email"], buyer["phone"], buyer["contact_person"])
    assert partner["match_id"] == match["id"]

    refused = gateway.get(f"/api/v1/enterprises/{buyer_id}/partners", headers=stranger_account)
    assert refused.status_code == 403
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert lift_maker["email"] not in refused.text

    # The agency may look too.
    assert [
        p["enterprise_id"]
        for p in gateway.get(f"/api/v1/enterprises/{seller_id}/partners", headers=agency).json()[
            "items"
        ]
    ] == [buyer_id]
