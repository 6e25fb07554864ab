"""The design's story, end to end on the real platform: a Smolensk housing operator needing 120
passenger lifts is shown a Mogilev lift maker with the reason in words; the agency approves; both
enterprises get one well-formed Russian partner suggestion each; neither sees the other's
contacts until both say they are interested, and then both receive the introduction."""

from __future__ import annotations

from tests.e2e.console_story import (
    answer_interested,
    approve,
    published,
    registered_company,
    verify,
)
from tests.e2e.profiles import lift_maker_profile, lift_need, lift_offer
from tests.e2e.waiting import exactly_one_email, wait_until
from tests.identifiers import fresh_marker


def test_from_a_published_need_to_an_introduction_by_email(
    gateway, mailbox, open_company, agency, smolensk_housing_operator
):
    marker = fresh_marker(6)
    lift_maker = lift_maker_profile(certifications=["ТР ТС 011/2011", "ISO 9001"])
    buyer = smolensk_housing_operator
    seller_id, seller_account = registered_company(gateway, open_company, lift_maker)
    buyer_id, buyer_account = registered_company(gateway, open_company, buyer)
    verify(gateway, agency, seller_id, buyer_id)

    certified = ["ТР ТС 011/2011"]
    lifts = f"Пассажирские лифты {marker} грузоподъёмностью 400–1000 кг"
    offer_body = lift_offer(title=lifts, certifications=certified)
    need_body = lift_need(
        title=f"Замена пассажирских лифтов {marker}, 120 шт.", certifications=certified
    )
    offer = published(gateway, seller_account, f"/enterprises/{seller_id}/offers", offer_body)
    need = published(gateway, buyer_account, f"/enterprises/{buyer_id}/needs", need_body)

    # The reviewer finds the pair in the queue, with the reasons in words.
    queue = wait_until(
        lambda: gateway.get(
            "/api/v1/matches", headers=agency, params={"need_id": need["id"]}
        ).json(),
        lambda page: any(m["offer_id"] == offer["id"] for m in page["items"]),
    )
    [match] = [m for m in queue["items"] if m["offer_id"] == offer["id"]]
    assert match["status"] == "proposed"
    assert any("Лифты" in reason for reason in match["reasons"]["ru"])
    assert any(reason.startswith("Могилёв — Смоленск") for reason in match["reasons"]["ru"])

    # Before approval the buyer sees neither the suggestion nor the maker's contacts.
    assert (
        gateway.get(f"/api/v1/enterprises/{buyer_id}/suggestions", headers=buyer_account).json()[
            "items"
        ]
        == []
    )
    assert (
        "email" not in gateway.get(f"/api/v1/enterprises/{seller_id}", headers=buyer_account).json()
    )

    approve(gateway, agency, match["id"])

    to_buyer = exactly_one_email(mailbox, buyer["email"], "Предложение о партнёрстве")
    to_seller = exactly_one_email(mailbox, lift_maker["email"], "Предложение о партнёрстве")
    assert lift_maker["name"] in to_buyer["Subject"] and buyer["name"] in to_seller["Subject"]
    assert "мощность 200 шт. покрывает потребность 120 шт." in to_buyer["Text"]
    assert f"/suggestions/{match['id']}" in to_buyer["Text"] and to_buyer["HTML"]
    assert lift_maker["email"] not in to_buyer["Text"] and buyer["email"] not in to_seller["Text"]

    introduced = answer_interested(gateway, match["id"], buyer_account, seller_account)
    assert introduced["status"] == "introduced"

    introduction_to_buyer = exactly_one_email(mailbox, buyer["email"], "Знакомство с партнёром")
    introduction_to_seller = exactly_one_email(
        mailbox, lift_maker["email"], "Знакомство с партнёром"
    )
    assert (
        lift_maker["email"] in introduction_to_buyer["Text"]
        and lift_maker["phone"] in introduction_to_buyer["Text"]
    )
    assert buyer["email"] in introduction_to_seller["Text"]
