"""What the gateway's account-store stories share: the use cases they call again and again, with
the one password and the one-day refresh lifetime the stories use, and racing attempts."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from datetime import timedelta

from gateway.service_layer import accounts

PASSWORD = "a long passphrase"
DAY = timedelta(days=1)


async def sign_in(
    uow, passwords, access_tokens, *, refresh_ttl: timedelta = DAY, **credentials: str
) -> accounts.Tokens:
    """Signs in with the `email` and `password` in `credentials`."""
    ports = dict(uow=uow, passwords=passwords, access_tokens=access_tokens)
    return await accounts.sign_in(**ports, refresh_ttl=refresh_ttl, **credentials)


async def refresh(uow, access_tokens, *, refresh_token: str) -> accounts.Tokens:
    return await accounts.refresh(
        uow=uow, access_tokens=access_tokens, refresh_ttl=DAY, refresh_token=refresh_token
    )


async def set_password(uow, passwords, password_links, **link_and_password: str):
    """Sets the password the `token` of a password link allows."""
    ports = dict(uow=uow, passwords=passwords, password_links=password_links)
    return await accounts.set_password(**ports, **link_and_password)


async def racing(*attempts: Awaitable) -> list:
    """The attempts run at once; what each returned or raised, in their order."""
    return await asyncio.gather(*attempts, return_exceptions=True)
