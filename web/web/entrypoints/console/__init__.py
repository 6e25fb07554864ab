"""The investment agency's console: every page needs an agency or admin account."""

from fastapi import APIRouter

from web.entrypoints.console import accounts, dashboard, deliveries, review, verification

router = APIRouter()
for module in (review, verification, dashboard, deliveries, accounts):
    router.include_router(module.router, prefix="/console")
