"""A person's account through the gateway's /api/v1/auth routes, as the account stories drive it:
a fresh address, a sign-in and its tokens, what the gateway answers a session's tokens, a password
set through an emailed link, and an account opened on the gateway's command line."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid

import httpx

from devstack.stack import ROOT, Stack

PASSWORD = "a long passphrase"
NEW_PASSWORD = "a new and longer passphrase"


def fresh_email(who: str = "owner") -> str:
    return f"{who}-{uuid.uuid4().hex[:10]}@example.ru"


def token_response(gateway: httpx.Client, email: str, password: str = PASSWORD) -> httpx.Response:
    """The gateway's answer to signing in with the password."""
    return gateway.post("/api/v1/auth/token", data={"username": email, "password": password})


def signed_in(gateway: httpx.Client, email: str, password: str = PASSWORD) -> dict:
    """A fresh sign-in: its access and refresh tokens."""
    response = token_response(gateway, email, password)
    assert response.status_code == 200, response.text
    return response.json()


def bearer(tokens: dict) -> dict[str, str]:
    return {"Authorization": f"Bearer {tokens['access_token']}"}


def me_status(gateway: httpx.Client, tokens: dict) -> int:
    """What the gateway answers the session's access token: 200 while the session lasts."""
    return gateway.get("/api/v1/auth/me", headers=bearer(tokens)).status_code


def refresh_status(gateway: httpx.Client, tokens: dict) -> int:
    """What the gateway answers the session's refresh token traded in (it is spent if 200)."""
    return gateway.post(
        "/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]}
    ).status_code


def token_of(link: str) -> str:
    """The token an emailed link carries."""
    return link.split("?token=", 1)[1]


def password_through_link(
    gateway: httpx.Client, link: str, password: str, *, route: str
) -> httpx.Response:
    """Sets the password with the token of an emailed link, as the web page of `route`
    (reset-password, set-password) does."""
    return gateway.post(
        f"/api/v1/auth/{route}", json={"token": token_of(link), "password": password}
    )


def create_account_on_the_command_line(
    platform: Stack, *, role: str, email: str, password: str, name: str | None = None
) -> subprocess.CompletedProcess:
    """`python -m gateway create-account ...` as an operator runs it with the gateway's settings."""
    named = ["--name", name] if name else []
    return subprocess.run(
        [sys.executable, "-m", "gateway", "create-account", "--role", role, "--email", email]
        + ["--password", password, *named],
        cwd=ROOT,
        env={**os.environ, **platform.service_env("gateway")},
        capture_output=True,
        text=True,
        timeout=60,
    )
