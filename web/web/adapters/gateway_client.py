"""The public API as this application reaches it: JSON over httpx, problems as exceptions.

Nothing here knows about pages; a page asks for data with the signed-in person's tokens and
gets either the decoded JSON or an ApiProblem carrying the RFC 9457 body the gateway sent."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx

from servicekit.observability import current_request_id

# How long the readiness probe waits for the gateway's /healthz: a probe must answer in seconds.
HEALTH_TIMEOUT_SECONDS = 2.0


@dataclass
class ApiProblem(Exception):
    status: int
    title: str = ""
    detail: str = ""
    errors: list[dict] = field(
        default_factory=list
    )  # [{"field": ..., "message": ...}] when the API names fields
    retry_after: str | None = None  # whole seconds, as the gateway said, to be passed on

    @classmethod
    def of(cls, response: httpx.Response) -> ApiProblem:
        try:
            body = response.json()
        except ValueError:
            body = {}
        if not isinstance(body, dict):
            body = {}
        return cls(
            status=response.status_code,
            title=str(body.get("title", "")),
            detail=_text(body.get("detail")),
            errors=_field_errors(body),
            retry_after=_seconds(response.headers.get("retry-after")),
        )

    def __str__(self) -> str:
        return f"{self.status} {self.title}: {self.detail}"


class ApiUnavailable(ApiProblem):
    """The gateway could not be reached or answered 5xx."""


def _seconds(retry_after: str | None) -> str | None:
    """A Retry-After in seconds is passed on to the browser; a date or anything else is dropped."""
    if retry_after and retry_after.isascii() and retry_after.isdigit() and len(retry_after) < 7:
        return retry_after
    return None


def _text(detail: Any) -> str:
    if isinstance(detail, str):
        return detail
    return "" if detail is None else str(detail)


def _field_errors(body: dict) -> list[dict]:
    found = []
    for error in body.get("errors") or []:
        if not isinstance(error, dict):
            continue
        # "body.certifications.3" names the list, not the item: the page has a field for the list
        named = [part for part in str(error.get("field") or "").split(".") if not part.isdigit()]
        found.append(
            {
                "field": named[-1] if named else "",
                "message": str(
                    error.get("reason") or error.get("message") or error.get("msg") or ""
                ),
            }
        )
    return found


@dataclass(frozen=True)
class Tokens:
    access_token: str
    refresh_token: str
    role: str


class GatewayClient:
    """One pooled connection to the gateway for the whole application. Every call carries the id
    of the page request it serves (X-Request-ID), so the gateway and the services log one user
    action under one id."""

    def __init__(
        self, base_url: str, *, timeout: float, transport: httpx.AsyncBaseTransport | None = None
    ) -> None:
        self._healthz = base_url.rstrip("/") + "/healthz"
        self._http = httpx.AsyncClient(
            base_url=base_url.rstrip("/") + "/api/v1",
            timeout=timeout,
            headers={"Accept": "application/json"},
            event_hooks={"request": [_pass_request_id]},
            transport=transport,
        )

    async def close(self) -> None:
        await self._http.aclose()

    async def answers(self) -> bool:
        """Whether the gateway answers its liveness probe: the web application's readiness."""
        try:
            response = await self._http.get(self._healthz, timeout=HEALTH_TIMEOUT_SECONDS)
        except httpx.HTTPError:
            return False
        return response.status_code == 200

    async def request(
        self,
        method: str,
        path: str,
        *,
        access_token: str | None = None,
        params: dict | None = None,
        json: Any = None,
        data: dict | None = None,
        headers: dict | None = None,
        client_address: str | None = None,
    ) -> Any:
        sent = dict(headers or {})
        if access_token:
            sent["Authorization"] = f"Bearer {access_token}"
        if client_address:
            sent["X-Forwarded-For"] = client_address
        try:
            response = await self._http.request(
                method, path, params=_clean(params), json=json, data=data, headers=sent
            )
        except (httpx.LocalProtocolError, httpx.InvalidURL) as error:
            # What a page put in the request (a header, a query) could not be sent as HTTP at all:
            # the person's input is refused, the platform is not down.
            raise ApiProblem(
                400, "Bad Request", f"the request could not be sent ({type(error).__name__})"
            ) from None
        except httpx.HTTPError as error:
            raise ApiUnavailable(
                503,
                "Service unavailable",
                f"the platform could not be reached ({type(error).__name__})",
            ) from None
        if response.status_code >= 500:
            raise ApiUnavailable.of(response)
        if response.status_code >= 400:
            raise ApiProblem.of(response)
        if response.status_code == 204 or not response.content:
            return None
        return response.json()

    async def sign_in(
        self, *, email: str, password: str, client_address: str | None = None
    ) -> Tokens:
        body = await self.request(
            "POST",
            "/auth/token",
            data={"username": email, "password": password},
            client_address=client_address,
        )
        return Tokens(body["access_token"], body["refresh_token"], body["role"])

    async def refresh(self, *, refresh_token: str) -> Tokens:
        body = await self.request("POST", "/auth/refresh", json={"refresh_token": refresh_token})
        return Tokens(body["access_token"], body["refresh_token"], body["role"])

    async def sign_out(self, *, refresh_token: str) -> None:
        await self.request("POST", "/auth/logout", json={"refresh_token": refresh_token})


async def _pass_request_id(request: httpx.Request) -> None:
    request_id = current_request_id()
    if request_id and "x-request-id" not in request.headers:
        request.headers["X-Request-ID"] = request_id


def _clean(params: dict | None) -> dict | None:
    """Leaves out empty filters, so the API sees only what the person chose."""
    if params is None:
        return None
    return {name: value for name, value in params.items() if value not in (None, "", [])}
