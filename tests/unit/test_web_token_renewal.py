"""A page that asks the API several things at once after its access token expired renews the
token once: the gateway takes a refresh token once and ends the whole session when it sees it a
second time, so three renewals with one token would sign the person out."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

from web.adapters.gateway_client import ApiProblem, Tokens
from web.entrypoints.rendering import SignInRequired, api
from web.entrypoints.session import RequestState, Session


class Gateway:
    """Answers with the current access token only; takes each refresh token once, like the
    gateway."""

    def __init__(self) -> None:
        self.valid_access, self.valid_refresh = "access-2", "refresh-1"
        self.refreshes: list[str] = []

    async def request(
        self, method: str, path: str, *, access_token: str | None = None, **_
    ) -> dict:
        await asyncio.sleep(0)
        if access_token != self.valid_access:
            raise ApiProblem(status=401, title="Unauthorized")
        return {"path": path}

    async def refresh(self, *, refresh_token: str) -> Tokens:
        self.refreshes.append(refresh_token)
        await asyncio.sleep(0.01)
        if refresh_token != self.valid_refresh:
            raise ApiProblem(status=401, title="Unauthorized")
        self.valid_refresh = "refresh-2"
        return Tokens(access_token="access-2", refresh_token="refresh-2", role="company")


def _request(gateway: Gateway, session: Session | None) -> SimpleNamespace:
    app = SimpleNamespace(state=SimpleNamespace(container=SimpleNamespace(gateway=gateway)))
    return SimpleNamespace(
        app=app,
        client=None,
        state=SimpleNamespace(web=RequestState(session=session, csrf_token="t")),
    )


async def test_three_calls_at_once_with_an_expired_token_renew_it_once_and_all_succeed():
    gateway = Gateway()
    session = Session(
        access_token="access-1", refresh_token="refresh-1", role="company", email="lift@example.ru"
    )
    request = _request(gateway, session)

    answers = await asyncio.gather(*(api(request, "GET", f"/page/{n}") for n in range(3)))

    assert [a["path"] for a in answers] == ["/page/0", "/page/1", "/page/2"]
    assert gateway.refreshes == ["refresh-1"]
    assert (session.access_token, session.refresh_token) == ("access-2", "refresh-2")
    assert request.state.web.session_changed


async def test_when_the_renewal_is_refused_every_call_of_the_page_asks_to_sign_in():
    gateway = Gateway()
    gateway.valid_refresh = "refresh-of-another-session"
    request = _request(
        gateway,
        Session(
            access_token="access-1",
            refresh_token="refresh-1",
            role="company",
            email="lift@example.ru",
        ),
    )

    answers = await asyncio.gather(
        *(api(request, "GET", f"/page/{n}") for n in range(3)), return_exceptions=True
    )

    assert all(isinstance(a, SignInRequired) for a in answers)
    assert gateway.refreshes == ["refresh-1"]
    assert request.state.web.session is None
