"""What the portal's pages share: which enterprise of the signed-in company a page is about."""

from __future__ import annotations

import uuid

from fastapi import Request

from web.entrypoints.rendering import NotAllowed, api, require_session


class NoEnterpriseYet(Exception):
    """The company has an account but has not registered its enterprise yet."""


async def my_enterprise_ids(request: Request) -> list[str]:
    require_session(request)
    account = await api(request, "GET", "/auth/me")
    return list(account.get("enterprise_ids") or [])


async def chosen_enterprise_id(request: Request) -> str:
    """The enterprise named in the address (?enterprise=...), else the company's first one.
    An enterprise the account does not hold is refused with a page, never shown."""
    held = await my_enterprise_ids(request)
    wanted = request.query_params.get("enterprise", "")
    if wanted:
        try:
            wanted = str(uuid.UUID(wanted))
        except ValueError:
            raise NotAllowed("not_yours") from None
        if wanted not in held:
            raise NotAllowed("not_yours")
        return wanted
    if not held:
        raise NoEnterpriseYet()
    return held[0]
