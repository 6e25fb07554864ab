"""Emails: how the enterprise hears of new suggestions (at once, or in one daily digest), the
language of every email to it (its usual one, or Russian, Belarusian or English), whether it is
reminded of suggestions it has not answered, and stopping those emails or getting them again."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request

from web.entrypoints.portal.mine import scope_of
from web.entrypoints.rendering import api, render, see_other
from web.entrypoints.session import require_csrf

router = APIRouter()
Csrf = Depends(require_csrf)
DONE = ("immediate", "daily", "unsubscribed", "subscribed")
USUAL_LANGUAGE = "usual"  # the enterprise's own first language, as before any choice
EMAIL_LANGUAGES = ("ru", "be", "en")


def _path(enterprise_id: str) -> str:
    return f"/enterprises/{enterprise_id}/notification-preferences"


@router.get("/my/notifications")
async def my_notifications(request: Request, done: str = ""):
    scope = await scope_of(request)
    preferences = await api(request, "GET", _path(scope.enterprise_id))
    return render(
        request,
        "portal/notifications.html",
        {"scope": scope, "preferences": preferences, "done": done if done in DONE else ""},
    )


@router.post("/my/notifications", dependencies=[Csrf])
async def change_notifications(
    request: Request,
    suggestions: Annotated[str | None, Form(max_length=20)] = None,
    subscription: Annotated[str | None, Form(max_length=20)] = None,
    language: Annotated[str | None, Form(max_length=20)] = None,
    reminders: Annotated[str | None, Form(max_length=20)] = None,
):
    """One form sets the rhythm, the language and the reminders; the other stops or resumes the
    emails. Each keeps the other's choice, and a choice the form did not send stays as it is."""
    scope = await scope_of(request)
    current = await api(request, "GET", _path(scope.enterprise_id))
    chosen = {"suggestions": current["suggestions"], "unsubscribed": current["unsubscribed"]}
    if suggestions in ("immediate", "daily"):
        chosen["suggestions"], done = suggestions, suggestions
        if language == USUAL_LANGUAGE or language in EMAIL_LANGUAGES:
            chosen["language"] = None if language == USUAL_LANGUAGE else language
        if reminders in ("on", "off"):
            chosen["reminders"] = reminders == "on"
    elif subscription in ("unsubscribe", "subscribe"):
        chosen["unsubscribed"] = subscription == "unsubscribe"
        done = "unsubscribed" if chosen["unsubscribed"] else "subscribed"
    else:
        return see_other(scope.address("/my/notifications"))
    await api(request, "PUT", _path(scope.enterprise_id), json=chosen)
    return see_other(scope.address("/my/notifications", done=done))
