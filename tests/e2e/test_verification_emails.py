"""The reviewer's side of the platform, end to end: the verification queue shows each enterprise's
legal ids checked and the enterprises that may be the same company; a suspension reaches the
company by email with the reviewer's reason; an admin's new staff account gets its invitation
email once, however often the gateway asks for it."""

from __future__ import annotations

import time
import uuid

import httpx
import pytest

from devstack.stack import Stack


def _unique_phone() -> str:
    digits = str(uuid.uuid4().int)[:6]  # a Smolensk number: code 4812 and six digits
    return f"+7 (4812) {digits[:2]}-{digits[2:4]}-{digits[4:]}"


def _register(gateway, open_company, profile: dict) -> dict:
    response = gateway.post("/api/v1/enterprises", json=profile, headers=open_company())
    assert response.status_code == 201, response.text
    return response.json()


def test_the_reviewer_sees_that_two_new_enterprises_share_a_phone(
    gateway, agency, open_company, new_housing_operator
):
    phone = _unique_phone()
    first = _register(gateway, open_company, new_housing_operator() | {"phone": phone})
    second = _register(
        gateway, open_company, new_housing_operator() | {"phone": "8 " + phone.removeprefix("+7 ")}
    )

    response = gateway.get(
        f"/api/v1/enterprises/{second['id']}/possible-duplicates", headers=agency
    )

    assert response.status_code == 200, response.text
    found = {item["id"]: item for item in response.json()["items"]}
    assert first["id"] in found
    assert "phone" in found[first["id"]]["reasons"]
    assert found[first["id"]]["name"] == first["name"]
    assert set(found[first["id"]]) == {
        "id",
        "name",
        "country",
        "city",
        "status",
        "created_at",
        "reasons",
    }
    assert second["id"] not in found


def test_only_the_agency_may_look_for_duplicates(
    gateway, open_company, new_housing_operator, agency
):
    owner = open_company()
    made = gateway.post("/api/v1/enterprises", json=new_housing_operator(), headers=owner)
    assert made.status_code == 201, made.text

    as_owner = gateway.get(
        f"/api/v1/enterprises/{made.json()['id']}/possible-duplicates", headers=owner
    )
    unknown = gateway.get(f"/api/v1/enterprises/{uuid.uuid4()}/possible-duplicates", headers=agency)

    assert as_owner.status_code == 403
    assert as_owner.headers["content-type"] == "application/problem+json"
    assert unknown.status_code == 404
    assert unknown.headers["content-type"] == "application/problem+json"


def test_the_verification_queue_shows_pending_enterprises_oldest_first_with_their_legal_ids_checked(
    gateway, agency, open_company, new_housing_operator
):
    registered = _register(gateway, open_company, new_housing_operator())

    items, cursor = [], None
    while True:
        params = {"status": "pending", "sort": "created_at", "limit": 200} | (
            {"cursor": cursor} if cursor else {}
        )
        page = gateway.get("/api/v1/enterprises", params=params, headers=agency)
        assert page.status_code == 200, page.text
        items += page.json()["items"]
        cursor = page.json()["next_cursor"]
        if not cursor:
            break

    assert {item["status"] for item in items} == {"pending"}
    created = [item["created_at"] for item in items]
    assert created == sorted(created)
    [ours] = [item for item in items if item["id"] == registered["id"]]
    assert ours["email"] == registered["email"]  # the agency sees the private view
    assert ours["legal_id_checks"] == [
        {
            "scheme": "inn",
            "value": registered["inn"],
            "valid": True,
            "kind": "legal entity (10 digits)",
            "detail": f"checksum correct; tax office {registered['inn'][:4]}, region code "
            f"{registered['inn'][:2]}",
        }
    ]


def test_a_suspended_company_is_emailed_the_reviewers_reason_once(
    gateway, agency, open_company, new_housing_operator, mailbox
):
    profile = new_housing_operator()
    enterprise = _register(gateway, open_company, profile)
    mailbox.wait_for(profile["email"])  # the welcome email
    reason = (
        "Выписка из ЕГРЮЛ не совпадает с названием «Смоленскжилсервис»; пришлите, "
        "пожалуйста, актуальную."
    )

    response = gateway.post(
        f"/api/v1/enterprises/{enterprise['id']}/suspend", json={"reason": reason}, headers=agency
    )

    assert response.status_code == 200, response.text
    assert response.json()["status"] == "suspended"
    assert response.json()["suspension_reason"] == reason
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        suspended = [
            m for m in mailbox.messages_to(profile["email"]) if "приостановлена" in m["Subject"]
        ]
        if suspended:
            break
        time.sleep(0.2)
    else:
        raise AssertionError("the suspension email did not arrive within 30s")
    message = mailbox.message(suspended[0]["ID"])
    assert profile["name"] in message["Subject"]
    assert reason in message["Text"]
    assert "agency@unionmatch.local" in message["Text"]
    time.sleep(1)
    assert (
        len([m for m in mailbox.messages_to(profile["email"]) if "приостановлена" in m["Subject"]])
        == 1
    )


@pytest.fixture
def notifications_as(platform: Stack, internal_token):
    def client(role: str) -> httpx.Client:
        return httpx.Client(
            base_url=platform.service_url("notifications"),
            headers=internal_token("notifications", role=role),
            timeout=10,
        )

    return client


def test_an_invitation_posted_twice_arrives_once_and_answers_the_same_delivery(
    notifications_as, mailbox
):
    address = f"reviewer-{uuid.uuid4().hex[:8]}@agency.example"
    link = f"http://127.0.0.1:8000/set-password?token={uuid.uuid4().hex}"
    invitation = {
        "invitation_id": str(uuid.uuid4()),
        "email": address,
        "name": "Ольга Ковалёва",
        "role": "agency",
        "link": link,
    }

    with notifications_as("admin") as notifications:
        first = notifications.post("/emails/account-invitation", json=invitation)
        second = notifications.post("/emails/account-invitation", json=invitation)

    assert first.status_code == 202, first.text
    assert first.json()["status"] == "queued"
    assert second.status_code == 202, second.text
    assert second.json()["delivery_id"] == first.json()["delivery_id"]
    [summary] = mailbox.wait_for(address)
    message = mailbox.message(summary["ID"])
    assert "Union Match" in message["Subject"]
    assert "сотрудник инвестиционного агентства" in message["Text"]
    assert link in message["Text"]
    assert "72 часов" in message["Text"]
    time.sleep(1)
    assert len(mailbox.messages_to(address)) == 1


def test_the_invitation_route_takes_only_an_admins_well_formed_request(
    notifications_as, platform: Stack
):
    invitation = {
        "invitation_id": str(uuid.uuid4()),
        "email": "x@agency.example",
        "name": "X",
        "role": "agency",
        "link": "https://unionmatch.example/set",
    }

    with notifications_as("agency") as as_agency:
        refused = as_agency.post("/emails/account-invitation", json=invitation)
    with notifications_as("admin") as as_admin:
        malformed = as_admin.post(
            "/emails/account-invitation",
            json=invitation | {"role": "company", "link": "javascript:alert(1)"},
        )
    unsigned = httpx.post(
        f"{platform.service_url('notifications')}/emails/account-invitation",
        json=invitation,
        timeout=10,
    )

    assert refused.status_code == 403
    assert malformed.status_code == 422
    assert malformed.headers["content-type"] == "application/problem+json"
    assert {error["field"] for error in malformed.json()["errors"]} == {"role", "link"}
    assert unsigned.status_code == 401
