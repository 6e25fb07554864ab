"""Every app answers errors the same way: RFC 9457 problem details, application/problem+json,
with the refused fields named in `errors`, and a service's own domain errors mapped as it says."""

from __future__ import annotations

import asyncpg
import pytest
import sqlalchemy.exc
from fastapi import FastAPI, HTTPException
from fastapi.testclient import TestClient
from pydantic import BaseModel

from servicekit.problems import (
    PROBLEM_CONTENT_TYPE,
    Problem,
    ProblemDetails,
    install_problem_handlers,
    invalid_fields,
    problem_response,
)


class ItemMissing(Exception):
    pass


class StaleItem(Exception):
    def __init__(self, current: int) -> None:
        super().__init__("the item changed since it was read")
        self.current = current


class FieldError:
    def __init__(self, field: str, reason: str) -> None:
        self.field, self.reason = field, reason


class BrokenRules(Exception):
    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__("the item breaks the rules")
        self.errors = errors


class Quantity(BaseModel):
    quantity: int


class _ServerError(Exception):
    """What the driver raises for an error the server reports, with its SQLSTATE."""

    def __init__(self, sqlstate: str) -> None:
        super().__init__(f"server error {sqlstate}")
        self.sqlstate = sqlstate


def _client() -> TestClient:
    app = FastAPI()
    install_problem_handlers(
        app,
        service="stock service",
        domain_errors={
            ItemMissing: 404,
            StaleItem: lambda request, error: Problem(
                409, str(error), current_version=error.current
            ),
            BrokenRules: lambda request, error: invalid_fields(error.errors, str(error)),
        },
    )

    @app.get("/missing")
    def missing():
        raise ItemMissing("no such item")

    @app.get("/stale")
    def stale():
        raise StaleItem(current=7)

    @app.get("/broken")
    def broken():
        raise BrokenRules([FieldError("price", "must be positive")])

    @app.post("/items")
    def create(item: Quantity, limit: int = 10):
        return {"quantity": item.quantity}

    @app.get("/refused")
    def refused():
        raise HTTPException(401, "sign in first", headers={"WWW-Authenticate": "Bearer"})

    @app.get("/slow-down")
    def slow_down():
        raise Problem(
            429, "slow down", type_="/problems/rate-limited", headers={"Retry-After": "3"}
        )

    @app.get("/early")
    def early():
        return problem_response(403, "not yours", title="Forbidden here")

    @app.get("/bug")
    def bug():
        raise RuntimeError("a bug")

    @app.get("/database-down")
    def database_down():
        raise sqlalchemy.exc.OperationalError("SELECT 1", {}, ConnectionRefusedError("refused"))

    @app.get("/lost-a-race/{sqlstate}")
    def lost_a_race(sqlstate: str):
        raise sqlalchemy.exc.DBAPIError("UPDATE matches", {}, _ServerError(sqlstate))

    # What a path that speaks to the driver itself meets: the server shutting down under it, the
    # connection gone, a race lost, or a constraint broken.
    @app.get("/driver/{error}")
    def driver(error: str):
        raise {
            "shutdown": asyncpg.AdminShutdownError,
            "gone": asyncpg.ConnectionDoesNotExistError,
            "deadlock": asyncpg.DeadlockDetectedError,
            "duplicate": asyncpg.UniqueViolationError,
        }[error]("from the driver")

    @app.get("/pool-exhausted")
    def pool_exhausted():
        raise sqlalchemy.exc.TimeoutError("QueuePool limit reached")

    return TestClient(app, raise_server_exceptions=False)


def _problem(response) -> dict:
    assert response.headers["content-type"] == PROBLEM_CONTENT_TYPE
    body = response.json()
    ProblemDetails.model_validate(body)
    assert body["status"] == response.status_code
    return body


def test_a_domain_error_mapped_to_a_status_answers_with_its_own_text():
    body = _problem(_client().get("/missing"))
    assert body == {
        "type": "about:blank",
        "title": "Not found",
        "status": 404,
        "detail": "no such item",
    }


def test_a_domain_error_mapped_to_a_function_may_add_members():
    body = _problem(_client().get("/stale"))
    assert body["title"] == "Conflict" and body["current_version"] == 7


def test_a_domain_errors_fields_are_named():
    body = _problem(_client().get("/broken"))
    assert body["status"] == 422 and body["title"] == "Invalid input"
    assert body["errors"] == [{"field": "price", "reason": "must be positive"}]


@pytest.mark.parametrize(
    ("url", "payload", "field"),
    [
        ("/items", {"quantity": "many"}, "quantity"),
        ("/items", None, "body"),
        ("/items?limit=x", {"quantity": 1}, "limit"),
    ],
)
def test_invalid_requests_name_the_field_without_its_location(url, payload, field):
    body = _problem(_client().post(url, json=payload))
    assert body["detail"] == "the request has invalid fields"
    assert [error["field"] for error in body["errors"]] == [field]


# What a path's error answers: (the path, what the problem says, the headers it keeps).
ERROR_ANSWERS = [
    # An HTTP error keeps its headers and gets its status's title.
    (
        "/refused",
        {"title": "Unauthorized", "detail": "sign in first"},
        {"www-authenticate": "Bearer"},
    ),
    ("/nowhere", {"title": "Not found"}, {}),  # an unknown route answers with a problem
    # A raised problem keeps its type and headers.
    (
        "/slow-down",
        {"type": "/problems/rate-limited", "title": "Too many requests"},
        {"retry-after": "3"},
    ),
    ("/early", {"title": "Forbidden here"}, {}),  # a returned problem may carry its own title
    # An unexpected error names the service and hides the cause.
    (
        "/bug",
        {
            "status": 500,
            "title": "Internal error",
            "detail": "the stock service could not complete the request",
        },
        {},
    ),
    # The database unreachable or out of connections: a 503 the caller retries, not a 500.
    *(
        (
            path,
            {
                "status": 503,
                "detail": "the stock service's database is unavailable; try again shortly",
            },
            {"retry-after": "2"},
        )
        for path in ("/database-down", "/pool-exhausted", "/driver/shutdown", "/driver/gone")
    ),
    (
        "/driver/deadlock",
        {"status": 503, "detail": "the stock service met a concurrent change; try again"},
        {"retry-after": "1"},
    ),
    (
        "/driver/duplicate",
        {"status": 500, "detail": "the stock service could not complete the request"},
        {"retry-after": None},
    ),
    # A transaction that lost a race (serialization failure, deadlock, lock timeout) succeeds
    # when sent again: a 503 asking for a quick retry.
    *(
        (
            f"/lost-a-race/{sqlstate}",
            {"status": 503, "detail": "the stock service met a concurrent change; try again"},
            {"retry-after": "1"},
        )
        for sqlstate in ("40001", "40P01", "55P03")
    ),
    # A constraint the request broke is not a race to retry: the server's own error stays a 500.
    (
        "/lost-a-race/23505",
        {"status": 500, "detail": "the stock service could not complete the request"},
        {"retry-after": None},
    ),
]


@pytest.mark.parametrize(("path", "says", "headers"), ERROR_ANSWERS)
def test_errors_answer_as_problems_that_say_what_they_are(path, says, headers):
    response = _client().get(path)
    body = _problem(response)

    assert {key: body.get(key) for key in says} == says
    assert {name: response.headers.get(name) for name in headers} == headers
