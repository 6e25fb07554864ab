"""The investment agency's console: every page needs an agency or admin account."""

from fastapi import APIRouter, Request

from web.entrypoints.console import accounts, dashboard, deliveries, review, verification
from web.entrypoints.rendering import require_session, see_other

router = APIRouter()
for module in (review, verification, dashboard, deliveries, accounts):
    router.include_router(module.router, prefix="/console")


@router.get("/console")
@router.get("/console/")
async def console_home(request: Request):
    require_session(request, staff=True)
    return see_other("/console/queue")
