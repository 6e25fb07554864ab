"""Puts the client's address (see domain/client_address.py) where every later layer reads it,
`scope["client"]`: the per-address rate limit, the sign-in and registration throttles, the logs."""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from gateway.domain.client_address import Network, client_address

_FORWARDING_HEADERS = frozenset({b"forwarded", b"x-forwarded-for", b"x-real-ip"})


class ClientAddress:
    def __init__(self, app: ASGIApp, trusted: tuple[Network, ...]) -> None:
        self.app = app
        self.trusted = trusted

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.trusted and scope["type"] == "http" and scope.get("client"):
            peer, port = scope["client"]
            headers: dict[str, str] = {}
            for name, value in scope["headers"]:
                if name in _FORWARDING_HEADERS:  # a header sent twice is one list (RFC 9110 5.3)
                    key = name.decode("latin-1")
                    headers[key] = (
                        f"{headers[key]},{value.decode('latin-1')}"
                        if key in headers
                        else value.decode("latin-1")
                    )
            if headers:
                address = client_address(peer, headers, self.trusted)
                if address != peer:
                    scope["client"] = (address, 0)
        await self.app(scope, receive, send)
