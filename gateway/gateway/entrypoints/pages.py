"""The web pages that the emails link to: a partner suggestion to answer, an enterprise's public
profile, the welcome email's address confirmation and the unsubscribe link. Each is a server-rendered shell; its one script (served from here, never inline, so the
page's CSP can stay at 'self') calls the public API /api/v1 from the browser with the user's own token."""

from __future__ import annotations

import uuid
from pathlib import Path

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse
from fastapi.templating import Jinja2Templates

_PACKAGE = Path(__file__).resolve().parents[1]
_templates = Jinja2Templates(directory=_PACKAGE / "templates")
_STATIC = {"pages.js": "text/javascript", "pages.css": "text/css"}

pages = APIRouter(include_in_schema=False)


@pages.get("/suggestions/{match_id}", response_class=HTMLResponse)
async def suggestion_page(request: Request, match_id: uuid.UUID):
    return _templates.TemplateResponse(request, "suggestion.html", {"match_id": str(match_id)})


@pages.get("/enterprises/{enterprise_id}", response_class=HTMLResponse)
async def enterprise_page(request: Request, enterprise_id: uuid.UUID):
    return _templates.TemplateResponse(request, "enterprise.html", {"enterprise_id": str(enterprise_id)})


# These pages carry a signed token of the email's link: no cache, shared or private, may keep it.
_NO_STORE = {"Cache-Control": "no-store"}


@pages.get("/confirm", response_class=HTMLResponse)
async def confirm_page(request: Request, token: str = ""):
    # The token reaches the script only through an autoescaped data attribute.
    return _templates.TemplateResponse(request, "confirm.html", {"token": token}, headers=_NO_STORE)


@pages.get("/unsubscribe", response_class=HTMLResponse)
async def unsubscribe_page(request: Request, token: str = ""):
    # Rendering does not unsubscribe: the page's script does (see pages.js), so a mail scanner
    # that fetches the link without running scripts changes nobody's preferences.
    return _templates.TemplateResponse(request, "unsubscribe.html", {"token": token}, headers=_NO_STORE)


@pages.get("/static/{name}")
async def static_file(name: str):
    # Only the files named here: a path from the request never reaches the file system.
    if name not in _STATIC:
        raise HTTPException(404, "no such file")
    return FileResponse(_PACKAGE / "static" / name, media_type=_STATIC[name], headers={"Cache-Control": "no-cache"})
