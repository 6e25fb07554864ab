"""What an attacker sends, as Hypothesis strategies, and the operations of an OpenAPI document to
send it to: the hostile-input suites (through the gateway and to each service directly) share them,
so a route added to a document is attacked without anyone listing it."""

from __future__ import annotations

import base64
import json
import re
import uuid
from dataclasses import dataclass, field
from urllib.parse import quote

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

# Control characters a text field refuses (tab, line feed and carriage return are text).
CONTROL = st.characters(categories=["Cc"], exclude_characters="\t\n\r")
SURROGATE = st.characters(categories=["Cs"])
UNSTORABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def _around(middle: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.tuples(st.text(max_size=6), middle, st.text(max_size=6)).map("".join)


# Text no field may hold: a NUL or another control character, a lone surrogate.
unstorable_text = st.one_of(_around(st.just("\x00")), _around(CONTROL), _around(SURROGATE))
# Any text at all: every Unicode category, surrogates included, and strings longer than any column.
any_text = st.text(st.characters(), min_size=1, max_size=40)
overlong_text = st.integers(min_value=301, max_value=6000).map(lambda n: "Ж" * n)
BAD_NUMBERS = [
    "9223372036854775808",
    "-9223372036854775809",
    "2147483648",
    "-2147483649",
    "1e309",
    "-1e309",
    "NaN",
    "Infinity",
    "-Infinity",
    "1e-400",
    "0x10",
    "１２",
    "9" * 5000,
]
bad_number = st.sampled_from(BAD_NUMBERS)


def _cursor(parts) -> str:
    return base64.urlsafe_b64encode(json.dumps(parts).encode()).decode().rstrip("=")


FORGED_CURSORS = [
    "-1",
    "99999999999999999999999",
    "9223372036854775807",
    "%00",
    "not base64 ✓",
    "====",
    "",
    "0" * 500,
    _cursor(
        ["created_at", "2024-01-01T00:00:00+00:00", str(uuid.uuid4())]
    ),  # another sort order than asked
    _cursor(["-created_at", "9999-12-31T23:59:59-23:59", str(uuid.uuid4())]),
    _cursor(["name", "a\x00b", str(uuid.uuid4())]),
    _cursor(["name", {"$gt": ""}, "not a uuid"]),
    _cursor(["name", "Ж" * 5000, str(uuid.uuid4())]),
    _cursor([1, 2]),
    _cursor({"sort": "name"}),
]
forged_cursor = st.sampled_from(FORGED_CURSORS)
# The calendar's edges: a day after the last or an offset before the first overflows date
# arithmetic.
EDGE_MOMENTS = [
    "0001-01-01",
    "9999-12-31",
    "0001-01-01T00:00:00+14:00",
    "9999-12-31T23:59:59-14:00",
    "0001-01-01T00:00:00",
    "10000-01-01",
    "2026-02-30",
    "2026-01-01T24:00:00",
]
edge_moment = st.sampled_from(EDGE_MOMENTS)
hostile_value = st.one_of(
    unstorable_text, any_text, overlong_text, bad_number, forged_cursor, edge_moment
)

# A JSON number the parser cannot keep: written into a body in place of this marker.
_RAW = f"\uffff{uuid.uuid4().hex}:"
raw_json_numbers = st.sampled_from(
    ["1e400", "-1e400", "NaN", "Infinity", "9223372036854775808", "1" * 5000, "2147483648"]
)
hostile_json = st.one_of(
    unstorable_text,
    any_text,
    overlong_text,
    edge_moment,
    raw_json_numbers.map(lambda n: _RAW + n),
    st.sampled_from([2**31, -(2**31) - 1, 2**62, 10**30, 1e308, -1.5, 0, [], {}, None, True]),
    st.lists(unstorable_text, min_size=1, max_size=3),
)


@dataclass
class Operation:
    method: str
    path: str  # as the document writes it, with {parameters}
    path_parameters: list[str] = field(default_factory=list)
    query_parameters: list[str] = field(default_factory=list)
    body_fields: dict[str, dict] = field(default_factory=dict)  # name -> its JSON schema
    body_example: dict | None = None
    form: bool = False

    @property
    def name(self) -> str:
        return f"{self.method} {self.path}"


def operations_of(document: dict, *, prefix: str = "") -> list[Operation]:
    found = []
    for path, item in document["paths"].items():
        if not path.startswith(prefix):
            continue
        for method, spec in item.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            parameters = spec.get("parameters", [])
            operation = Operation(
                method.upper(),
                path,
                [p["name"] for p in parameters if p["in"] == "path"],
                [p["name"] for p in parameters if p["in"] == "query"],
            )
            content = spec.get("requestBody", {}).get("content", {})
            for media_type, body in content.items():
                schema = _resolved(document, body.get("schema", {}))
                operation.form = media_type == "application/x-www-form-urlencoded"
                operation.body_fields = {
                    name: _resolved(document, s) for name, s in schema.get("properties", {}).items()
                }
                examples = schema.get("examples") or [
                    example["value"] for example in body.get("examples", {}).values()
                ]
                operation.body_example = (
                    dict(examples[0]) if examples else _minimal(document, schema)
                )
                # A body documented by its examples only (the gateway's forwarded routes): their
                # fields.
                for example in examples:
                    operation.body_fields |= {
                        name: {} for name in example if name not in operation.body_fields
                    }
            found.append(operation)
    return found


def _resolved(document: dict, schema: dict) -> dict:
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    if "anyOf" in schema:  # `X | None`: the X
        schema = next(
            (_resolved(document, s) for s in schema["anyOf"] if s.get("type") != "null"), schema
        )
    return schema


def _minimal(document: dict, schema: dict) -> dict:
    """A body with each required field given a plausible value, so one hostile field is what
    differs."""
    body = {}
    for name in schema.get("required", []):
        body[name] = _plausible(_resolved(document, schema["properties"][name]))
    return body


def _plausible(schema: dict):
    if "enum" in schema:
        return schema["enum"][0]
    if "const" in schema:
        return schema["const"]
    kind, form = schema.get("type"), schema.get("format")
    if kind == "string":
        return {
            "uuid": str(uuid.uuid4()),
            "email": "hostile@example.org",
            "date": "2027-01-01",
            "date-time": "2027-01-01T00:00:00Z",
            "uri": "https://example.org/",
        }.get(form, "Тест")
    return {"integer": 1, "number": 1.0, "boolean": True, "array": [], "object": {}}.get(
        kind, "Тест"
    )


@dataclass
class HostileRequest:
    method: str
    url: str  # path and query string, escaped as bytes on the wire
    content: bytes | None
    headers: dict[str, str]
    refused_fields: set[
        str
    ]  # fields that carry unstorable text: the answer must be a 422 naming a hostile field
    hostile_fields: set[str] = field(default_factory=set)


def _wire(text: str) -> str:
    """Percent-escapes, keeping what UTF-8 cannot encode as the bytes a careless client would
    send."""
    return quote(text.encode("utf-8", "surrogatepass"), safe="")


@st.composite
def hostile_requests(draw, operation: Operation, *, base_path: str = "") -> HostileRequest:
    """One request to the operation with hostile values in some of its path, query or body
    fields."""
    path = operation.path
    for name in operation.path_parameters:
        value = draw(st.one_of(st.uuids().map(str), hostile_value))
        path = path.replace("{" + name + "}", _wire(value) or "x")
    query_names = operation.query_parameters + ["unknown_parameter"]
    chosen = draw(st.lists(st.sampled_from(query_names), unique=True, max_size=3))
    query = {name: draw(hostile_value) for name in chosen}
    hostile = set(query)
    refused = {name for name, value in query.items() if UNSTORABLE.search(value)}
    url = (
        base_path
        + path
        + ("?" + "&".join(f"{_wire(k)}={_wire(v)}" for k, v in query.items()) if query else "")
    )
    content, headers = None, {}
    if operation.body_example is not None:
        body = dict(operation.body_example)
        for name in (
            draw(
                st.lists(
                    st.sampled_from(sorted(operation.body_fields)),
                    unique=True,
                    min_size=1,
                    max_size=2,
                )
            )
            if operation.body_fields
            else []
        ):
            body[name] = draw(
                st.one_of(hostile_json, st.just(at_its_longest(operation.body_fields[name])))
            )
            hostile.add(name)
            if _has_unstorable(body[name]):
                refused.add(name)
        content, headers = _encoded(body, operation.form, invalid_utf8=draw(st.booleans()))
        if not operation.form and not _parses(content):  # no field to name in what is not JSON
            refused -= set(operation.body_fields)
    return HostileRequest(operation.method, url, content, headers, refused, hostile)


def at_its_longest(schema: dict):
    """A value as long as the schema allows: the column behind it must hold it (one of Cyrillic
    letters, two bytes each in UTF-8), else the schema promises more than the storage keeps."""
    if schema.get("type") == "array":
        item = schema.get("items", {})
        return [at_its_longest(item)] * min(schema.get("maxItems", 1), 3)
    return "Ж" * schema.get("maxLength", 400)


def _parses(content: bytes) -> bool:
    try:
        json.loads(content)
    except ValueError:
        return False
    return True


def _has_unstorable(value) -> bool:
    if isinstance(value, str):
        return bool(UNSTORABLE.search(value)) and not value.startswith(_RAW)
    return isinstance(value, list) and any(_has_unstorable(v) for v in value)


def _encoded(body: dict, form: bool, *, invalid_utf8: bool) -> tuple[bytes, dict[str, str]]:
    if form:
        pairs = "&".join(
            f"{_wire(k)}={_wire(str(item))}"
            for k, v in body.items()
            for item in (v if isinstance(v, list) else [v])
        )
        return pairs.encode(), {"content-type": "application/x-www-form-urlencoded"}
    text = json.dumps(body, ensure_ascii=not invalid_utf8)
    text = (
        re.sub('"' + re.escape(json.dumps(_RAW)[1:-1]) + '([^"]*)"', r"\1", text)
        if not invalid_utf8
        else text.replace(_RAW, "")
    )
    # ensure_ascii=False leaves lone surrogates in place: as bytes they are invalid UTF-8.
    return text.encode("utf-8", "surrogatepass"), {"content-type": "application/json"}


def assert_refused_properly(request: HostileRequest, response) -> None:
    """No 5xx; a refusal is problem details; text no field may hold is a 422 naming its field."""
    assert response.status_code < 500, (
        f"{request.method} {request.url[:300]} {request.content!r:.300} -> "
        f"{response.status_code} {response.text[:300]}"
    )
    if response.status_code >= 400:
        assert response.headers["content-type"].startswith("application/problem+json"), (
            response.text[:300]
        )
        problem = response.json()
        assert problem["status"] == response.status_code
    if request.refused_fields and response.status_code not in (413, 429):
        assert response.status_code == 422, (
            f"{request.method} {request.url[:300]} -> {response.status_code} {response.text[:300]}"
        )
        named = {error["field"].split(".")[0] for error in response.json().get("errors", [])}
        refused = (
            request.hostile_fields
            | {_printable_name(name) for name in request.hostile_fields}
            | {"body"}
        )
        assert named & refused, (
            f"{request.method} {request.url[:200]} {request.content!r:.400} -> "
            f"{response.text[:300]}"
        )


def _printable_name(name: str) -> str:
    return UNSTORABLE.sub(lambda found: f"\\u{ord(found.group()):04x}", name)


def attack(
    operation: Operation, *, client, headers: dict, examples: int, counts: dict
) -> str | None:
    """Sends `examples` generated hostile requests to one operation (the same ones on every run);
    counts what was sent and answered with a 5xx in `counts`; returns why it failed, if it did."""

    @given(request=hostile_requests(operation))
    @settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    def send(request):
        response = client.request(
            request.method,
            request.url,
            content=request.content,
            headers=headers | request.headers,
        )
        counts["sent"] += 1
        counts["5xx"] += response.status_code >= 500
        assert_refused_properly(request, response)

    try:
        send()
    except AssertionError as failure:  # the caller reports every failing operation together
        return str(failure)[:600]
    return None
