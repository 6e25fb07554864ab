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
    with httpx.Client(base_url=platform.gateway_url, timeout=30, headers=company | {"content-type": "application/json"}) as client:
        return [client.request(method, path, content=body).status_code for _ in range(rounds) for method, path, body in _BAD_REQUESTS]


def test_a_flood_of_bad_requests_leaves_every_other_user_served(platform: Stack, gateway, company, open_company):
    before = gateway.get("/api/v1/sectors")
    with ThreadPoolExecutor(max_workers=4) as pool:
        floods = [pool.submit(_flood, platform, company, 8) for _ in range(4)]
        statuses = [status for flood in floods for status in flood.result()]
    bystander = open_company()
    after = [gateway.get("/api/v1/sectors"), gateway.get("/api/v1/enterprises?limit=1"), gateway.get("/api/v1/auth/me", headers=bystander),
             gateway.get("/api/v1/offers?limit=1")]

    assert before.status_code == 200
    assert len(statuses) == 4 * 8 * len(_BAD_REQUESTS)
    # The flood was refused as the bad input it is, never as a service taken away (503).
    assert 503 not in statuses, sorted(set(statuses))
    assert {status for status in statuses if status < 500} <= {400, 404, 413, 422, 429}
    assert [response.status_code for response in after] == [200, 200, 200, 200]
