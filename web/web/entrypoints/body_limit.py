"""Bounds every form the pages receive before a route reads it, as the gateway and the services do
(servicekit reads the body, counted as it streams in); only the refusal is the web's own."""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from servicekit.problems import problem_response
from servicekit.request_limits import read_bounded_body, replaying

# The longest form (a listing: a 5000-character description and its fields) is far below this.
MAX_FORM_BYTES = 256 * 1024


class BodySizeLimit:
    def __init__(self, app: ASGIApp, max_bytes: int = MAX_FORM_BYTES) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        # Read (bounded) before the route: a refusal raised from inside the pages' error handling
        # would become an error page instead.
        body = await read_bounded_body(scope, receive, self.max_bytes)
        if body is None:
            too_large = problem_response(413, f"the form is over {self.max_bytes} bytes")
            await too_large(scope, receive, send)
            return
        await self.app(scope, replaying(body, receive), send)
