"""Every error leaves the matching service as RFC 9457 problem details."""

from __future__ import annotations

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from matching.domain.errors import Forbidden, InvalidInput, InvalidTransition, NotFound

log = structlog.get_logger(__name__)

_TITLES = {
    400: "Bad request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    413: "Content too large",
    422: "Invalid input",
    431: "Request header fields too large",
    500: "Internal error",
}


def problem(status: int, detail: str, **extensions) -> JSONResponse:
    body = {
        "type": "about:blank",
        "title": _TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
        **extensions,
    }
    return JSONResponse(body, status_code=status, media_type="application/problem+json")


def _location(loc: tuple) -> str:
    return ".".join(str(part) for part in loc if part not in ("body", "query", "path")) or "body"


def install(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, error: RequestValidationError):
        errors = [{"field": _location(e["loc"]), "reason": e["msg"]} for e in error.errors()]
        return problem(422, "the request has invalid fields", errors=errors)

    @app.exception_handler(InvalidInput)
    async def invalid_input(request: Request, error: InvalidInput):
        return problem(
            422, str(error), errors=[{"field": e.field, "reason": e.reason} for e in error.errors]
        )

    @app.exception_handler(NotFound)
    async def not_found(request: Request, error: NotFound):
        return problem(404, str(error))

    @app.exception_handler(InvalidTransition)
    async def invalid_transition(request: Request, error: InvalidTransition):
        return problem(409, str(error))

    @app.exception_handler(Forbidden)
    async def forbidden(request: Request, error: Forbidden):
        return problem(403, str(error))

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, error: HTTPException):
        return problem(error.status_code, str(error.detail))

    @app.exception_handler(Exception)
    async def unexpected(request: Request, error: Exception):
        log.exception("unhandled_error")
        return problem(500, "the matching service could not complete the request")
