"""The delivery log for the agency, and the service's health, readiness and metrics."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import BaseModel

from notifications.entrypoints.caller import Caller, current_caller
from notifications.service_layer.unit_of_work import UnitOfWork

router = APIRouter()


class DeliveryOut(BaseModel):
    id: uuid.UUID
    event_id: uuid.UUID
    enterprise_id: uuid.UUID | None
    recipient: str
    template: str
    language: str
    status: str
    attempts: int
    smtp_message_id: str | None
    last_error: str | None
    created_at: datetime | None
    sent_at: datetime | None


class DeliveryPage(BaseModel):
    items: list[DeliveryOut]
    next_cursor: str | None


@router.get("/deliveries", response_model=DeliveryPage)
async def delivery_log(
    request: Request,
    caller: Annotated[Caller, Depends(current_caller)],
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: Annotated[str | None, Query(pattern=r"^\d+$")] = None,
    status: Literal["queued", "sending", "sent", "failed", "dead"] | None = None,
    template: str | None = None,
    enterprise_id: uuid.UUID | None = None,
):
    if not caller.is_staff:
        raise HTTPException(403, "the delivery log is for the investment agency")
    offset = int(cursor or 0)
    async with UnitOfWork(request.app.state.container.session_factory) as uow:
        items = await uow.deliveries.list(limit=limit + 1, offset=offset, status=status, template=template, enterprise_id=enterprise_id)
    next_cursor = str(offset + limit) if len(items) > limit else None
    return DeliveryPage(items=[DeliveryOut.model_validate(d, from_attributes=True) for d in items[:limit]], next_cursor=next_cursor)


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
