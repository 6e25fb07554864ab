"""Every app's requests carry an id, are counted under their route and logged with the app's
name."""

from __future__ import annotations

import logging
import re

import httpx
import structlog
from fastapi import FastAPI
from prometheus_client import generate_latest

from servicekit.observability import (
    ConsumerMetrics,
    Metrics,
    RequestContextMiddleware,
    configure_logging,
)


def _app(metrics: Metrics) -> FastAPI:
    app = FastAPI()

    @app.get("/things/{thing_id}")
    async def thing(thing_id: str):
        return structlog.contextvars.get_contextvars()  # what each log line of the request carries

    app.add_middleware(RequestContextMiddleware, metrics=metrics, service="registry")
    return app


async def _get(app: FastAPI, path: str, headers: dict | None = None) -> httpx.Response:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://app") as client:
        return await client.get(path, headers=headers)


async def test_a_request_keeps_the_id_it_came_with_and_one_without_gets_a_new_one():
    app = _app(Metrics())

    kept = await _get(app, "/things/1", headers={"X-Request-ID": "from-the-gateway"})
    fresh = await _get(app, "/things/1")

    assert kept.headers["x-request-id"] == "from-the-gateway"
    assert len(fresh.headers["x-request-id"]) == 32


async def test_an_id_unfit_to_echo_or_log_is_replaced_by_a_new_one():
    """Bytes that are not text, letters a header cannot carry, spaces or a long story: the request
    is served under a fresh id, never failed for it."""
    app = _app(Metrics())
    unfit = [b"\xff\xfe", "Ж".encode(), b"two words", b"r" * 129, b""]

    answers = [await _get(app, "/things/1", headers={"X-Request-ID": given}) for given in unfit]

    assert [answer.status_code for answer in answers] == [200] * len(unfit)
    given_ids = [answer.headers["x-request-id"] for answer in answers]
    assert all(re.fullmatch("[0-9a-f]{32}", given) for given in given_ids), given_ids
    assert len(set(given_ids)) == len(unfit)
    longest = await _get(app, "/things/1", headers={"X-Request-ID": "r" * 128})
    assert longest.headers["x-request-id"] == "r" * 128


async def test_requests_are_counted_under_their_route_template_and_status():
    metrics = Metrics()
    app = _app(metrics)

    await _get(app, "/things/1")
    await _get(app, "/things/2")
    await _get(app, "/nowhere")

    exposed = generate_latest(metrics.registry).decode()
    assert (
        'http_requests_total{method="GET",route="/things/{thing_id}",status="200"} 2.0' in exposed
    )
    assert 'http_requests_total{method="GET",route="unmatched",status="404"} 1.0' in exposed
    assert 'http_request_duration_seconds_count{method="GET",route="/things/{thing_id}"} 2.0' in (
        exposed
    )


async def test_each_request_is_logged_with_its_method_path_status_and_duration():
    with structlog.testing.capture_logs() as logs:
        await _get(_app(Metrics()), "/things/1", headers={"X-Request-ID": "r-1"})

    [line] = [entry for entry in logs if entry["event"] == "request"]
    assert line["method"] == "GET" and line["path"] == "/things/1" and line["status"] == 200
    assert isinstance(line["ms"], float)


async def test_every_log_line_of_a_request_names_the_service_and_the_request():
    bound = (await _get(_app(Metrics()), "/things/1", headers={"X-Request-ID": "r-2"})).json()

    assert bound == {"request_id": "r-2", "service": "registry"}
    assert structlog.contextvars.get_contextvars() == {}  # nothing leaks into the next request


def test_an_app_adds_its_own_series_to_the_same_registry():
    class ServiceMetrics(ConsumerMetrics):
        def __init__(self) -> None:
            super().__init__()
            self.emails = self.counter("emails_total", "Email delivery outcomes", ["status"])

    metrics = ServiceMetrics()
    metrics.emails.labels("sent").inc()
    metrics.events_skipped.labels("registry.listings", "DecodeError").inc()

    exposed = generate_latest(metrics.registry).decode()
    assert 'emails_total{status="sent"} 1.0' in exposed
    assert 'events_skipped_total{error="DecodeError",topic="registry.listings"} 1.0' in exposed
    assert "http_requests_total" in exposed


def test_logging_writes_json_lines_and_quiets_the_loggers_it_is_told_to(capsys):
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    try:
        configure_logging("INFO", quiet=["chatty"])
        logging.getLogger("chatty").info("not written")
        logging.getLogger("app").info("written")
        assert logging.getLogger("uvicorn.access").disabled
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
        logging.getLogger("chatty").setLevel(logging.NOTSET)
        logging.getLogger("uvicorn.access").disabled = False
        structlog.reset_defaults()

    written = capsys.readouterr().err
    assert '"event": "written"' in written and '"level": "info"' in written
    assert "not written" not in written
