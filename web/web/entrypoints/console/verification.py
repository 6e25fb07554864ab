"""The verification queue: enterprises waiting for the agency's check, and suspended ones."""

from __future__ import annotations

import asyncio
import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from pydantic import BaseModel, Field

from web.adapters.gateway_client import ApiProblem, ApiUnavailable
from web.entrypoints.console.reference import region_names, sector_names
from web.entrypoints.i18n import N_
from web.entrypoints.rendering import api, render, require_session, see_other
from web.entrypoints.session import require_csrf

router = APIRouter()
Csrf = Depends(require_csrf)
PAGE_SIZE = 20
SHOWN = ("pending", "suspended", "verified")


@router.get("/verification")
async def verification_queue(
    request: Request, status: str = "pending", cursor: str = "", done: str = ""
):
    require_session(request, staff=True)
    context = await _queue_context(request, status=status, cursor=cursor)
    return render(request, "console/verification.html", context | {"done": done})


async def _queue_context(
    request: Request, *, status: str, cursor: str = "", errors: dict | None = None
) -> dict:
    status = status if status in SHOWN else "pending"
    params = {
        "status": status,
        "sort": "created_at",
        "limit": PAGE_SIZE,
        "cursor": cursor[:500] or None,
    }
    page, sectors, regions = await asyncio.gather(
        api(request, "GET", "/enterprises", params=params),
        sector_names(request),
        region_names(request),
    )
    items = page.get("items", [])
    duplicates = await asyncio.gather(*(_possible_duplicates(request, e["id"]) for e in items))
    return {
        "status": status,
        "items": items,
        "duplicates": dict(zip([e["id"] for e in items], duplicates, strict=True)),
        "total": page.get("total", 0),
        "next_cursor": page.get("next_cursor"),
        "sectors": sectors,
        "regions": regions,
        "done": "",
        "errors": errors or {},
        "statuses": SHOWN,
    }


async def _possible_duplicates(request: Request, enterprise_id: str) -> list[dict]:
    try:
        found = await api(request, "GET", f"/enterprises/{enterprise_id}/possible-duplicates")
    except ApiProblem as problem:
        if isinstance(problem, ApiUnavailable):
            raise
        return []
    return found.get("items", [])


@router.post("/enterprises/{enterprise_id}/verify", dependencies=[Csrf])
async def verify(request: Request, enterprise_id: uuid.UUID):
    require_session(request, staff=True)
    await api(request, "POST", f"/enterprises/{enterprise_id}/verify")
    return see_other("/console/verification?done=verified")


class Suspension(BaseModel):
    reason: str = Field("", max_length=2000)  # the company is told it
    from_status: str = Field("pending", max_length=20)  # the list to return to


@router.post("/enterprises/{enterprise_id}/suspend", dependencies=[Csrf])
async def suspend(request: Request, enterprise_id: uuid.UUID, form: Annotated[Suspension, Form()]):
    require_session(request, staff=True)
    if not form.reason.strip():
        reason_needed = N_("Say why the enterprise is suspended: the company is told this reason")
        return await _refused(request, form.from_status, enterprise_id, reason_needed)
    body = {"reason": form.reason.strip()}
    await api(request, "POST", f"/enterprises/{enterprise_id}/suspend", json=body)
    status = form.from_status if form.from_status in SHOWN else "pending"
    return see_other(f"/console/verification?status={status}&done=suspended")


@router.post("/enterprises/{enterprise_id}/reinstate", dependencies=[Csrf])
async def reinstate(request: Request, enterprise_id: uuid.UUID):
    require_session(request, staff=True)
    await api(request, "POST", f"/enterprises/{enterprise_id}/reinstate")
    return see_other("/console/verification?status=suspended&done=reinstated")


async def _refused(request: Request, status: str, enterprise_id: uuid.UUID, message: str):
    context = await _queue_context(request, status=status, errors={str(enterprise_id): message})
    return render(request, "console/verification.html", context, status_code=422)
