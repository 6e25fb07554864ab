"""The company portal: an account, its enterprise, its listings, suggestions and partners."""

from fastapi import APIRouter

from web.entrypoints.portal import (
    account,
    enterprise,
    listings,
    notifications,
    partners,
    suggestions,
    wizard,
)

router = APIRouter()
for module in (account, wizard, enterprise, listings, suggestions, partners, notifications):
    router.include_router(module.router)
