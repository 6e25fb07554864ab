"""An operator follows one request through the gateway and the service by its request id, in the
JSON log lines both write."""

from __future__ import annotations

import json
import uuid

import httpx
import pytest

from devstack.processes import poll
from devstack.stack import Stack


def _json_lines_with(log_path, request_id: str) -> list[dict]:
    lines = []
    for raw in log_path.read_text(errors="replace").splitlines():
        try:
            line = json.loads(raw)
        except ValueError:
            continue
        if line.get("request_id") == request_id:
            lines.append(line)
    return lines


def test_one_request_id_is_logged_as_json_by_the_gateway_and_the_service(platform: Stack):
    request_id = f"trace-{uuid.uuid4().hex[:12]}"

    response = httpx.get(
        f"{platform.gateway_url}/api/v1/sectors", headers={"X-Request-ID": request_id}
    )

    assert response.status_code == 200
    run_dir = platform.supervisor.run_dir
    poll(
        lambda: (
            _json_lines_with(run_dir / "gateway.log", request_id)
            and _json_lines_with(run_dir / "registry.log", request_id)
        ),
        timeout=10,
    )
    gateway_lines = _json_lines_with(run_dir / "gateway.log", request_id)
    registry_lines = _json_lines_with(run_dir / "registry.log", request_id)
    assert {line["service"] for line in gateway_lines} == {"gateway"}
    assert {line["service"] for line in registry_lines} == {"registry"}
    [gateway_request] = [line for line in gateway_lines if line.get("event") == "request"]
    [registry_request] = [line for line in registry_lines if line.get("event") == "request"]
    assert gateway_request["path"] == "/api/v1/sectors" and gateway_request["status"] == 200
    assert registry_request["path"] == "/sectors" and registry_request["status"] == 200
    assert {"timestamp", "level", "event"} <= registry_request.keys()


@pytest.mark.parametrize(
    "sent",
    [None, "Ж".encode(), b"two words", b"r" * 129],
    ids=["none", "cyrillic", "spaces", "too-long"],
)
def test_a_request_without_an_id_fit_to_keep_is_followed_under_the_one_the_gateway_gives(
    platform: Stack, sent: bytes | None
):
    """The gateway gives a fresh id to a request that brings none it can echo and log, answers with
    it, and passes that one to the service: the operator still finds both lines."""
    headers = {} if sent is None else {"X-Request-ID": sent}

    response = httpx.get(
        f"{platform.gateway_url}/api/v1/enterprises", params={"limit": 1}, headers=headers
    )

    assert response.status_code == 200
    given = response.headers["x-request-id"]
    assert len(given) == 32 and given.encode() != sent
    registry_log = platform.supervisor.run_dir / "registry.log"
    poll(lambda: _json_lines_with(registry_log, given), timeout=10)
    registry_lines = _json_lines_with(registry_log, given)
    [registry_request] = [line for line in registry_lines if line.get("event") == "request"]
    assert registry_request["path"] == "/enterprises" and registry_request["status"] == 200


def test_an_id_of_bytes_that_are_not_text_is_refused_like_any_such_header(platform: Stack):
    response = httpx.get(
        f"{platform.gateway_url}/api/v1/enterprises", headers={"X-Request-ID": b"\xff\xfe"}
    )

    assert response.status_code == 400
    assert response.json()["errors"] == [{"field": "x-request-id", "reason": "is not UTF-8"}]
    assert len(response.headers["x-request-id"]) == 32
