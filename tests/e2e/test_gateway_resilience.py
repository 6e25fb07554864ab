"""A service stopped in the middle of the day: the gateway answers at once with 503 and when to
come back, keeps the other services' routes working, and heals by itself once the service
returns."""

from __future__ import annotations

import time

from devstack.stack import Stack


def test_a_stopped_registry_is_answered_503_quickly_and_the_gateway_recovers_by_itself(
    platform: Stack, gateway, agency
):
    assert gateway.get("/api/v1/sectors").status_code == 200
    platform.stop_service("registry")
    try:
        answers = []
        for _ in range(8):
            started = time.monotonic()
            response = gateway.get("/api/v1/sectors")
            answers.append((response, time.monotonic() - started))
        other_service = gateway.get("/api/v1/notifications", headers=agency)
    finally:
        platform.start_service("registry")

    for response, seconds in answers:
        assert response.status_code == 503
        assert response.headers["content-type"] == "application/problem+json"
        assert int(response.headers["retry-after"]) >= 1
        assert "registry" in response.json()["detail"]
        assert seconds < 2
    assert other_service.status_code != 503
    assert _recovers(gateway, "/api/v1/sectors", within=30)


def test_a_write_during_an_outage_is_refused_cleanly_and_can_be_repeated_after(
    platform: Stack, gateway, company, smolensk_housing_operator
):
    platform.stop_service("registry")
    try:
        during = gateway.post(
            "/api/v1/enterprises", json=smolensk_housing_operator, headers=company
        )
    finally:
        platform.start_service("registry")

    assert during.status_code == 503
    assert "retry-after" in during.headers
    assert _recovers(gateway, "/api/v1/sectors", within=30)
    after = gateway.post("/api/v1/enterprises", json=smolensk_housing_operator, headers=company)
    assert after.status_code == 201, after.text


def _recovers(gateway, path: str, *, within: float) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if gateway.get(path).status_code == 200:
            return True
        time.sleep(0.5)
    return False
