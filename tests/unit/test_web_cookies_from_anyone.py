"""A browser sends back whatever cookies it holds, and anyone can make one up: a forged session or
CSRF cookie, or a form's token, in letters no token has (Cyrillic, bytes read as Latin-1) is
treated as no session and a wrong token, never as a failure of the page."""

from __future__ import annotations

from http.cookies import SimpleCookie

import pytest

from tests.unit.web_app import FakeGateway, ask, started_web
from web.entrypoints.session import CSRF_COOKIE, SESSION_COOKIE, csrf_token_of, same_secret

MADE_UP = ["Ж.Ж", "Ð\x96.Ð\x96", "payload.Жsignature", "..", "Ж" * 40]


def _cookies_sent(**cookies: str) -> dict[str, bytes]:
    """The Cookie header as a browser writes it: the cookie's bytes as they are (UTF-8)."""
    return {"cookie": "; ".join(f"{name}={value}" for name, value in cookies.items()).encode()}


def _csrf_cookie_set(response) -> str | None:
    for header in response.headers.get_list("set-cookie"):
        parsed = SimpleCookie(header)
        if CSRF_COOKIE in parsed:
            return parsed[CSRF_COOKIE].value
    return None


@pytest.mark.parametrize("forged", MADE_UP)
async def test_a_made_up_session_cookie_is_a_visitor_without_a_session(forged: str):
    async with started_web(FakeGateway()) as app:
        home = await ask(
            app, "GET", "http://web/", headers=_cookies_sent(**{SESSION_COOKIE: forged})
        )
        console = await ask(
            app, "GET", "http://web/console", headers=_cookies_sent(**{SESSION_COOKIE: forged})
        )

    assert home.status_code == 200
    assert console.status_code == 303 and "/sign-in" in console.headers["location"]


@pytest.mark.parametrize("forged", ["Жетон-из-куки-жетон", "short", "a b c d e f g h i j k l"])
async def test_a_made_up_csrf_cookie_is_replaced_by_a_fresh_token(forged: str):
    async with started_web(FakeGateway()) as app:
        page = await ask(
            app, "GET", "http://web/sign-in", headers=_cookies_sent(**{CSRF_COOKIE: forged})
        )

    fresh = _csrf_cookie_set(page)
    assert page.status_code == 200
    assert fresh is not None and fresh != forged and csrf_token_of(fresh) == fresh
    assert f'value="{fresh}"' in page.text  # the form carries the new token


async def test_a_form_whose_token_has_letters_no_token_has_is_refused_as_forged():
    async with started_web(FakeGateway()) as app:
        page = await ask(app, "GET", "http://web/sign-in")
        token = _csrf_cookie_set(page)
        posted = await ask(
            app,
            "POST",
            "http://web/sign-in",
            data={"csrf_token": "Жетон", "email": "a@example.ru", "password": "secret words"},
            headers=_cookies_sent(**{CSRF_COOKIE: token}),
        )

    assert posted.status_code == 403


def test_tokens_are_compared_whatever_letters_they_hold():
    assert same_secret("Жетон", "Жетон") and not same_secret("Жетон", "token")
    assert not same_secret("\ud800", "token")
    assert csrf_token_of("Жетон-из-куки-жетон") is None and csrf_token_of(None) is None
