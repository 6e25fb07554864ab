"""A company opens its account, registers its enterprise through the gateway and receives its
welcome email: the thinnest real path through the gateway, the registry, its outbox, Kafka, the
notifications service and SMTP."""

from __future__ import annotations

import time

import httpx

from devstack.stack import Stack


def test_registered_enterprise_receives_a_welcome_email_in_russian(
    gateway, company, mailbox, smolensk_housing_operator
):
    response = gateway.post("/api/v1/enterprises", json=smolensk_housing_operator, headers=company)

    assert response.status_code == 201, response.text
    enterprise = response.json()
    assert enterprise["status"] == "pending"
    [summary] = mailbox.wait_for(smolensk_housing_operator["email"], timeout=30)
    message = mailbox.message(summary["ID"])
    assert "Добро пожаловать" in message["Subject"]
    assert smolensk_housing_operator["name"] in message["Text"]
    assert f"/enterprises/{enterprise['id']}" in message["Text"]
    assert (
        smolensk_housing_operator["name"].replace("«", "&laquo;") in message["HTML"]
        or smolensk_housing_operator["name"] in message["HTML"]
    )


def test_an_event_published_while_notifications_is_down_is_delivered_when_it_returns(
    platform: Stack, gateway, company, mailbox, smolensk_housing_operator
):
    platform.stop_service("notifications")
    try:
        response = gateway.post(
            "/api/v1/enterprises", json=smolensk_housing_operator, headers=company
        )
        assert response.status_code == 201, response.text
        time.sleep(2)  # the relay publishes within this; nobody is there to send the email
        assert mailbox.messages_to(smolensk_housing_operator["email"]) == []
    finally:
        platform.start_service("notifications")

    messages = mailbox.wait_for(smolensk_housing_operator["email"], timeout=60)
    assert len(messages) == 1


def test_each_email_is_sent_once_even_when_the_same_enterprise_is_posted_twice(
    gateway, company, mailbox, smolensk_housing_operator
):
    first = gateway.post("/api/v1/enterprises", json=smolensk_housing_operator, headers=company)
    second = gateway.post("/api/v1/enterprises", json=smolensk_housing_operator, headers=company)

    assert first.status_code == 201
    assert second.status_code == 409
    assert second.headers["content-type"] == "application/problem+json"
    assert "existing_id" not in second.json()  # only the agency learns which record holds the id
    mailbox.wait_for(smolensk_housing_operator["email"])
    time.sleep(1)
    assert len(mailbox.messages_to(smolensk_housing_operator["email"])) == 1


def test_bad_input_gets_problem_details_naming_each_field(
    gateway, company, smolensk_housing_operator
):
    broken = smolensk_housing_operator | {
        "inn": "6730012340",
        "email": "not-an-address",
        "region": "atlantis",
    }

    response = gateway.post("/api/v1/enterprises", json=broken, headers=company)

    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    fields = {error["field"] for error in response.json()["errors"]}
    assert "email" in fields


def test_rule_breaking_input_names_the_field_and_reason(
    gateway, company, smolensk_housing_operator
):
    response = gateway.post(
        "/api/v1/enterprises",
        json=smolensk_housing_operator | {"inn": "6730012340", "region": "atlantis"},
        headers=company,
    )

    assert response.status_code == 422
    reasons = {error["field"]: error["reason"] for error in response.json()["errors"]}
    assert "checksum" in reasons["inn"]
    assert "atlantis" in reasons["region"]


def test_an_enterprise_is_registered_only_by_a_signed_in_company(
    gateway, smolensk_housing_operator, mailbox
):
    response = gateway.post("/api/v1/enterprises", json=smolensk_housing_operator)

    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["www-authenticate"].startswith("Bearer")
    time.sleep(1)
    assert mailbox.messages_to(smolensk_housing_operator["email"]) == []


def test_every_service_reports_health_readiness_and_metrics(platform: Stack):
    # The gateway's readiness and metrics answer on its operations listener, not its public address.
    urls = [platform.gateway_ops_url] + [
        platform.service_url(name) for name in ("registry", "matching", "notifications")
    ]
    for url in urls:
        assert httpx.get(f"{url}/healthz").status_code == 200
        ready = httpx.get(f"{url}/readyz")
        assert ready.status_code == 200, ready.text
        metrics = httpx.get(f"{url}/metrics")
        assert "http_requests_total" in metrics.text


def test_a_service_reached_directly_without_the_gateways_token_answers_401(
    platform: Stack, smolensk_housing_operator
):
    response = httpx.post(
        f"{platform.service_url('registry')}/enterprises", json=smolensk_housing_operator
    )

    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"


def test_responses_carry_a_request_id_passed_through_to_the_service(gateway):
    response = gateway.get("/api/v1/sectors", headers={"X-Request-ID": "req-from-test-42"})

    assert response.status_code == 200
    assert response.headers["x-request-id"] == "req-from-test-42"
    assert len(response.json()["items"]) >= 13
