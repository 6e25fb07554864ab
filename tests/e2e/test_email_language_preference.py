"""A Russian-speaking Smolensk housing operator would rather read its emails in Belarusian and does
not want reminders: it says so in its notification preferences, the next suggestion arrives in
Belarusian, and the platform keeps both choices until the company changes them."""

from __future__ import annotations

from tests.e2e.console_story import proposed_lift_pair, registered_company
from tests.e2e.profiles import lift_maker_profile
from tests.e2e.waiting import wait_until
from tests.identifiers import fresh_marker


def _a_proposed_pair(gateway, open_company, agency, buyer_profile: dict) -> dict:
    """A Russian-speaking Mogilev lift maker's offer and the housing operator's need, proposed to
    the agency."""
    marker = fresh_marker(6)
    maker = lift_maker_profile(languages=["ru"], phone="+375222111333")
    seller = registered_company(gateway, open_company, maker)
    buyer_id, buyer = registered_company(gateway, open_company, buyer_profile)
    offer, need, match = proposed_lift_pair(
        gateway,
        agency,
        seller=seller,
        buyer=(buyer_id, buyer),
        offer_title=f"Пассажирские лифты {marker} на 630 кг",
        need_title=f"Замена пассажирских лифтов {marker}",
    )
    return {"maker": maker, "buyer": buyer, "buyer_id": buyer_id, "match": match}


def _suggestions_to(mailbox, address: str) -> list[dict]:
    return wait_until(
        lambda: [m for m in mailbox.messages_to(address) if "партнёрстве:" in m["Subject"]], bool
    )


def test_a_russian_speaking_company_that_chose_belarusian_gets_its_next_suggestion_in_belarusian(
    gateway, mailbox, open_company, agency, new_housing_operator
):
    housing = new_housing_operator()
    pair = _a_proposed_pair(gateway, open_company, agency, housing)
    preferences = f"/api/v1/enterprises/{pair['buyer_id']}/notification-preferences"

    # Before any choice: the enterprise's own language, and reminders on.
    before = gateway.get(preferences, headers=pair["buyer"])
    assert before.status_code == 200, before.text
    assert before.json()["language"] is None and before.json()["reminders"] is True

    chosen = gateway.put(
        preferences, headers=pair["buyer"], json={"language": "be", "reminders": False}
    )
    assert chosen.status_code == 200, chosen.text
    assert chosen.json() | {"unsubscribed_at": None} == {
        "enterprise_id": pair["buyer_id"],
        "suggestions": "immediate",
        "unsubscribed": False,
        "unsubscribed_at": None,
        "language": "be",
        "reminders": False,
    }

    assert (
        gateway.post(
            f"/api/v1/matches/{pair['match']['id']}/approve", headers=agency, json={}
        ).status_code
        == 200
    )

    [suggestion] = _suggestions_to(mailbox, housing["email"])
    assert suggestion["Subject"].startswith("Прапанова аб партнёрстве:"), suggestion["Subject"]
    body = mailbox.message(suggestion["ID"])
    assert "Абодва ў сектары" in body["Text"]
    # The partner chose nothing and still reads its own, Russian, email.
    [to_maker] = _suggestions_to(mailbox, pair["maker"]["email"])
    assert to_maker["Subject"].startswith("Предложение о партнёрстве:"), to_maker["Subject"]
    logged = gateway.get(
        "/api/v1/notifications",
        headers=agency,
        params={"template": "suggestion", "enterprise_id": pair["buyer_id"]},
    ).json()["items"]
    assert [d["language"] for d in logged] == ["be"]


def test_a_company_keeps_its_language_and_reminders_when_an_older_client_changes_only_the_rhythm(
    gateway, open_company, new_housing_operator
):
    enterprise_id, account = registered_company(gateway, open_company, new_housing_operator())
    preferences = f"/api/v1/enterprises/{enterprise_id}/notification-preferences"
    assert (
        gateway.put(
            preferences, headers=account, json={"language": "en", "reminders": False}
        ).status_code
        == 200
    )

    older_client = gateway.put(
        preferences, headers=account, json={"suggestions": "daily", "unsubscribed": False}
    )

    assert older_client.status_code == 200, older_client.text
    kept = gateway.get(preferences, headers=account).json()
    assert (kept["suggestions"], kept["language"], kept["reminders"]) == ("daily", "en", False)

    # Back to the enterprise's usual language; reminders stay off.
    usual = gateway.put(preferences, headers=account, json={"language": None}).json()
    assert (usual["language"], usual["reminders"]) == (None, False)


def test_a_language_the_emails_are_not_written_in_is_refused_as_a_problem(
    gateway, open_company, new_housing_operator
):
    enterprise_id, account = registered_company(gateway, open_company, new_housing_operator())

    refused = gateway.put(
        f"/api/v1/enterprises/{enterprise_id}/notification-preferences",
        headers=account,
        json={"language": "de", "reminders": "sometimes"},
    )

    assert refused.status_code == 422
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert {e["field"] for e in refused.json()["errors"]} >= {"language", "reminders"}
