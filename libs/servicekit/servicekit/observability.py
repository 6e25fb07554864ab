"""JSON log lines with a request id, and Prometheus metrics, for every Union Match application.

Logging is configured by `configure_logging`, called when an application starts (never on import).
Each app builds one `Metrics` (its own counters added by a subclass) and wraps its ASGI app in
`RequestContextMiddleware`, which names the app in every log line of a request."""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Iterable, Sequence

import structlog
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from starlette.types import ASGIApp, Message, Receive, Scope, Send


def configure_logging(level: str, *, quiet: Iterable[str] = ()) -> None:
    """One JSON object a line on stderr, for structlog and the standard library alike; the loggers
    named in `quiet` write warnings and worse only."""
    shared = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    structlog.configure(
        processors=[
            *shared,
            structlog.processors.format_exc_info,
            structlog.processors.JSONRenderer(ensure_ascii=False),
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level)),
        cache_logger_on_first_use=True,
    )
    handler = logging.StreamHandler()
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=shared,
            processors=[
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                # The standard library's errors (uvicorn's among them) keep their traceback as text.
                structlog.processors.format_exc_info,
                structlog.processors.JSONRenderer(ensure_ascii=False),
            ],
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    logging.getLogger("uvicorn.access").disabled = True  # the middleware logs each request itself
    for name in quiet:
        logging.getLogger(name).setLevel(logging.WARNING)


class Metrics:
    """The HTTP metrics every app serves, in a registry of its own; an app adds its own series
    with `counter`, `histogram` and `gauge` (in a subclass's `__init__`)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = self.counter(
            "http_requests_total", "HTTP requests", ["method", "route", "status"]
        )
        self.latency = self.histogram(
            "http_request_duration_seconds", "HTTP request latency", ["method", "route"]
        )
        # The series of each label set, found once: `labels()` takes a lock and builds a key per
        # call.
        self._series: dict[tuple[str, str, int], tuple[Counter, Histogram]] = {}

    def counter(self, name: str, documentation: str, labels: Sequence[str] = ()) -> Counter:
        return Counter(name, documentation, list(labels), registry=self.registry)

    def histogram(
        self, name: str, documentation: str, labels: Sequence[str] = (), **kw
    ) -> Histogram:
        return Histogram(name, documentation, list(labels), registry=self.registry, **kw)

    def gauge(self, name: str, documentation: str, labels: Sequence[str] = ()) -> Gauge:
        return Gauge(name, documentation, list(labels), registry=self.registry)

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        key = (method, route, status)
        series = self._series.get(key)
        if series is None:
            series = self._series[key] = (
                self.requests.labels(method, route, str(status)),
                self.latency.labels(method, route),
            )
        series[0].inc()
        series[1].observe(seconds)


class ConsumerMetrics(Metrics):
    """The metrics of an app that consumes events: the HTTP ones and the events passed over."""

    def __init__(self) -> None:
        super().__init__()
        self.events_skipped = self.counter(
            "events_skipped_total",
            "Events neither handled nor dead-lettered (the dead-letter topic refused them)",
            ["topic", "error"],
        )


class RequestContextMiddleware:
    """Gives each request an id (kept from X-Request-ID when the gateway sent one), logs it and
    counts it."""

    def __init__(self, app: ASGIApp, metrics: Metrics, service: str) -> None:
        self.app = app
        self.metrics = metrics
        self.service = service
        self.log = structlog.get_logger("http")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = _request_id(scope) or uuid.uuid4().hex
        structlog.contextvars.bind_contextvars(request_id=request_id, service=self.service)
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [
                    *message.get("headers", []),
                    (b"x-request-id", request_id.encode()),
                ]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            elapsed = time.perf_counter() - started
            route = getattr(scope.get("route"), "path", "unmatched")
            self.metrics.observe(scope["method"], route, status, elapsed)
            self.log.info(
                "request",
                method=scope["method"],
                path=scope["path"],
                status=status,
                ms=round(elapsed * 1000, 1),
            )
            structlog.contextvars.clear_contextvars()


def current_request_id() -> str | None:
    """The id of the request being served (`RequestContextMiddleware`'s), for an app to pass on in
    X-Request-ID when it calls another: one user action is then traceable across the platform."""
    return structlog.contextvars.get_contextvars().get("request_id")


# A request id is echoed in a response header, logged and passed on to other apps: one sent by a
# client is kept only when it is a short run of visible ASCII (a UUID, a W3C trace id); anything
# else (bytes that are not text, spaces, letters no header may carry) gets a fresh id instead.
_KEPT_REQUEST_ID = re.compile(rb"[\x21-\x7e]{1,128}")


def _request_id(scope: Scope) -> str:
    given = next((value for name, value in scope["headers"] if name == b"x-request-id"), b"")
    return given.decode("ascii") if _KEPT_REQUEST_ID.fullmatch(given) else ""
