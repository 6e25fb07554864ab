"""A response's headers rewritten as it starts: `RewriteResponseHeaders` is the one ASGI shape for
it (an app's own headers subclass it, as the gateway's security headers do), and
`RedirectWithinSite` sends a redirect within the site as a path (RFC 9110, section 10.2.2 allows
a relative Location).

Starlette's trailing-slash redirect (`/my/` to `/my`) writes an absolute URL from the request's
scheme and Host header. Behind a proxy that ends TLS the scheme it sees is http, so an https page
sent its visitor to http; and the Host header, which the client writes, was echoed back as the
place to go. A path keeps the visitor on the scheme and host the browser already uses."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

from starlette.types import ASGIApp, Message, Receive, Scope, Send

Headers = list[tuple[bytes, bytes]]


class RewriteResponseHeaders:
    """Gives each HTTP response's status and headers to `rewrite`, with the request's scope as it
    was asked (routing changes the scope in place), and sends the headers it returns."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        asked = dict(scope)

        async def send_rewritten(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                message = {**message, "headers": self.rewrite(asked, message["status"], headers)}
            await send(message)

        await self.app(scope, receive, send_rewritten)

    def rewrite(self, scope: Scope, status: int, headers: Headers) -> Headers:
        raise NotImplementedError


class RedirectWithinSite(RewriteResponseHeaders):
    """A redirect's absolute Location that names the request's own host becomes its path and
    query; a Location on another host is left as it is."""

    def rewrite(self, scope: Scope, status: int, headers: Headers) -> Headers:
        if not 300 <= status < 400:
            return headers
        own_hosts = _own_hosts(scope)
        return [
            (name, _within_site(value, own_hosts) if name.lower() == b"location" else value)
            for name, value in headers
        ]


def _own_hosts(scope: Scope) -> set[str]:
    hosts = {value.decode("latin-1").lower() for name, value in scope["headers"] if name == b"host"}
    if scope.get("server"):
        host, port = scope["server"]
        hosts |= {f"{host}:{port}".lower(), str(host).lower()}
    return hosts


def _within_site(location: bytes, own_hosts: set[str]) -> bytes:
    try:
        parts = urlsplit(location.decode("latin-1"))
    except ValueError:  # a Host header that is no host ("[::1"): the URL made of it is left
        return location
    if parts.scheme not in ("http", "https") or parts.netloc.lower() not in own_hosts:
        return location
    # "//elsewhere" or "/\elsewhere" as a path would be read by browsers as another host.
    path = "/" + parts.path.lstrip("/\\")
    return urlunsplit(("", "", path, parts.query, parts.fragment)).encode("latin-1")
