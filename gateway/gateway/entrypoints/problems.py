"""Every error leaves the gateway as RFC 9457 problem details."""

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from gateway.adapters.upstream import UpstreamUnavailable
from gateway.domain.errors import (
    AccountConflict,
    AccountDisabled,
    EmailTaken,
    InvalidCredentials,
    InvalidInput,
    UnknownAccount,
    WeakPassword,
)

log = structlog.get_logger(__name__)

# Refusals made by the gateway itself carry their own type, so a client (and a test) can tell
# "the door said no" from "the service said no".
SIGN_IN_REQUIRED = "/problems/sign-in-required"
FORBIDDEN = "/problems/forbidden"
RATE_LIMITED = "/problems/rate-limited"
SERVICE_UNAVAILABLE = "/problems/service-unavailable"
ACCOUNT_DISABLED = "/problems/account-disabled"
BEARER_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="union-match"'}


class Refused(Exception):
    """A request the gateway answers itself with a problem, without calling a service."""

    def __init__(
        self,
        status: int,
        title: str,
        detail: str,
        *,
        type_: str = "about:blank",
        headers: dict | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.title = title
        self.detail = detail
        self.type = type_
        self.headers = headers


def sign_in_required(detail: str) -> Refused:
    return Refused(
        401, "Sign-in required", detail, type_=SIGN_IN_REQUIRED, headers=BEARER_CHALLENGE
    )


def forbidden(detail: str) -> Refused:
    return Refused(403, "Forbidden", detail, type_=FORBIDDEN)


def rate_limited(retry_after: int) -> Refused:
    return Refused(
        429,
        "Too many requests",
        f"slow down; try again in {retry_after} s",
        type_=RATE_LIMITED,
        headers={"Retry-After": str(retry_after)},
    )


def problem(
    status: int, title: str, detail: str, headers: dict | None = None, **extensions
) -> JSONResponse:
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail, **extensions}
    return JSONResponse(
        body, status_code=status, media_type="application/problem+json", headers=headers
    )


def install(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, error: RequestValidationError):
        errors = [
            {"field": ".".join(str(p) for p in e["loc"][1:]) or "body", "reason": e["msg"]}
            for e in error.errors()
        ]
        return problem(422, "Invalid input", "the request has invalid fields", errors=errors)

    @app.exception_handler(Refused)
    async def refused(request: Request, error: Refused):
        return problem(
            error.status, error.title, error.detail, headers=error.headers, type=error.type
        )

    @app.exception_handler(UpstreamUnavailable)
    async def unavailable(request: Request, error: UpstreamUnavailable):
        return problem(
            503,
            "Service unavailable",
            f"{error}; try again shortly",
            headers={"Retry-After": str(error.retry_after)},
            type=SERVICE_UNAVAILABLE,
        )

    @app.exception_handler(EmailTaken)
    async def email_taken(request: Request, error: EmailTaken):
        return problem(409, "Conflict", str(error))

    @app.exception_handler(WeakPassword)
    async def weak_password(request: Request, error: WeakPassword):
        return problem(
            422,
            "Invalid input",
            "the request has invalid fields",
            errors=[{"field": "password", "reason": str(error)}],
        )

    @app.exception_handler(InvalidInput)
    async def invalid_input(request: Request, error: InvalidInput):
        return problem(
            422,
            "Invalid input",
            "the request has invalid fields",
            errors=[{"field": error.field, "reason": error.reason}],
        )

    @app.exception_handler(AccountConflict)
    async def account_conflict(request: Request, error: AccountConflict):
        return problem(409, "Conflict", str(error))

    @app.exception_handler(UnknownAccount)
    async def unknown_account(request: Request, error: UnknownAccount):
        return problem(404, "Not found", str(error))

    @app.exception_handler(AccountDisabled)
    async def account_disabled(request: Request, error: AccountDisabled):
        return problem(403, "Account disabled", str(error), type=ACCOUNT_DISABLED)

    @app.exception_handler(InvalidCredentials)
    async def invalid_credentials(request: Request, error: InvalidCredentials):
        return problem(
            401, "Sign-in failed", str(error), headers=BEARER_CHALLENGE, type=SIGN_IN_REQUIRED
        )

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, error: HTTPException):
        return problem(
            error.status_code,
            "Request refused",
            str(error.detail),
            headers=getattr(error, "headers", None),
        )

    @app.exception_handler(Exception)
    async def unexpected(request: Request, error: Exception):
        log.exception("unhandled_error")
        return problem(500, "Internal error", "the gateway could not complete the request")
