"""The delivery log: every email, its status and why it failed; an admin sends dead ones again."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Request

from web.entrypoints.i18n import N_
from web.entrypoints.rendering import api, render, require_session, see_other
from web.entrypoints.session import require_csrf

router = APIRouter()
Csrf = Depends(require_csrf)
STATUSES = (
    "queued",
    "sending",
    "sent",
    "failed",
    "dead",
    "held",
    "bundled",
    "skipped",
    "unconfirmed",
)
# Every email the notifications service sends, with the name a reviewer reads in the log.
TEMPLATES = {
    "welcome": N_("Welcome"),
    "verified": N_("Verified"),
    "suspended": N_("Suspended"),
    "recheck": N_("Check again"),
    "suggestion": N_("Partner suggestion"),
    "suggestion_ended": N_("Suggestion ended"),
    "introduction": N_("Introduction"),
    "digest": N_("Daily digest"),
    "reminder": N_("Reminder"),
    "listing_expiring": N_("Listing about to end"),
    "account_invitation": N_("Account invitation"),
    "account_confirmation": N_("Account confirmation"),
    "password_reset": N_("Password reset"),
    "contact_confirmation": N_("Enterprise address confirmation"),
    "account_exists": N_("Sign-up with a taken address"),
}
PAGE_SIZE = 50


def _day(value: str) -> str:
    try:
        return date.fromisoformat(value[:10]).isoformat()
    except ValueError:
        return ""


@router.get("/deliveries")
async def delivery_log(
    request: Request,
    status: str = "",
    template: str = "",
    enterprise_id: str = "",
    date_from: str = "",
    date_to: str = "",
    cursor: str = "",
    done: str = "",
):
    require_session(request, staff=True)
    chosen = {
        "status": status if status in STATUSES else "",
        "template": template if template in TEMPLATES else "",
        "enterprise_id": enterprise_id.strip()[:36],
        "date_from": _day(date_from),
        "date_to": _day(date_to),
    }
    params = {
        "status": chosen["status"],
        "template": chosen["template"],
        "enterprise_id": chosen["enterprise_id"] or None,
        "created_from": chosen["date_from"] and chosen["date_from"] + "T00:00:00Z",
        "created_until": chosen["date_to"] and chosen["date_to"] + "T23:59:59Z",
        "limit": PAGE_SIZE,
        "cursor": cursor if cursor.isdigit() and len(cursor) < 9 else None,
    }
    page = await api(request, "GET", "/notifications", params=params)
    context = {
        "chosen": chosen,
        "page": page,
        "statuses": STATUSES,
        "templates": TEMPLATES,
        "done": done,
        "next_query": _next_query(chosen, page.get("next_cursor")),
    }
    return render(request, "console/deliveries.html", context)


def _next_query(chosen: dict, next_cursor: str | None) -> str | None:
    if not next_cursor:
        return None
    return urlencode({k: v for k, v in chosen.items() if v} | {"cursor": next_cursor})


@router.post("/deliveries/resend-dead", dependencies=[Csrf])
async def resend_dead(request: Request, template: Annotated[str, Form(max_length=64)] = ""):
    require_session(request, admin=True)
    selection = {"template": template} if template in TEMPLATES else {}
    await api(request, "POST", "/notifications/resend-dead", json=selection)
    return see_other("/console/deliveries?status=dead&done=resent")
