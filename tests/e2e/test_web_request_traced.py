"""An operator follows a visitor's page through the web application and the gateway by one request
id in the JSON lines both write, probes the web application, and scrapes its metrics from its
operations listener, never from the public port."""

from __future__ import annotations

import json
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from devstack.ports import free_port
from devstack.processes import poll
from devstack.stack import ROOT, Stack


def _requests_logged(log: Path, request_id: str) -> list[dict]:
    """The JSON `request` lines of a log that carry the request id (other lines are skipped)."""
    found = []
    for raw in log.read_text(errors="replace").splitlines():
        if request_id not in raw or not raw.startswith("{"):
            continue
        line = json.loads(raw)
        if line.get("event") == "request" and line.get("request_id") == request_id:
            found.append(line)
    return found


def test_a_page_is_logged_by_the_web_and_its_api_calls_by_the_gateway_under_one_id(
    platform: Stack,
):
    request_id = f"web-trace-{uuid.uuid4().hex[:12]}"
    run_dir = platform.supervisor.run_dir

    page = httpx.get(
        f"{platform.web_url}/?ref=secret-in-query", headers={"X-Request-ID": request_id}
    )

    assert page.status_code == 200 and page.headers["x-request-id"] == request_id
    logged: dict[str, list[dict]] = {}

    def both_logged() -> bool:
        for app in ("web", "gateway"):
            logged[app] = _requests_logged(run_dir / f"{app}.log", request_id)
        return all(logged.values())

    assert poll(both_logged, timeout=10), f"the lines of {request_id} are missing: {logged}"
    [web_line] = logged["web"]
    assert (web_line["service"], web_line["path"], web_line["status"]) == ("web", "/", 200)
    assert {line["path"] for line in logged["gateway"]} == {
        "/api/v1/figures/enterprises",
        "/api/v1/figures/introductions",
    }
    assert "secret-in-query" not in (run_dir / "web.log").read_text(errors="replace")


def test_a_page_asked_with_an_id_unfit_to_keep_is_followed_under_a_fresh_one(platform: Stack):
    """A browser extension or a proxy may send any bytes as X-Request-ID: the page is served, and
    the id the web gives instead reaches the gateway's log."""
    run_dir = platform.supervisor.run_dir

    page = httpx.get(f"{platform.web_url}/", headers={"X-Request-ID": "Ж-запрос".encode()})

    assert page.status_code == 200
    given = page.headers["x-request-id"]
    assert len(given) == 32
    assert poll(lambda: _requests_logged(run_dir / "gateway.log", given), timeout=10)


def test_the_web_answers_its_probes_and_keeps_its_metrics_off_the_public_port(platform: Stack):
    alive = httpx.get(f"{platform.web_url}/healthz")
    ready = httpx.get(f"{platform.web_url}/readyz")
    metrics = httpx.get(f"{platform.web_url}/metrics")

    assert alive.status_code == 200 and alive.json() == {"status": "ok"}
    assert ready.status_code == 200 and ready.json()["checks"] == {"gateway": True}
    assert metrics.status_code == 404


@pytest.fixture
def web_with_operations_listener(platform: Stack) -> Iterator[tuple[str, str]]:
    """A second web application in front of the same gateway, with its operations listener on."""
    public, operations = free_port(), free_port()
    name = f"web-ops-{public}"
    env = platform.service_env("web") | {
        "WEB_HTTP_PORT": str(public),
        "WEB_OPS_PORT": str(operations),
    }
    child = platform.supervisor.start(
        name, [sys.executable, "-m", "web", "serve"], env=env, cwd=ROOT
    )
    urls = f"http://127.0.0.1:{public}", f"http://127.0.0.1:{operations}"
    try:

        def started() -> bool:
            assert child.alive(), child.log_tail()
            try:
                return httpx.get(f"{urls[1]}/readyz", timeout=2).status_code == 200
            except httpx.TransportError:
                return False

        assert poll(started, timeout=60), child.log_tail()
        yield urls
    finally:
        platform.supervisor.stop(name)


def test_the_operations_listener_serves_the_metrics_of_the_pages(web_with_operations_listener):
    public, operations = web_with_operations_listener

    assert httpx.get(f"{public}/sign-in").status_code == 200
    scraped = httpx.get(f"{operations}/metrics")
    on_public_port = httpx.get(f"{public}/metrics")

    assert scraped.status_code == 200
    assert 'http_requests_total{method="GET",route="/sign-in",status="200"} 1.0' in scraped.text
    assert on_public_port.status_code == 404
    assert httpx.get(f"{operations}/healthz").json() == {"status": "ok"}
