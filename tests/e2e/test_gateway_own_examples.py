"""A client copies the gateway's own request examples from the public document (accounts: sign-up,
confirmation, sign-in, a changed and a forgotten password, an admin's invitation, deleting one's
account) and sends them, in the order a person would, to the running platform: each is accepted
and answered as the document says. Only the placeholders of an example ("<...>": the token of an
emailed link, one's own refresh token) are filled in, with what the platform gave."""

from __future__ import annotations

import re
import time
from typing import Any

import httpx
import pytest

from gateway.entrypoints import openapi
from gateway.entrypoints.routes import ROUTES
from tests.e2e.accounts import token_of
from tests.integration.test_service_openapi_documents import answered_as_documented

_FORWARDED = {(route.method.lower(), f"/api/v1{route.path}") for route in ROUTES}
_PLACEHOLDER = re.compile(r"<[^<>]+>")


class _Client:
    """Sends an operation's documented example and keeps which operations it has sent."""

    def __init__(self, gateway: httpx.Client, document: dict[str, Any]) -> None:
        self.gateway, self.document = gateway, document
        self.sent: set[tuple[str, str]] = set()

    def example(self, method: str, path: str) -> dict[str, Any]:
        [example, *_] = openapi.request_examples(self.document, method, path)
        return example

    def send(
        self, method: str, path: str, *, filled: dict[str, str] | None = None, **request: Any
    ) -> dict[str, Any]:
        """Sends the example with its placeholders `filled`; the answer's JSON, once it is the
        documented one."""
        body = _filled(self.example(method, path), filled or {})
        answer = self.gateway.request(method, path, json=body, **request)
        self.sent.add((method, path))
        return answered_as_documented(self.document, method, path, answer)

    def call(self, method: str, path: str, **request: Any) -> dict[str, Any]:
        """An operation without an example (signing in, refreshing), answered as documented."""
        answer = self.gateway.request(method, path, **request)
        return answered_as_documented(self.document, method, path, answer)


def _filled(example: dict[str, Any], values: dict[str, str]) -> dict[str, Any]:
    """The example with the given fields filled in: only placeholders may be, and all of them
    must be (an example value a client would send as written is never replaced)."""
    placeholders = {k for k, v in example.items() if isinstance(v, str) and _PLACEHOLDER.match(v)}
    assert placeholders == set(values), f"placeholders {placeholders} of {example}"
    return {**example, **values}


def _own_operations_with_examples(document: dict[str, Any]) -> set[tuple[str, str]]:
    """The operations the gateway answers itself whose request body has an example."""
    return {
        (method, path)
        for path, item in document["paths"].items()
        for method in item
        if (method, path) not in _FORWARDED and openapi.request_examples(document, method, path)
    }


@pytest.fixture
def client(gateway) -> _Client:
    return _Client(gateway, gateway.get("/openapi.json").json())


class _Inbox:
    """The links of the emails that reach an address after a moment: the examples of other
    documents (notifications' account emails) name the same addresses, and other tests send them."""

    def __init__(self, mailbox, address: str) -> None:
        self.mailbox, self.address = mailbox, address
        self.seen = {summary["ID"] for summary in mailbox.messages_to(address)}

    def next_link(self, path: str, *, timeout: float = 30.0) -> str:
        """The link to `path` in the first email with one that arrived since the last look."""
        pattern = re.compile(rf"https?://\S+{re.escape(path)}\?token=\S+")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for summary in self.mailbox.messages_to(self.address):
                if summary["ID"] in self.seen:
                    continue
                self.seen.add(summary["ID"])
                found = pattern.search(self.mailbox.message(summary["ID"])["Text"])
                if found:
                    return found.group(0)
            time.sleep(0.2)
        raise AssertionError(f"no new email with a {path} link reached {self.address}")


def _bearer(tokens: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {tokens['access_token']}"}


def test_each_of_the_gateways_own_examples_is_accepted_and_answered_as_documented(
    client: _Client, mailbox, admin
):
    registration = client.example("post", "/api/v1/auth/register")
    email, password = registration["email"], registration["password"]

    inbox = _Inbox(mailbox, email)
    client.send("post", "/api/v1/auth/register")
    link = inbox.next_link("/confirm")
    confirmed = client.send("post", "/api/v1/auth/confirm", filled={"token": token_of(link)})
    assert confirmed["confirmed"] and confirmed["email"] == email

    sign_in = {"username": email, "password": password}
    tokens = client.call("post", "/api/v1/auth/token", data=sign_in)
    tokens = client.call(
        "post", "/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]}
    )
    change = client.example("post", "/api/v1/auth/change-password")
    assert change["current_password"] == password
    client.send(
        "post",
        "/api/v1/auth/change-password",
        filled={"keep_refresh_token": tokens["refresh_token"]},
        headers=_bearer(tokens),
    )

    assert client.example("post", "/api/v1/auth/password-reset")["email"] == email
    client.send("post", "/api/v1/auth/password-reset")
    link = inbox.next_link("/reset-password")
    client.send("post", "/api/v1/auth/reset-password", filled={"token": token_of(link)})

    invitee = _Inbox(mailbox, client.example("post", "/api/v1/accounts")["email"])
    invited = client.send("post", "/api/v1/accounts", headers=admin)
    assert invited["email"] == invitee.address
    link = invitee.next_link("/set-password")
    client.send("post", "/api/v1/auth/set-password", filled={"token": token_of(link)})

    # The reset's example set the registration's password again: the deletion's example proves it.
    tokens = client.call("post", "/api/v1/auth/token", data=sign_in)
    client.send("delete", "/api/v1/auth/me", headers=_bearer(tokens))

    assert client.sent == _own_operations_with_examples(client.document)
