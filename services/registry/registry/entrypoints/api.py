"""The registry's HTTP routes: decode, call a use case, encode."""

from __future__ import annotations

import uuid
from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from registry.domain.enterprise import Enterprise
from registry.domain.errors import Forbidden
from registry.entrypoints.caller import Caller, current_caller
from registry.entrypoints.schemas import EnterpriseIn, EnterprisePage, EnterprisePrivate, EnterprisePublic
from registry.service_layer import enterprises as use_cases
from registry.service_layer.unit_of_work import UnitOfWork

router = APIRouter()
CallerDep = Annotated[Caller, Depends(current_caller)]


def unit_of_work(request: Request) -> UnitOfWork:
    return UnitOfWork(request.app.state.container.session_factory)


UowDep = Annotated[UnitOfWork, Depends(unit_of_work)]


def _view(enterprise: Enterprise, caller: Caller) -> EnterprisePublic:
    sees_private = caller.is_staff or caller.owns(enterprise.id) or (
        caller.account_id is not None and caller.account_id == enterprise.owner_account_id
    )
    return EnterprisePrivate.of(enterprise) if sees_private else EnterprisePublic.of(enterprise)


@router.get("/sectors")
async def list_sectors(caller: CallerDep, request: Request):
    reference = request.app.state.container.reference
    return {"version": reference.taxonomy_version, "items": [asdict(sector) for sector in reference.sectors.values()]}


@router.post("/enterprises", status_code=201, response_model=EnterprisePrivate)
async def register_enterprise(body: EnterpriseIn, caller: CallerDep, uow: UowDep, request: Request):
    enterprise = await use_cases.register_enterprise(
        uow=uow,
        reference=request.app.state.container.reference,
        owner_account_id=caller.account_id,
        **body.model_dump(),
    )
    return EnterprisePrivate.of(enterprise)


@router.get("/enterprises", response_model=EnterprisePage)
async def list_enterprises(
    caller: CallerDep,
    uow: UowDep,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: Annotated[str | None, Query(pattern=r"^\d+$")] = None,
    country: Annotated[str | None, Query(pattern=r"^(RU|BY)$")] = None,
    sector: str | None = None,
):
    offset = int(cursor or 0)
    items, total = await use_cases.list_enterprises(uow=uow, limit=limit, offset=offset, country=country, sector=sector)
    next_cursor = str(offset + limit) if offset + limit < total else None
    return EnterprisePage(items=[_view(e, caller) for e in items], total=total, next_cursor=next_cursor)


@router.get("/enterprises/{enterprise_id}", response_model=EnterprisePrivate | EnterprisePublic)
async def get_enterprise(enterprise_id: uuid.UUID, caller: CallerDep, uow: UowDep):
    enterprise = await use_cases.get_enterprise_or_raise(uow=uow, enterprise_id=enterprise_id)
    return _view(enterprise, caller)


@router.post("/enterprises/{enterprise_id}/verify", response_model=EnterprisePrivate)
async def verify_enterprise(enterprise_id: uuid.UUID, caller: CallerDep, uow: UowDep):
    if not caller.is_staff:
        raise Forbidden("only the investment agency verifies enterprises")
    enterprise = await use_cases.verify_enterprise(uow=uow, enterprise_id=enterprise_id, verified_by=caller.account_id or caller.role)
    return EnterprisePrivate.of(enterprise)


health = APIRouter()


@health.get("/healthz")
async def healthz():
    return {"status": "ok"}


@health.get("/readyz")
async def readyz(request: Request):
    container = request.app.state.container
    checks = {"database": await container.database_is_reachable(), "kafka": await container.kafka_is_reachable()}
    ready = all(checks.values())
    return JSONResponse({"status": "ready" if ready else "not ready", "checks": checks}, status_code=200 if ready else 503)


@health.get("/metrics")
async def metrics(request: Request):
    return Response(generate_latest(request.app.state.container.metrics.registry), media_type=CONTENT_TYPE_LATEST)
