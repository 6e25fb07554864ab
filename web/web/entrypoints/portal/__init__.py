"""The company portal: an account, its enterprise, its listings, suggestions and partners."""

from fastapi import APIRouter

from web.entrypoints.portal import account, enterprise, wizard

router = APIRouter()
for module in (account, wizard, enterprise):
    router.include_router(module.router)
