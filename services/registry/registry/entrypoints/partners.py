"""GET /enterprises/{enterprise_id}/partners: the enterprises it was introduced to, with their
contacts."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field

from registry.domain.actors import Caller
from registry.entrypoints.schemas import INVALID, MANAGERS_ONLY, NOT_FOUND, UNAUTHORIZED
from registry.service_layer import partners as use_cases
from registry.service_layer.unit_of_work import UnitOfWork
from servicekit.internal_token import current_caller
from servicekit.problems import problem_responses

router = APIRouter()


class PartnerOut(BaseModel):
    match_id: uuid.UUID = Field(description="the match through which the two were introduced")
    enterprise_id: uuid.UUID = Field(description="the partner")
    name: str
    country: str
    region: str = Field(description="the region's id")
    city: str
    contact_person: str
    email: str
    phone: str | None
    introduced_at: datetime


class PartnersOut(BaseModel):
    items: list[PartnerOut] = Field(
        description="newest introduction first; deleted or suspended partners are not listed"
    )


@router.get(
    "/enterprises/{enterprise_id}/partners",
    response_model=PartnersOut,
    responses=problem_responses(UNAUTHORIZED, MANAGERS_ONLY, NOT_FOUND, INVALID),
)
async def list_partners(
    enterprise_id: uuid.UUID, caller: Annotated[Caller, Depends(current_caller)], request: Request
):
    """For the enterprise's own company and the agency (403 otherwise; 404 for an unknown or deleted
    enterprise)."""
    uow = UnitOfWork(request.app.state.container.session_factory)
    found = await use_cases.get_all_partners_by_enterprise(
        uow=uow, caller=caller, enterprise_id=enterprise_id
    )
    return PartnersOut(
        items=[PartnerOut.model_validate(partner, from_attributes=True) for partner in found]
    )
