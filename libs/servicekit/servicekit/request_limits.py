"""Bounds what a request may carry before any route reads it, and refuses text that no field may
hold, whatever the route: a route added later is covered without doing anything.

- headers: each at most `max_header_bytes`, all together `max_headers_bytes` (431); values in UTF-8
(400);
- the body: at most `max_bytes`, counted as it streams, since a chunked body declares no length
(413);
- the query string and JSON or form bodies: UTF-8, no control characters other than tab, line feed
  and carriage return, no lone surrogates (no column can store them, PostgreSQL refuses NUL), only
  finite numbers within 64 bits (422 naming the field).
"""

from __future__ import annotations

import json
import math
import re
from collections import deque
from dataclasses import dataclass
from urllib.parse import unquote_to_bytes

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from servicekit.problems import problem_response

UNSTORABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
_UNSTORABLE_TEXT = (
    "must not contain control characters (other than tab and line breaks) or lone surrogates"
)
_INT64 = 2**63 - 1


@dataclass(eq=False)
class RequestLimits:
    app: ASGIApp
    max_bytes: int = 256 * 1024
    max_header_bytes: int = 8 * 1024
    max_headers_bytes: int = 32 * 1024

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        refusal = self._header_refusal(scope["headers"]) or _text_refusal(
            _query_fields(scope["query_string"]), "query"
        )
        if refusal is None:
            body, refusal = await self._read_body(scope, receive)
        if refusal is not None:
            await refusal(scope, receive, send)
            return
        refusal = _body_refusal(scope["headers"], body)
        if refusal is not None:
            await refusal(scope, receive, send)
            return
        await self.app(scope, replaying(body, receive), send)

    def _header_refusal(self, headers: list[tuple[bytes, bytes]]):
        total = 0
        for name, value in headers:
            size = len(name) + len(value)
            total += size
            header = name.decode("latin-1")
            if size > self.max_header_bytes:
                return _too_large_headers(
                    f"the {header} header is over {self.max_header_bytes} bytes", header
                )
            try:
                value.decode("utf-8")
            except UnicodeDecodeError:
                return problem_response(
                    400,
                    f"the {header} header is not UTF-8",
                    errors=[{"field": header, "reason": "is not UTF-8"}],
                )
        if total > self.max_headers_bytes:
            return _too_large_headers(
                f"the headers are over {self.max_headers_bytes} bytes together", "headers"
            )
        return None

    async def _read_body(self, scope: Scope, receive: Receive):
        body = await read_bounded_body(scope, receive, self.max_bytes)
        if body is None:
            return b"", problem_response(413, f"the body is over {self.max_bytes} bytes")
        return body, None


def _too_large_headers(detail: str, field: str):
    return problem_response(431, detail, errors=[{"field": field, "reason": detail}])


async def read_bounded_body(scope: Scope, receive: Receive, max_bytes: int) -> bytes | None:
    """The whole body, counted as it streams in (a chunked one declares no length); None when it
    says or turns out to be over `max_bytes`. For a middleware that answers the refusal its own way
    (the web application); hand the body on to the app with `replaying`."""
    declared = next((value for name, value in scope["headers"] if name == b"content-length"), None)
    if declared is not None and declared.isdigit() and int(declared) > max_bytes:
        return None
    chunks, received = [], 0
    while True:
        message = await receive()
        if message["type"] != "http.request":  # the client left; the route sees the same
            return b""
        chunk = message.get("body", b"")
        received += len(chunk)
        if received > max_bytes:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


def replaying(body: bytes, receive: Receive) -> Receive:
    """The body read once, handed to the route as if it streamed in now."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


# --- text no field may hold ------------------------------------------------------------------


class _Unacceptable:
    def __init__(self, reason: str) -> None:
        self.reason = reason


def _query_fields(raw: bytes) -> list[tuple[str, object]]:
    """Each name and value as the client sent it, with what cannot be decoded marked as such."""
    fields = []
    for pair in raw.split(b"&"):
        if not pair:
            continue
        name, _, value = pair.partition(b"=")
        name_text = unquote_to_bytes(name.replace(b"+", b" ")).decode("utf-8", "replace")
        try:
            fields.append((name_text, unquote_to_bytes(value.replace(b"+", b" ")).decode("utf-8")))
        except UnicodeDecodeError:
            fields.append((name_text, _Unacceptable("is not UTF-8")))
    return fields


def _body_refusal(headers: list[tuple[bytes, bytes]], body: bytes):
    if not body:
        return None
    content_type = next(
        (value for name, value in headers if name == b"content-type"), b"application/json"
    ).lower()
    if b"application/x-www-form-urlencoded" in content_type:
        return _text_refusal(_query_fields(body), "body")
    if b"json" not in content_type:
        return None
    try:
        document = json.loads(body)
    except UnicodeDecodeError:
        return _invalid("body", "is not UTF-8")
    except RecursionError:
        return _invalid("body", "nests too deeply")
    except ValueError:
        return None  # not JSON at all: the route's own parsing says so
    found = _unacceptable_in(document)
    return _invalid(*found) if found else None


def _unacceptable_in(document) -> tuple[str, str] | None:
    """The first key or value of a JSON document no field may hold: its dotted path (`sectors.0`,
    as validation errors name it) and why. Walked with a stack: a document may nest deeper than
    the interpreter's recursion."""
    pending = deque([((), document)])  # in the document's order, shallowest first
    while pending:
        path, value = pending.popleft()
        if isinstance(value, str):
            if UNSTORABLE.search(value):
                return _dotted(path), _UNSTORABLE_TEXT
        elif isinstance(value, dict):
            for key, item in value.items():
                if UNSTORABLE.search(key):
                    return _dotted(
                        (*path, key)
                    ), "the name must not contain control characters or lone surrogates"
                pending.append(((*path, key), item))
        elif isinstance(value, list):
            pending.extend(((*path, index), item) for index, item in enumerate(value))
        elif isinstance(value, float) and not math.isfinite(value):
            return _dotted(
                path
            ), "is not a finite number (NaN, Infinity or beyond the largest float)"
        elif (
            isinstance(value, int)
            and not isinstance(value, bool)
            and not -_INT64 - 1 <= value <= _INT64
        ):
            return _dotted(path), "is beyond a 64-bit integer"
    return None


def _dotted(path: tuple) -> str:
    return ".".join(map(str, path)) or "body"


def _text_refusal(fields: list[tuple[str, object]], where: str):
    for field, value in fields:
        if isinstance(value, _Unacceptable):
            return _invalid(field, value.reason)
        if isinstance(value, str) and UNSTORABLE.search(value):
            return _invalid(field or where, _UNSTORABLE_TEXT)
        if UNSTORABLE.search(field):
            return _invalid(
                field, "the name must not contain control characters or lone surrogates"
            )
    return None


def _invalid(field: str, reason: str):
    return problem_response(
        422,
        "the request has invalid fields",
        errors=[{"field": _printable(field), "reason": reason}],
    )


def _printable(field: str) -> str:
    """The field's name as it can be sent back in JSON: what made it unacceptable escaped."""
    return UNSTORABLE.sub(lambda found: f"\\u{ord(found.group()):04x}", field)
