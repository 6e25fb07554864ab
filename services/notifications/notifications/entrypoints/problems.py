"""Every error leaves the notifications service as RFC 9457 problem details."""

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

log = structlog.get_logger(__name__)


def problem(status: int, title: str, detail: str, **extensions) -> JSONResponse:
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail, **extensions}
    return JSONResponse(body, status_code=status, media_type="application/problem+json")


def install(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, error: RequestValidationError):
        errors = [
            {"field": ".".join(str(p) for p in e["loc"][1:]) or "body", "reason": e["msg"]}
            for e in error.errors()
        ]
        return problem(422, "Invalid input", "the request has invalid fields", errors=errors)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, error: HTTPException):
        return problem(error.status_code, "Request refused", str(error.detail))

    @app.exception_handler(Exception)
    async def unexpected(request: Request, error: Exception):
        log.exception("unhandled_error")
        return problem(
            500, "Internal error", "the notifications service could not complete the request"
        )
