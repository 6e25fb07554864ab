"""Calls to the services behind the gateway: one pooled client per service, a signed internal
token on every call, retries only for idempotent requests, and a circuit breaker."""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from gateway.adapters.asyncio_network import AsyncioHTTPTransport
from gateway.domain.circuit_breaker import CircuitBreaker
from servicekit.internal_token import INTERNAL_TOKEN_HEADER, Caller, InternalTokenIssuer
from servicekit.observability import current_request_id

_IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
# The request id is not among them: the service gets the one the gateway logs (the client's when
# it was fit to keep, `servicekit.observability`), so both log one id even when the client sent
# none or one unfit to keep.
_PASSED_THROUGH_HEADERS = frozenset(
    {
        b"traceparent",
        b"tracestate",
        b"if-match",
        b"if-none-match",
        b"accept-language",
    }
)
_INTERNAL_TOKEN_HEADER = INTERNAL_TOKEN_HEADER.lower().encode()
# What a service may tell the client beyond the body: versions for optimistic updates and how
# long to cache. Anything else (server names, its own paths, internals) stays inside.
_RETURNED_HEADERS = ("etag", "last-modified", "cache-control", "content-language", "retry-after")


class UpstreamUnavailable(Exception):
    def __init__(self, service: str, retry_after: int) -> None:
        super().__init__(f"the {service} service is unavailable")
        self.service = service
        self.retry_after = retry_after


@dataclass(frozen=True)
class UpstreamResponse:
    status_code: int
    content: bytes
    content_type: str
    headers: tuple[tuple[str, str], ...] = ()


async def _body(response: httpx.Response) -> bytes:
    """The body as the service sent it: the services do not compress, so their bytes are the
    content and need none of httpx's decoding layers; a compressed one is decoded all the same."""
    if "content-encoding" in response.headers:
        return await response.aread()
    return b"".join([chunk async for chunk in response.aiter_raw()])


class Upstream:
    def __init__(
        self,
        *,
        name: str,
        base_url: str,
        secret: str,
        token_ttl: int,
        timeout: float,
        breaker: CircuitBreaker,
    ) -> None:
        self.name = name
        self._tokens = InternalTokenIssuer(audience=name, secret=secret, ttl_seconds=token_ttl)
        self._breaker = breaker
        self._base_url = httpx.URL(base_url)
        self._timeout = httpx.Timeout(timeout, connect=2.0)
        self._timeout_extension = self._timeout.as_dict()
        # Keep-alive connections for the gateway's concurrency, let go before the service's own idle
        # timeout (uvicorn's 5 s) closes them under a request; retries are ours (idempotent only).
        limits = httpx.Limits(
            max_connections=200, max_keepalive_connections=50, keepalive_expiry=4.0
        )
        plain = self._base_url.scheme == "http"
        self._transport = (
            AsyncioHTTPTransport(limits=limits)
            if plain
            else httpx.AsyncHTTPTransport(limits=limits, retries=0)
        )
        self._client = httpx.AsyncClient(
            base_url=base_url, timeout=self._timeout, transport=self._transport
        )

    def internal_token(self, caller: Caller) -> str:
        return self._tokens.for_caller(caller)

    async def call(
        self,
        method: str,
        target: str,
        *,
        caller: Caller,
        headers: list[tuple[bytes, bytes]],
        content: bytes | None = None,
    ) -> UpstreamResponse:
        """`target` is the service's path with the raw query string; `headers` the client's, of
        which only the passed-through ones leave."""
        if not self._breaker.allows_call():
            raise UpstreamUnavailable(self.name, self._breaker.retry_after_seconds())
        outgoing = [(name, value) for name, value in headers if name in _PASSED_THROUGH_HEADERS]
        outgoing.append((_INTERNAL_TOKEN_HEADER, self.internal_token(caller).encode()))
        if request_id := current_request_id():
            outgoing.append((b"x-request-id", request_id.encode()))
        if content is not None:
            outgoing.append((b"content-type", b"application/json"))
        # The pool's transport straight away: the client's cookie jar, redirects, auth and URL
        # merging cost a third of the gateway's time and none of them may apply to a service call.
        request = httpx.Request(
            method,
            self._base_url.copy_with(raw_path=target.encode()),
            headers=outgoing,
            content=content,
            extensions={"timeout": self._timeout_extension},
        )
        attempts = 2 if method in _IDEMPOTENT else 1
        for attempt in range(attempts):
            try:
                response = await self._transport.handle_async_request(request)
                try:
                    body = await _body(response)
                finally:
                    await response.aclose()
            except httpx.TransportError:
                if attempt + 1 < attempts:
                    continue
                self._breaker.record_failure()
                raise UpstreamUnavailable(
                    self.name, max(1, self._breaker.retry_after_seconds())
                ) from None
            self._breaker.record_answer(response.status_code)
            returned = tuple(
                (name, response.headers[name])
                for name in _RETURNED_HEADERS
                if name in response.headers
            )
            return UpstreamResponse(
                response.status_code,
                body,
                response.headers.get("content-type", "application/json"),
                returned,
            )
        raise AssertionError("unreachable")

    async def is_ready(self) -> bool:
        try:
            response = await self._client.get("/readyz", timeout=2.0)
        except httpx.TransportError:
            return False
        return response.status_code == 200

    async def close(self) -> None:
        await self._client.aclose()
