"""Emails: how the enterprise hears of new suggestions (at once, or in one daily digest), and
stopping those emails or getting them again."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request

from web.entrypoints.portal.mine import scope_of
from web.entrypoints.rendering import api, render, see_other
from web.entrypoints.session import require_csrf

router = APIRouter()
Csrf = Depends(require_csrf)
DONE = ("immediate", "daily", "unsubscribed", "subscribed")


def _path(enterprise_id: str) -> str:
    return f"/enterprises/{enterprise_id}/notification-preferences"


@router.get("/my/notifications")
async def my_notifications(request: Request, done: str = ""):
    scope = await scope_of(request)
    preferences = await api(request, "GET", _path(scope.enterprise_id))
    return render(request, "portal/notifications.html", {"scope": scope, "preferences": preferences, "done": done if done in DONE else ""})


@router.post("/my/notifications", dependencies=[Csrf])
async def change_notifications(request: Request, suggestions: Annotated[str | None, Form(max_length=20)] = None,
                               subscription: Annotated[str | None, Form(max_length=20)] = None):
    """One form sets the rhythm; the other stops or resumes the emails. Each keeps the other's choice."""
    scope = await scope_of(request)
    current = await api(request, "GET", _path(scope.enterprise_id))
    chosen = {"suggestions": current["suggestions"], "unsubscribed": current["unsubscribed"]}
    if suggestions in ("immediate", "daily"):
        chosen["suggestions"], done = suggestions, suggestions
    elif subscription in ("unsubscribe", "subscribe"):
        chosen["unsubscribed"] = subscription == "unsubscribe"
        done = "unsubscribed" if chosen["unsubscribed"] else "subscribed"
    else:
        return see_other(scope.address("/my/notifications"))
    await api(request, "PUT", _path(scope.enterprise_id), json=chosen)
    return see_other(scope.address("/my/notifications", done=done))
