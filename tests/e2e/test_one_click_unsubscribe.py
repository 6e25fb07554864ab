"""A housing operator's mail provider shows "Unsubscribe" beside a partner suggestion: it POSTs
`List-Unsubscribe=One-Click` to the address in the email's List-Unsubscribe header (RFC 8058),
with no sign-in, and the company's preferences say it is unsubscribed."""

from __future__ import annotations

from email import message_from_bytes, policy

import httpx

from tests.e2e.console_story import approve, proposed_lift_pair, registered_company
from tests.e2e.profiles import lift_maker_profile
from tests.e2e.waiting import wait_until
from tests.identifiers import fresh_marker


def _a_suggestion_email(
    platform, gateway, mailbox, open_company, agency, housing: dict
) -> tuple[str, dict, bytes]:
    marker = fresh_marker(6)
    maker = lift_maker_profile(languages=["ru"], phone=None)
    buyer_id, buyer = registered_company(gateway, open_company, housing)
    _, _, match = proposed_lift_pair(
        gateway,
        agency,
        seller=registered_company(gateway, open_company, maker),
        buyer=(buyer_id, buyer),
        offer_title=f"Пассажирские лифты {marker} на 630 кг",
        need_title=f"Замена пассажирских лифтов {marker}",
    )
    approve(gateway, agency, match["id"])
    [summary] = wait_until(
        lambda: [
            m for m in mailbox.messages_to(housing["email"]) if "партнёрстве:" in m["Subject"]
        ],
        bool,
    )
    raw = httpx.get(
        f"{platform.mail_api_url}/api/v1/message/{summary['ID']}/raw"
    ).content  # as the provider received it
    return buyer_id, buyer, raw


def test_a_company_unsubscribes_from_a_suggestion_in_one_click_without_signing_in(
    platform, gateway, mailbox, open_company, agency, new_housing_operator
):
    housing = new_housing_operator()
    buyer_id, buyer, raw = _a_suggestion_email(
        platform, gateway, mailbox, open_company, agency, housing
    )
    received = message_from_bytes(raw, policy=policy.default)
    assert received["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    one_click = str(received["List-Unsubscribe"]).strip("<>")
    assert one_click.startswith(f"{platform.gateway_url}/api/v1/unsubscribe?token="), (
        one_click
    )  # the public API's address in settings
    preferences = f"/api/v1/enterprises/{buyer_id}/notification-preferences"
    assert gateway.get(preferences, headers=buyer).json()["unsubscribed"] is False

    # What a mail provider sends: a form body, no cookie, no Authorization header.
    with httpx.Client(timeout=30) as provider:
        wrong_body = provider.post(
            one_click,
            content=b"unsubscribe=yes",
            headers={"content-type": "application/x-www-form-urlencoded"},
        )
        forged = provider.post(
            one_click.split("?token=")[0],
            params={"token": "eyJhbGciOiJIUzI1NiJ9.e30.forged-signature"},
            data={"List-Unsubscribe": "One-Click"},
        )
        assert gateway.get(preferences, headers=buyer).json()["unsubscribed"] is False
        done = provider.post(one_click, data={"List-Unsubscribe": "One-Click"})
        again = provider.post(one_click, data={"List-Unsubscribe": "One-Click"})

    assert wrong_body.status_code == 422 and wrong_body.headers["content-type"].startswith(
        "application/problem+json"
    )
    assert forged.status_code == 422, forged.text
    assert done.status_code == 200, done.text
    assert done.json()["enterprise_id"] == buyer_id and done.json()["unsubscribed"] is True
    assert (
        again.status_code == 200
        and again.json()["unsubscribed_at"] == done.json()["unsubscribed_at"]
    )
    assert gateway.get(preferences, headers=buyer).json()["unsubscribed"] is True
