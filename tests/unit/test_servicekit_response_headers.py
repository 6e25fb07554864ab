"""A redirect within the site names a path, never the scheme and host the app believes it is
served on: behind a proxy that ends TLS an https visitor is not sent to http, and a Host header
a client made up is not echoed back as the place to go."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse

from servicekit.response_headers import RedirectWithinSite


def _app() -> FastAPI:
    app = FastAPI()

    @app.get("/things")
    async def things() -> dict:
        return {}

    @app.get("/partner")
    async def partner() -> RedirectResponse:
        return RedirectResponse("https://partner.example/welcome?from=us", status_code=303)

    @app.get("/made-up")
    async def made_up(request: Request) -> RedirectResponse:
        return RedirectResponse(str(request.url.replace(path="//elsewhere.example/x")))

    @app.get("/backslash")
    async def backslash(request: Request) -> RedirectResponse:
        return RedirectResponse(str(request.url.replace(path="/\\elsewhere.example/x")))

    app.add_middleware(RedirectWithinSite)
    return app


async def _get(url: str, **headers: str) -> httpx.Response:
    transport = httpx.ASGITransport(app=_app())
    async with httpx.AsyncClient(transport=transport) as client:
        return await client.get(url, headers=headers)


@pytest.mark.parametrize(
    ("asked", "sent_to"),
    [
        ("http://site.test/things/", "/things"),
        ("https://site.test/things/?page=2&q=%D0%96", "/things?page=2&q=%D0%96"),
        ("http://127.0.0.1:8080/things/", "/things"),
    ],
)
async def test_the_trailing_slash_redirect_names_the_path(asked: str, sent_to: str):
    answer = await _get(asked)

    assert answer.status_code == 307
    assert answer.headers["location"] == sent_to


async def test_a_made_up_host_header_is_not_the_place_to_go():
    answer = await _get("http://site.test/things/", host="evil.example")

    assert answer.headers["location"] == "/things"


async def test_a_redirect_to_another_site_is_left_as_it_is():
    answer = await _get("http://site.test/partner")

    assert answer.status_code == 303
    assert answer.headers["location"] == "https://partner.example/welcome?from=us"


@pytest.mark.parametrize("route", ["/made-up", "/backslash"])
async def test_a_path_a_browser_would_read_as_another_host_stays_on_the_site(route: str):
    location = (await _get(f"http://site.test{route}")).headers["location"]

    assert location.startswith("/") and location.endswith("elsewhere.example/x")
    assert not location.startswith(("//", "/\\")), location


async def test_a_host_header_that_is_no_host_is_not_a_failure():
    answer = await _get("http://site.test/things/", host="[::1")

    assert answer.status_code == 307
    assert answer.headers["location"] == "/things"
