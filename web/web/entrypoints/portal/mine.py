"""Which enterprise a page of "my" listings, suggestions, partners or emails is about, and the
address suffix that keeps it when the company holds more than one enterprise."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from urllib.parse import urlencode

from fastapi import Request

from web.entrypoints.portal.common import chosen_enterprise_id, my_enterprise_ids
from web.entrypoints.rendering import NotAllowed, require_session


@dataclass(frozen=True)
class Scope:
    enterprise_id: str
    query: str  # "?enterprise=<id>" when the address named one, else ""

    def address(self, path: str, **more: str) -> str:
        """A page of this enterprise, with extra query parameters (empty ones left out)."""
        params = ({"enterprise": self.enterprise_id} if self.query else {}) | {
            k: v for k, v in more.items() if v
        }
        return path + ("?" + urlencode(params) if params else "")


async def scope_of(request: Request) -> Scope:
    """The signed-in company's enterprise (?enterprise=<id> or its first). The agency may open a
    company's page too, when the address names the enterprise."""
    session = require_session(request)
    named = request.query_params.get("enterprise", "")
    if session.is_staff:
        try:
            return Scope(str(uuid.UUID(named)), "?enterprise=" + str(uuid.UUID(named)))
        except ValueError:
            raise NotAllowed("not_found") from None
    enterprise_id = await chosen_enterprise_id(request)
    return Scope(enterprise_id, f"?enterprise={enterprise_id}" if named else "")


async def require_own(request: Request, enterprise_id: str) -> None:
    """Another company's record in the address gives the "not yours" page, never its data."""
    if require_session(request).is_staff:
        return
    if str(enterprise_id) not in await my_enterprise_ids(request):
        raise NotAllowed("not_yours")
