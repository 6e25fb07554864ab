"""One client sends the platform nothing but bad requests, as fast as it can: refused bodies,
unknown and malformed ids, forged cursors, control characters, requests a service answers with an
error. Meanwhile and afterwards every other user is served, because only a service that is really
unavailable opens the gateway's circuit breaker."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor

import httpx

from devstack.stack import Stack

# Each one is answered by a service with a 4xx (or, while some input still breaks a service, a 5xx
# that the gateway relays as 502): never a reason to stop serving anybody else.
_BAD_REQUESTS = (
    ("GET", "/api/v1/enterprises/not-a-uuid", None),
    ("GET", f"/api/v1/enterprises/{uuid.UUID(int=0)}", None),
    ("GET", "/api/v1/enterprises?limit=-5", None),
    ("GET", "/api/v1/enterprises?cursor=%00%01forged", None),
    ("GET", "/api/v1/offers?limit=99999999999999999999", None),
    ("GET", "/api/v1/needs?sector=%00", None),
    ("GET", "/api/v1/cities?country=XX", None),
    ("POST", "/api/v1/enterprises", b'{"name": 5}'),
    ("POST", "/api/v1/enterprises", b"{not json"),
    ("POST", "/api/v1/enterprises", b'{"name": "\\u0000", "country": "RU"}'),
)


def _flood(platform: Stack, company: dict[str, str], rounds: int) -> list[int]:
    with httpx.Client(
        base_url=platform.gateway_url,
        timeout=30,
        headers=company | {"content-type": "application/json"},
    ) as client:
        return [
            client.request(method, path, content=body).status_code
            for _ in range(rounds)
            for method, path, body in _BAD_REQUESTS
        ]


def test_a_flood_of_bad_requests_leaves_every_other_user_served(
    platform: Stack, gateway, company, open_company
):
    before = gateway.get("/api/v1/sectors")
    with ThreadPoolExecutor(max_workers=4) as pool:
        floods = [pool.submit(_flood, platform, company, 8) for _ in range(4)]
        statuses = [status for flood in floods for status in flood.result()]
    bystander = open_company()
    after = [
        gateway.get("/api/v1/sectors"),
        gateway.get("/api/v1/enterprises?limit=1"),
        gateway.get("/api/v1/auth/me", headers=bystander),
        gateway.get("/api/v1/offers?limit=1"),
    ]

    assert before.status_code == 200
    assert len(statuses) == 4 * 8 * len(_BAD_REQUESTS)
    # The flood was refused as the bad input it is, never as a service taken away (503).
    assert 503 not in statuses, sorted(set(statuses))
    assert {status for status in statuses if status < 500} <= {400, 404, 413, 422, 429}
    assert [response.status_code for response in after] == [200, 200, 200, 200]


def test_readiness_and_metrics_answer_only_on_the_operations_listener(platform: Stack, gateway):
    public = {path: gateway.get(path) for path in ("/readyz", "/metrics")}
    ready = httpx.get(f"{platform.gateway_ops_url}/readyz")
    metrics = httpx.get(f"{platform.gateway_ops_url}/metrics")

    assert {path: response.status_code for path, response in public.items()} == {
        "/readyz": 404,
        "/metrics": 404,
    }
    assert "registry" not in public["/readyz"].text
    assert ready.status_code == 200, ready.text
    assert ready.json()["checks"] == {
        "database": True,
        "registry": True,
        "matching": True,
        "notifications": True,
    }
    assert 'http_requests_total{method="GET",route="/api/v1/sectors"' in metrics.text
    assert (
        gateway.get("/healthz").status_code == 200
    )  # a load balancer may still ask the public address if it is alive


def test_hammering_an_account_through_the_web_leaves_it_open_to_visitors_from_other_addresses(
    platform: Stack, gateway
):
    """The web application (the gateway's one trusted proxy, on loopback here) names each visitor's
    address; a guesser at one address is slowed, the owner at another is not."""
    email = f"posing-{uuid.uuid4().hex[:8]}@example.ru"
    for n in range(8):  # more than the free failures of one (account, address) pair
        gateway.post(
            "/api/v1/auth/token",
            data={"username": email, "password": f"guess {n}"},
            headers={"X-Forwarded-For": "198.51.100.66"},
        )

    other_visitor = gateway.post(
        "/api/v1/auth/token",
        data={"username": email, "password": "guess"},
        headers={"X-Forwarded-For": "192.0.2.10"},
    )
    attacker = gateway.post(
        "/api/v1/auth/token",
        data={"username": email, "password": "guess"},
        headers={"X-Forwarded-For": "198.51.100.66"},
    )

    assert other_visitor.status_code == 401
    assert attacker.status_code == 429
