"""A visitor who types a trailing slash (`/my/`, `/api/v1/sectors/`) is sent to the page without
it by a path: on the scheme and host the browser already uses, whatever Host header was sent and
whether or not a proxy in front ended TLS."""

from __future__ import annotations

import httpx
import pytest

from devstack.stack import Stack

MADE_UP_HOST = "attacker.example"


def _redirects(url: str, **headers: str) -> str:
    answer = httpx.get(url, headers=headers, follow_redirects=False)
    assert answer.status_code in (307, 308), answer.text[:300]
    return answer.headers["location"]


@pytest.mark.parametrize(("path", "target"), [("/sign-in/", "/sign-in"), ("/my/?x=1", "/my?x=1")])
def test_a_page_asked_with_a_trailing_slash_is_sent_to_its_path(platform: Stack, path, target):
    assert _redirects(f"{platform.web_url}{path}") == target
    assert _redirects(f"{platform.web_url}{path}", host=MADE_UP_HOST) == target


def test_the_api_asked_with_a_trailing_slash_is_sent_to_its_path(platform: Stack):
    url = f"{platform.gateway_url}/api/v1/sectors/"

    assert _redirects(url) == "/api/v1/sectors"
    assert _redirects(url, host=MADE_UP_HOST, **{"x-forwarded-proto": "https"}) == (
        "/api/v1/sectors"
    )


def test_a_service_asked_with_a_trailing_slash_is_sent_to_its_path(platform: Stack):
    location = _redirects(f"{platform.service_url('registry')}/sectors/", host=MADE_UP_HOST)

    assert location == "/sectors"


def test_following_the_redirect_reaches_the_page(platform: Stack):
    answer = httpx.get(f"{platform.gateway_url}/api/v1/sectors/", follow_redirects=True)

    assert answer.status_code == 200 and answer.url.path == "/api/v1/sectors"
