"""The web application started in the test's process, its gateway answered by a fake: for the
pages' plumbing (probes, request ids, cookies), not for the stories, which run on the real
platform in tests/e2e."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable

import httpx
from fastapi import FastAPI

from web.adapters.gateway_client import GatewayClient
from web.bootstrap import create_app
from web.config import Settings

GATEWAY = "http://gateway.test"


class FakeGateway:
    """Answers its /healthz (unless down) and every API call with an empty object (or, when busy,
    with the gateway's 429 problem and the Retry-After given), and keeps the X-Request-ID of each
    call."""

    def __init__(self, *, down: bool = False, busy_retry_after: str | None = None) -> None:
        self.down = down
        self.busy_retry_after = busy_retry_after
        self.request_ids: list[str | None] = []

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        if self.down:
            raise httpx.ConnectError("refused", request=request)
        self.request_ids.append(request.headers.get("x-request-id"))
        if self.busy_retry_after is not None and request.url.path != "/healthz":
            return httpx.Response(
                429,
                json={"type": "/problems/rate-limited", "title": "Too many", "status": 429},
                headers={"retry-after": self.busy_retry_after.encode()},
            )
        return httpx.Response(200, json={})


@contextlib.asynccontextmanager
async def started_web(gateway: FakeGateway) -> AsyncIterator[FastAPI]:
    app = create_app(Settings(session_secret="s" * 32, gateway_url=GATEWAY))
    async with app.router.lifespan_context(app):
        await app.state.container.gateway.close()
        app.state.container.gateway = GatewayClient(
            GATEWAY, timeout=5, transport=httpx.MockTransport(gateway)
        )
        yield app


async def ask(app: Callable, method: str, url: str, **kw) -> httpx.Response:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app)) as client:
        return await client.request(method, url, **kw)
