"""Every error leaves every Union Match application as RFC 9457 problem details, the same way.

One model (`ProblemDetails`, for OpenAPI documents too), one exception a route or a dependency
raises to answer with a problem (`Problem`), one response builder (`problem_response`), and one
`install_problem_handlers` for validation errors, HTTP errors, unexpected errors and the service's
own domain errors. A service's domain errors stay in the service: it passes a mapping from each
error class to a status (detail: the error's text) or to a function that makes the `Problem`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from http import HTTPStatus
from typing import Any

import asyncpg
import sqlalchemy.exc
import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ConfigDict, Field
from pydantic.json_schema import models_json_schema
from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse

PROBLEM_CONTENT_TYPE = "application/problem+json"
# Where FastAPI says a validation error was found; the client knows the field by its name alone.
_LOCATIONS = frozenset({"body", "query", "path", "header", "cookie"})
# Titles whose standard reason phrase says less to a client than these do.
_TITLES = {413: "Content too large", 422: "Invalid input", 500: "Internal error"}

log = structlog.get_logger(__name__)


class FieldProblem(BaseModel):
    """One field of the request that was refused, and why."""

    field: str = Field(description="the field's name, dotted for nested fields", examples=["name"])
    reason: str = Field(examples=["Field required"])


class ProblemDetails(BaseModel):
    """An error as RFC 9457 problem details (media type application/problem+json). `errors` names
    the refused fields of a 422; a problem may carry other members (`current_version`, ...)."""

    model_config = ConfigDict(
        extra="allow",
        json_schema_extra={
            "examples": [
                {
                    "type": "about:blank",
                    "title": "Invalid input",
                    "status": 422,
                    "detail": "the request has invalid fields",
                    "errors": [{"field": "name", "reason": "Field required"}],
                }
            ]
        },
    )

    type: str = Field(default="about:blank", description="a URI reference naming the problem")
    title: str = Field(description="a short summary of the problem's type", examples=["Not found"])
    status: int = Field(ge=400, le=599, examples=[404])
    detail: str = Field(description="what went wrong with this request", examples=["no such item"])
    instance: str | None = Field(default=None, description="the request's path")
    errors: list[FieldProblem] | None = None


def title_for(status: int) -> str:
    if status in _TITLES:
        return _TITLES[status]
    try:
        return HTTPStatus(status).phrase.capitalize()
    except ValueError:
        return "Error"


class Problem(Exception):
    """Raise it to answer the request with a problem: the installed handler turns it into one."""

    def __init__(
        self,
        status: int,
        detail: str,
        *,
        title: str | None = None,
        type_: str = "about:blank",
        errors: Iterable[FieldProblem | Mapping[str, str]] | None = None,
        headers: Mapping[str, str] | None = None,
        **extensions: Any,
    ) -> None:
        super().__init__(detail)
        self.details = ProblemDetails(
            type=type_,
            title=title or title_for(status),
            status=status,
            detail=detail,
            errors=None if errors is None else [FieldProblem.model_validate(e) for e in errors],
            **extensions,
        )
        self.headers = dict(headers) if headers else None

    @property
    def status(self) -> int:
        return self.details.status

    def response(self) -> JSONResponse:
        return JSONResponse(
            self.details.model_dump(mode="json", exclude_none=True),
            status_code=self.status,
            media_type=PROBLEM_CONTENT_TYPE,
            headers=self.headers,
        )


def problem_response(status: int, detail: str, **options: Any) -> JSONResponse:
    """The response of a `Problem(status, detail, **options)`, for code that answers rather than
    raises (middleware, a route returning early)."""
    return Problem(status, detail, **options).response()


def field_problems(errors: Iterable[Any]) -> list[FieldProblem]:
    """A domain's field errors (anything with `field` and `reason`) as the problem's `errors`."""
    return [FieldProblem(field=str(error.field), reason=str(error.reason)) for error in errors]


def invalid_fields(
    errors: Iterable[Any], detail: str = "the request has invalid fields"
) -> Problem:
    return Problem(422, detail, errors=field_problems(errors))


def _field_name(location: tuple) -> str:
    parts = location[1:] if location and location[0] in _LOCATIONS else location
    return ".".join(str(part) for part in parts) or "body"


def _validation_problem(error: RequestValidationError) -> Problem:
    errors = [
        FieldProblem(field=_field_name(tuple(e["loc"])), reason=e["msg"]) for e in error.errors()
    ]
    return Problem(422, "the request has invalid fields", errors=errors)


# A domain error's answer: its status (the detail is the error's own text), or a function of the
# request and the error that makes the whole problem.
DomainAnswer = int | Callable[[Request, Any], Problem]


def _answer(answer: DomainAnswer, request: Request, error: Exception) -> Problem:
    if isinstance(answer, int):
        return Problem(answer, str(error))
    return answer(request, error)


# How long a caller is asked to wait when the database is down or out of connections: PostgreSQL
# restarting takes seconds, and the retry then finds it back.
DATABASE_RETRY_AFTER_SECONDS = 2
# SQLSTATE classes of a connection lost or refused (08) and of the server shutting down or
# starting (57: admin shutdown, cannot connect now).
_UNAVAILABLE_SQLSTATE_CLASSES = frozenset({"08", "57"})
# SQLSTATEs of a transaction that lost a race with another one and may simply be run again: a
# serialization failure, a deadlock the server broke, a lock not granted in time.
_CONFLICT_SQLSTATES = frozenset({"40001", "40P01", "55P03"})
# A race is over at once, so the retry is asked for sooner than after an outage.
CONFLICT_RETRY_AFTER_SECONDS = 1


def database_unavailable(error: Exception) -> bool:
    """Whether an error means the database could not be reached (refused, lost, restarting, or no
    pooled connection free in time) rather than a fault of the request or the code."""
    if isinstance(error, (ConnectionError, sqlalchemy.exc.TimeoutError)):
        return True
    if isinstance(error, asyncpg.PostgresError):  # raised on a path that speaks to the driver
        return _sqlstate(error)[:2] in _UNAVAILABLE_SQLSTATE_CLASSES
    if not isinstance(error, sqlalchemy.exc.DBAPIError):
        return False
    if error.connection_invalidated or isinstance(
        error, (sqlalchemy.exc.OperationalError, sqlalchemy.exc.InterfaceError)
    ):
        return True
    return _sqlstate(error)[:2] in _UNAVAILABLE_SQLSTATE_CLASSES


def transaction_conflict(error: Exception) -> bool:
    """Whether the database refused a transaction only because a concurrent one won a race
    (deadlock, serialization failure, lock timeout): the same request succeeds when sent again."""
    return (
        isinstance(error, (sqlalchemy.exc.DBAPIError, asyncpg.PostgresError))
        and _sqlstate(error) in _CONFLICT_SQLSTATES
    )


def _sqlstate(error: sqlalchemy.exc.DBAPIError | asyncpg.PostgresError) -> str:
    if isinstance(error, asyncpg.PostgresError):
        return str(error.sqlstate or "")
    cause = error.orig.__cause__ if error.orig is not None else None
    sqlstate = getattr(error.orig, "sqlstate", None) or getattr(cause, "sqlstate", None)
    return str(sqlstate or "")


# Errors a caller should simply send again, each answered 503 with how long to wait: what they are,
# the log event, the detail (of the application) and Retry-After.
_RETRYABLE = (
    (
        database_unavailable,
        "database_unavailable",
        "the {service}'s database is unavailable; try again shortly",
        DATABASE_RETRY_AFTER_SECONDS,
    ),
    (
        transaction_conflict,
        "transaction_conflict",
        "the {service} met a concurrent change; try again",
        CONFLICT_RETRY_AFTER_SECONDS,
    ),
)


# The classes `_RETRYABLE`'s tests can say yes to.
_MAYBE_RETRYABLE = (
    ConnectionError,
    sqlalchemy.exc.TimeoutError,
    sqlalchemy.exc.DBAPIError,
    asyncpg.PostgresError,
)


def _retry_answer(error: Exception, *, service: str) -> JSONResponse | None:
    """A 503 with how long to wait, when the error is one a caller should simply send again."""
    for is_retryable, event, detail, retry_after in _RETRYABLE:
        if is_retryable(error):
            log.warning(event, error=type(error).__name__)
            headers = {"Retry-After": str(retry_after)}
            return Problem(503, detail.format(service=service), headers=headers).response()
    return None


def install_problem_handlers(
    app: FastAPI,
    *,
    service: str,
    domain_errors: Mapping[type[Exception], DomainAnswer] | None = None,
) -> None:
    """`service` names the application in the answer to an unexpected error ("the registry could
    not complete the request"); `domain_errors` maps each of its error classes to its answer."""

    async def problem(request: Request, error: Problem) -> JSONResponse:
        return error.response()

    async def invalid_request(request: Request, error: RequestValidationError) -> JSONResponse:
        return _validation_problem(error).response()

    async def http_error(request: Request, error: HTTPException) -> JSONResponse:
        return Problem(
            error.status_code, str(error.detail), headers=getattr(error, "headers", None)
        ).response()

    async def retry_later(request: Request, error: Exception) -> JSONResponse:
        # Answered inside the middleware (unlike `unexpected`), so the request's log line and
        # metrics count the 503 the caller got, and no traceback is logged for an expected outage.
        answer = _retry_answer(error, service=service)
        if answer is None:
            raise error  # not a retryable one after all: `unexpected` answers it
        return answer

    async def unexpected(request: Request, error: Exception) -> JSONResponse:
        answer = _retry_answer(error, service=service)
        if answer is not None:
            return answer
        log.exception("unhandled_error")
        return Problem(500, f"the {service} could not complete the request").response()

    app.add_exception_handler(Problem, problem)
    app.add_exception_handler(RequestValidationError, invalid_request)
    app.add_exception_handler(HTTPException, http_error)
    for error_class in _MAYBE_RETRYABLE:
        app.add_exception_handler(error_class, retry_later)
    app.add_exception_handler(Exception, unexpected)
    for error_class, answer in (domain_errors or {}).items():
        app.add_exception_handler(error_class, _domain_handler(answer))
    _document_problems(app)


def _domain_handler(answer: DomainAnswer):
    async def domain_error(request: Request, error: Exception) -> JSONResponse:
        return _answer(answer, request, error).response()

    return domain_error


_PROBLEM_SCHEMA_REF = "#/components/schemas/{model}"


def problem_responses(*statuses: int | tuple[int, str]) -> dict[int | str, dict[str, Any]]:
    """A route's OpenAPI `responses=`: each status it answers as problem details, with the status's
    title or, given as (status, description), what the problem means on that route."""
    responses: dict[int | str, dict[str, Any]] = {}
    for entry in statuses:
        status, description = entry if isinstance(entry, tuple) else (entry, title_for(entry))
        schema = {"$ref": _PROBLEM_SCHEMA_REF.format(model=ProblemDetails.__name__)}
        responses[status] = {
            "description": description,
            "content": {PROBLEM_CONTENT_TYPE: {"schema": schema}},
        }
    return responses


def _document_problems(app: FastAPI) -> None:
    """The app's OpenAPI document carries the schemas its `problem_responses` refer to."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = build()
            _, definitions = models_json_schema(
                [(ProblemDetails, "serialization")], ref_template=_PROBLEM_SCHEMA_REF
            )
            document.setdefault("components", {}).setdefault("schemas", {}).update(
                definitions["$defs"]
            )
            app.openapi_schema = document
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
