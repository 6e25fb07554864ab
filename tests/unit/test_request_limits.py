"""The request guard every app puts before its routes (`servicekit.request_limits`, shared by the
gateway, the registry, matching and notifications), in process: text no field may hold, anywhere in
a JSON document, a form or the query string, is a 422 naming where it is; clean requests reach the
route byte for byte. (Each running service's guard is tried in
tests/integration/test_services_refuse_hostile_input.py.)"""

from __future__ import annotations

import json

import pytest
from fastapi import FastAPI, Request
from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st

from servicekit.request_limits import RequestLimits

UNSTORABLE_CHARACTER = st.one_of(
    st.characters(categories=["Cc"], exclude_characters="\t\n\r"), st.characters(categories=["Cs"])
)
CLEAN_TEXT = st.text(
    st.characters(exclude_categories=["Cc", "Cs"]) | st.sampled_from("\t\n\r"), max_size=20
)
KEYS = st.text("abcdefgh_", min_size=1, max_size=6)
JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**63 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | CLEAN_TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(KEYS, inner, max_size=3),
    max_leaves=8,
)


def _client() -> TestClient:
    app = FastAPI()

    @app.post("/echo")
    async def echo(request: Request):
        return {"received": (await request.body()).decode("utf-8")}

    @app.get("/echo")
    async def echo_query(request: Request):
        return {"query": request.url.query}

    app.add_middleware(RequestLimits, max_bytes=64 * 1024)
    return TestClient(app)


@pytest.fixture(scope="module")
def client() -> TestClient:
    return _client()


def _with_value_at(document, path: list, value):
    if not path:
        return value
    head, *rest = path
    return {
        head: _with_value_at(
            document.get(head, {}) if isinstance(document, dict) else {}, rest, value
        )
    }


@given(
    path=st.lists(KEYS, min_size=1, max_size=3),
    before=CLEAN_TEXT,
    bad=UNSTORABLE_CHARACTER,
    after=CLEAN_TEXT,
)
@settings(max_examples=40, derandomize=True, database=None, deadline=None)
def test_unstorable_text_anywhere_in_a_json_body_is_a_422_naming_its_path(
    client, path, before, bad, after
):
    body = json.dumps(
        _with_value_at({}, path, before + bad + after)
    )  # ASCII: the escape \\u0000 or \\ud800 travels
    response = client.post("/echo", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["errors"][0]["field"] == ".".join(path)


@given(document=JSON_VALUES.filter(lambda value: value is not None))
@settings(max_examples=40, derandomize=True, database=None, deadline=None)
def test_a_clean_json_body_reaches_the_route_byte_for_byte(client, document):
    body = json.dumps({"document": document}, ensure_ascii=False)
    response = client.post(
        "/echo", content=body.encode(), headers={"content-type": "application/json"}
    )
    assert response.status_code == 200
    assert response.json()["received"] == body


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("name=a%00b", "name"),
        ("q=%ED%A0%80", "q"),
        ("q=%FF", "q"),
        ("x%01=1", "x\\u0001"),
        ("ok=1&bad=%1B%5B31m", "bad"),
    ],
)
def test_unstorable_or_undecodable_query_text_is_a_422_naming_the_parameter(client, query, field):
    response = client.get(f"/echo?{query}")
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == field


@pytest.mark.parametrize(
    "token", ["NaN", "Infinity", "-Infinity", "1e400", "9223372036854775808", "1" * 50]
)
def test_a_number_no_column_holds_is_a_422_naming_its_field(client, token):
    response = client.post(
        "/echo", content=f'{{"quantity": {token}}}', headers={"content-type": "application/json"}
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "quantity"


def test_tab_line_breaks_and_any_script_are_text(client):
    response = client.get("/echo", params={"q": "Могилёў\tлифты\r\n电梯 😀"})
    assert response.status_code == 200


def test_a_form_is_checked_like_a_query(client):
    response = client.post(
        "/echo",
        content="username=a%00&password=x",
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "username"


def test_a_streamed_body_over_the_limit_is_a_413_before_the_route(client):
    response = client.post(
        "/echo",
        content=(b" " * 1024 for _ in range(65)),
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 413


def test_headers_are_bounded_each_and_together(client):
    assert client.get("/echo", headers={"x-one": "a" * 9000}).status_code == 431
    assert client.get("/echo", headers={f"x-{i}": "a" * 4000 for i in range(9)}).status_code == 431
    assert client.get("/echo", headers={"x-fine": "a" * 4000}).status_code == 200


def test_a_body_nested_deeper_than_the_interpreter_recurses_is_a_422_not_a_crash(client):
    response = client.post(
        "/echo", content=b"[" * 30_000 + b"]" * 30_000, headers={"content-type": "application/json"}
    )
    assert response.status_code == 422
    assert response.json()["errors"][0] == {"field": "body", "reason": "nests too deeply"}
