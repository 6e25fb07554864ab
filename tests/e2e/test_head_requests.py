"""A link checker, an uptime monitor or `curl -I` asks with HEAD: the pages, the public API and
its documentation answer as they answer GET, with the same length, and send no body."""

from __future__ import annotations

import httpx
import pytest

from devstack.stack import Stack

# Each path with whether its answer is the same from one request to the next (then HEAD's length
# is GET's to the byte; a page with a fresh form token or live figures only says it has one).
PAGES = [("/", False), ("/sign-in", False), ("/sign-up", False), ("/static/app.css", True)]
API = [
    ("/api/v1/sectors", True),
    ("/api/v1/enterprises?limit=2", False),
    ("/docs", True),
    ("/openapi.json", True),
]


@pytest.mark.parametrize(("path", "stable"), PAGES)
def test_a_page_answers_head_as_it_answers_get(platform: Stack, path: str, stable: bool):
    _same_answer(f"{platform.web_url}{path}", stable=stable)


@pytest.mark.parametrize(("path", "stable"), API)
def test_the_api_answers_head_as_it_answers_get(platform: Stack, path: str, stable: bool):
    _same_answer(f"{platform.gateway_url}{path}", stable=stable)


def test_a_signed_in_page_asked_with_head_still_sends_a_stranger_to_sign_in(platform: Stack):
    head = httpx.head(f"{platform.web_url}/console")

    assert head.status_code == 303 and head.headers["location"].startswith("/sign-in")


def test_head_where_only_post_is_taken_is_refused_with_the_methods_allowed(platform: Stack):
    head = httpx.head(f"{platform.gateway_url}/api/v1/auth/register")

    assert head.status_code == 405 and "POST" in head.headers["allow"]


def _same_answer(url: str, *, stable: bool) -> None:
    got = httpx.get(url)
    head = httpx.head(url)

    assert head.status_code == got.status_code == 200
    assert head.headers["content-type"] == got.headers["content-type"]
    assert int(head.headers["content-length"]) > 0 and len(got.content) > 0
    if stable:
        assert int(head.headers["content-length"]) == len(got.content)
    assert head.content == b""
