"""What every response of the gateway carries and every client is held to: security headers and
a rate limit per IP address (the per-account limit is taken at the door, once the caller is
known)."""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from gateway.domain.rate_limit import RateLimiter
from gateway.entrypoints.problems import rate_limited
from servicekit.response_headers import Headers, RewriteResponseHeaders

# JSON is never a document to render: nothing may load, run or frame it.
_JSON_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
# The docs pages load Swagger UI and ReDoc from the gateway itself (fastapi-offline's copies) and
# run one inline script; ReDoc's search runs in a worker it makes from a blob.
_DOCS_CSP = (
    "default-src 'none'; script-src 'self' 'unsafe-inline'; worker-src blob:; "
    "style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'"
)
_DOCS_PATHS = ("/docs", "/redoc")
_COMMON = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-resource-policy", b"same-site"),
]


class SecurityHeaders(RewriteResponseHeaders):
    """Adds each security header the response does not set itself."""

    def rewrite(self, scope: Scope, status: int, headers: Headers) -> Headers:
        csp = _DOCS_CSP if scope["path"].startswith(_DOCS_PATHS) else _JSON_CSP
        added = [*_COMMON, (b"content-security-policy", csp.encode())]
        present = {name.lower() for name, _ in headers}
        return [*headers, *(header for header in added if header[0] not in present)]


class IpRateLimit:
    def __init__(
        self, app: ASGIApp, limiter: RateLimiter, exempt_paths: tuple[str, ...] = ("/healthz",)
    ) -> None:
        self.app = app
        self.limiter = limiter
        self.exempt_paths = exempt_paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in self.exempt_paths:
            await self.app(scope, receive, send)
            return
        address = (scope.get("client") or ("unknown", 0))[0]
        wait = self.limiter.take(f"ip:{address}")
        if wait:
            retry_after = self.limiter.retry_after_seconds(wait)
            refusal = rate_limited(retry_after, "too many requests from your address").response()
            await refusal(scope, receive, send)
            return
        await self.app(scope, receive, send)
