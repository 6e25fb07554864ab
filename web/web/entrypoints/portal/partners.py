"""My partners: the enterprises this one has been introduced to (both sides interested), with
the contacts each side gave the platform."""

from __future__ import annotations

from fastapi import APIRouter, Request

from web.adapters.gateway_client import ApiProblem, ApiUnavailable
from web.entrypoints.portal.mine import scope_of
from web.entrypoints.rendering import api, render

router = APIRouter()


@router.get("/my/partners")
async def my_partners(request: Request):
    scope = await scope_of(request)
    try:
        partners = await api(request, "GET", f"/enterprises/{scope.enterprise_id}/partners")
    except ApiProblem as problem:
        if isinstance(problem, ApiUnavailable):
            raise
        # The API does not give the list (yet): say so calmly rather than fail.
        return render(
            request, "portal/partners.html", {"scope": scope, "items": [], "unavailable": True}
        )
    items = sorted(
        partners.get("items", []), key=lambda p: p.get("introduced_at") or "", reverse=True
    )
    return render(
        request, "portal/partners.html", {"scope": scope, "items": items, "unavailable": False}
    )
