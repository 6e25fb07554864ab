"""When a suggestion the companies were sent ends, the side that did not end it is told so in words,
in its own language, once: the partner answered not interested, or the partner closed its listing.
A pair withdrawn before the agency approved it was never news to anyone, so nobody is told."""

from __future__ import annotations

import time

from tests.e2e.console_story import approve, proposed_lift_pair, registered_company
from tests.e2e.waiting import exactly_one_email, wait_until
from tests.identifiers import fresh_marker, fresh_unp


def _a_proposed_pair(
    gateway, open_company, agency, buyer_profile: dict, *, maker_languages: list[str]
) -> dict:
    """A Mogilev lift maker's offer and a Smolensk housing operator's need, proposed to the
    agency."""
    marker = fresh_marker(6)
    maker = {
        "name": f"ОАО «Бабруйскліфт» {marker}",
        "country": "BY",
        "region": "mogilev_oblast",
        "city": "Могилёв",
        "unp": fresh_unp(),
        "sectors": ["elevators"],
        "languages": maker_languages,
        "size": "large",
        "certifications": [],
        "contact_person": "Алесь Каваль",
        "email": f"endings-{marker}@example.by",
        "phone": "+375222111222",
        "personal_data_consent": True,
    }
    seller_id, seller_account = registered_company(gateway, open_company, maker)
    buyer_id, buyer_account = registered_company(gateway, open_company, buyer_profile)
    offer, need, match = proposed_lift_pair(
        gateway, agency, (seller_id, seller_account), (buyer_id, buyer_account), marker=marker
    )
    return {
        "maker": maker,
        "seller": seller_account,
        "buyer": buyer_account,
        "seller_id": seller_id,
        "buyer_id": buyer_id,
        "offer": offer,
        "need": need,
        "match": match,
    }


def _endings_logged(gateway, agency, enterprise_id: str) -> list[dict]:
    return gateway.get(
        "/api/v1/notifications",
        headers=agency,
        params={"template": "suggestion_ended", "enterprise_id": enterprise_id},
    ).json()["items"]


def test_a_declined_suggestion_tells_the_other_side_in_its_language(
    gateway, mailbox, open_company, agency, new_housing_operator
):
    buyer = new_housing_operator()
    pair = _a_proposed_pair(gateway, open_company, agency, buyer, maker_languages=["be", "ru"])
    match = pair["match"]
    approve(gateway, agency, match["id"])

    # The Belarusian-speaking maker's suggestion gives the reasons in Belarusian.
    suggestion = exactly_one_email(mailbox, pair["maker"]["email"], "Прапанова аб партнёрстве:")
    assert "Абодва ў сектары «Ліфты і пад'ёмна-транспартнае абсталяванне»" in suggestion["Text"]

    declined = gateway.post(
        f"/api/v1/matches/{match['id']}/respond", headers=pair["buyer"], json={"answer": "declined"}
    )
    assert declined.json()["status"] == "declined"

    ended = exactly_one_email(
        mailbox, pair["maker"]["email"], "Прапанова аб партнёрстве больш не дзейнічае"
    )
    assert buyer["name"] in ended["Subject"]
    for body in (ended["Text"], ended["HTML"]):
        assert "партнёр адказаў, што яму не цікава" in body
        assert pair["offer"]["title"] in body and pair["need"]["title"] in body
    assert buyer["email"] not in ended["Text"]  # no contacts without an introduction

    # The one who declined is not told what it did itself.
    time.sleep(1)
    assert _endings_logged(gateway, agency, pair["buyer_id"]) == []
    assert len(_endings_logged(gateway, agency, pair["seller_id"])) == 1


def test_an_approved_suggestion_whose_offer_closes_tells_the_buyer(
    gateway, mailbox, open_company, agency, new_housing_operator
):
    buyer = new_housing_operator()
    pair = _a_proposed_pair(gateway, open_company, agency, buyer, maker_languages=["ru"])
    match = pair["match"]
    approve(gateway, agency, match["id"])
    exactly_one_email(mailbox, buyer["email"], "Предложение о партнёрстве:")

    closed = gateway.patch(
        f"/api/v1/offers/{pair['offer']['id']}",
        headers=pair["seller"],
        json={"status": "closed", "version": pair["offer"]["version"]},
    )
    assert closed.status_code == 200, closed.text

    ended = exactly_one_email(mailbox, buyer["email"], "Предложение о партнёрстве завершено")
    assert pair["maker"]["name"] in ended["Subject"]
    assert "партнёр закрыл своё объявление" in ended["Text"]
    assert f"Ваша потребность: {pair['need']['title']}" in ended["Text"]
    assert (
        gateway.get(f"/api/v1/matches/{match['id']}", headers=agency).json()["status"]
        == "withdrawn"
    )
    time.sleep(1)
    assert _endings_logged(gateway, agency, pair["seller_id"]) == []
    # The buyer's suggestions still list it, withdrawn, so its page can say how it ended.
    listed = gateway.get(
        f"/api/v1/enterprises/{pair['buyer_id']}/suggestions", headers=pair["buyer"]
    ).json()["items"]
    assert [m["status"] for m in listed if m["id"] == match["id"]] == ["withdrawn"]


def test_a_pair_withdrawn_before_the_agency_approved_it_is_news_to_nobody(
    gateway, mailbox, open_company, agency, new_housing_operator
):
    buyer = new_housing_operator()
    pair = _a_proposed_pair(gateway, open_company, agency, buyer, maker_languages=["ru"])

    closed = gateway.patch(
        f"/api/v1/offers/{pair['offer']['id']}",
        headers=pair["seller"],
        json={"status": "closed", "version": pair["offer"]["version"]},
    )
    assert closed.status_code == 200, closed.text
    withdrawn = wait_until(
        lambda: gateway.get(f"/api/v1/matches/{pair['match']['id']}", headers=agency).json(),
        lambda m: m["status"] == "withdrawn",
    )
    assert withdrawn["status"] == "withdrawn"

    time.sleep(3)  # the withdrawal's event has long reached the notifications service
    assert _endings_logged(gateway, agency, pair["buyer_id"]) == []
    assert _endings_logged(gateway, agency, pair["seller_id"]) == []
    assert not [m for m in mailbox.messages_to(buyer["email"]) if "завершено" in m["Subject"]]
    # Never sent to the companies, so never in their suggestions either.
    listed = gateway.get(
        f"/api/v1/enterprises/{pair['buyer_id']}/suggestions", headers=pair["buyer"]
    ).json()["items"]
    assert [m for m in listed if m["id"] == pair["match"]["id"]] == []
