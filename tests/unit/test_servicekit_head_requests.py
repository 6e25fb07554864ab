"""A link checker, an uptime monitor or `curl -I` asks with HEAD: every app answers it as it would
answer GET, headers and all, with no body; a method no route takes is still refused."""

from __future__ import annotations

import asyncio

import httpx
from fastapi import FastAPI
from fastapi.responses import StreamingResponse

from servicekit.head_requests import AnswerHeadAsGet


def _app() -> FastAPI:
    app = FastAPI()

    @app.get("/sectors")
    async def sectors():
        return {"items": ["elevators", "flax"]}

    @app.get("/export")
    async def export():
        async def lines():
            for n in range(3):
                yield f"line {n}\n".encode()

        return StreamingResponse(lines(), media_type="text/plain")

    @app.post("/enterprises", status_code=201)
    async def register():
        return {"id": "new"}

    app.add_middleware(AnswerHeadAsGet)
    return app


async def _ask(method: str, path: str) -> httpx.Response:
    transport = httpx.ASGITransport(app=_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://app") as client:
        return await client.request(method, path)


async def _body_parts_sent(method: str, path: str) -> list[bytes]:
    """What the app hands the server as body, by ASGI directly: an HTTP client drops a HEAD
    answer's body itself, so only the server's side shows that none was sent."""
    sent: list[dict] = []
    answered = asyncio.Event()
    requests = iter([{"type": "http.request", "body": b"", "more_body": False}])

    async def receive() -> dict:
        if (request := next(requests, None)) is not None:
            return request
        await answered.wait()  # the client hangs up once the answer is complete
        return {"type": "http.disconnect"}

    async def send(message: dict) -> None:
        sent.append(message)
        if message["type"] == "http.response.body" and not message.get("more_body", False):
            answered.set()

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"app")],
        "client": ("127.0.0.1", 1),
        "server": ("app", 80),
    }
    await _app()(scope, receive, send)
    return [message["body"] for message in sent if message["type"] == "http.response.body"]


async def test_head_gets_the_status_and_headers_of_get_and_no_body():
    got = await _ask("GET", "/sectors")
    head = await _ask("HEAD", "/sectors")

    assert head.status_code == got.status_code == 200
    assert head.headers["content-type"] == got.headers["content-type"] == "application/json"
    assert head.headers["content-length"] == got.headers["content-length"] == str(len(got.content))
    assert b"".join(await _body_parts_sent("HEAD", "/sectors")) == b""
    assert b"".join(await _body_parts_sent("GET", "/sectors")) == got.content


async def test_a_streamed_answer_sends_none_of_its_parts_to_head():
    head = await _ask("HEAD", "/export")

    assert head.status_code == 200 and head.headers["content-type"].startswith("text/plain")
    assert await _body_parts_sent("HEAD", "/export") == [b""]
    assert b"".join(await _body_parts_sent("GET", "/export")) == b"line 0\nline 1\nline 2\n"


async def test_head_where_no_get_is_is_refused_like_get():
    head = await _ask("HEAD", "/enterprises")
    got = await _ask("GET", "/enterprises")

    assert head.status_code == got.status_code == 405
    assert head.content == b""


async def test_other_methods_pass_untouched():
    posted = await _ask("POST", "/enterprises")

    assert posted.status_code == 201 and posted.json() == {"id": "new"}
