"""The delivery log and re-sending for the agency, email preferences and the unsubscribe link for
companies, and the service's health, readiness and metrics."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated, Literal
from urllib.parse import urlsplit

from fastapi import APIRouter, Body, Depends, HTTPException, Query, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    EmailStr,
    StringConstraints,
    field_validator,
)

from notifications.adapters.links import InvalidLinkToken
from notifications.adapters.repository import DeliveryFilter
from notifications.domain.recipients import Preferences
from notifications.service_layer import handlers
from notifications.service_layer.unit_of_work import UnitOfWork
from servicekit.internal_token import Caller, current_caller
from servicekit.problems import problem_response

router = APIRouter()


def _within_the_calendar(moment: datetime) -> datetime:
    """A moment PostgreSQL takes: with its offset (UTC when it has none), its UTC day within the
    calendar, so an edge such as 0001-01-01T00:00+14:00 is a 422 rather than an overflow."""
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    try:
        year = moment.astimezone(UTC).year
    except OverflowError:
        year = None
    if year is None or not 1900 <= year <= 9998:
        raise ValueError("must be between the years 1900 and 9998")
    return moment


Moment = Annotated[datetime, AfterValidator(_within_the_calendar)]

Status = Literal[
    "queued", "sending", "sent", "failed", "dead", "held", "bundled", "skipped", "unconfirmed"
]


class DeliveryOut(BaseModel):
    id: uuid.UUID
    event_id: uuid.UUID
    enterprise_id: uuid.UUID | None
    recipient: str | None
    template: str
    language: str | None
    status: str
    attempts: int
    smtp_message_id: str | None
    last_error: str | None
    bundled_into: uuid.UUID | None
    created_at: datetime | None
    sent_at: datetime | None


class DeliveryPage(BaseModel):
    items: list[DeliveryOut]
    total: int
    next_cursor: str | None


class ResendRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    template: str | None = None
    enterprise_id: uuid.UUID | None = None
    created_from: Moment | None = None
    created_until: Moment | None = None


class PreferencesIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    suggestions: Literal["immediate", "daily"] = "immediate"
    unsubscribed: bool = False
    # Absent: kept as they are. `language: null` goes back to the enterprise's own first language.
    language: Literal["ru", "be", "en"] | None = None
    reminders: bool = True

    def changes(self) -> dict:
        """The optional choices this request actually made."""
        return {
            name: getattr(self, name)
            for name in ("language", "reminders")
            if name in self.model_fields_set
        }


class PreferencesOut(BaseModel):
    enterprise_id: uuid.UUID
    suggestions: Literal["immediate", "daily"]
    unsubscribed: bool
    unsubscribed_at: datetime | None
    language: Literal["ru", "be", "en"] | None
    reminders: bool

    @classmethod
    def of(cls, preference: Preferences) -> PreferencesOut:
        return cls(
            enterprise_id=preference.enterprise_id,
            suggestions=preference.suggestions.value,
            unsubscribed=preference.unsubscribed,
            unsubscribed_at=preference.unsubscribed_at,
            language=preference.language,
            reminders=preference.reminders,
        )


class PreferencesRead(PreferencesOut):
    # Whether the enterprise's address is confirmed (until then it gets only the confirmation
    # email); null while its registration is not known here yet.
    address_confirmed: bool | None


class AccountInvitationIn(BaseModel):
    """The gateway's request to email a new staff account its invitation."""

    model_config = ConfigDict(extra="forbid")

    invitation_id: uuid.UUID
    email: EmailStr
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    role: Literal["agency", "admin"]
    link: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
    language: Literal["ru", "be", "en"] = "ru"

    @field_validator("link")
    @classmethod
    def _a_web_address(cls, link: str) -> str:
        return _web_address(link)


def _web_address(link: str) -> str:
    parts = urlsplit(link)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("must be an http or https address with a host")
    if any(ch.isspace() or ord(ch) < 32 or ch in '<>"' for ch in link):
        raise ValueError("must not contain spaces, control characters, quotes or angle brackets")
    return link


class AccountEmailIn(BaseModel):
    """The gateway's request to email an account its address confirmation or a password reset."""

    model_config = ConfigDict(extra="forbid")

    request_id: uuid.UUID  # the idempotency key: the same request twice is one email
    email: EmailStr
    link: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
    language: Literal["ru", "be", "en"] = "ru"

    @field_validator("link")
    @classmethod
    def _a_web_address(cls, link: str) -> str:
        return _web_address(link)


class QueuedEmail(BaseModel):
    delivery_id: uuid.UUID
    status: str


def _uow(request: Request) -> UnitOfWork:
    return UnitOfWork(request.app.state.container.session_factory)


@router.get("/deliveries", response_model=DeliveryPage)
async def delivery_log(
    request: Request,
    caller: Annotated[Caller, Depends(current_caller)],
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: Annotated[
        str | None, Query(pattern=r"^[0-9]{1,9}$")
    ] = None,  # an offset within what PostgreSQL takes
    status: Status | None = None,
    template: str | None = None,
    enterprise_id: uuid.UUID | None = None,
    created_from: Moment | None = None,
    created_until: Moment | None = None,
):
    if not caller.is_staff:
        raise HTTPException(403, "the delivery log is for the investment agency")
    offset = int(cursor or 0)
    selection = DeliveryFilter(status, template, enterprise_id, created_from, created_until)
    async with _uow(request) as uow:
        items, total = await uow.deliveries.list(selection, limit=limit, offset=offset)
    next_cursor = str(offset + limit) if offset + limit < total else None
    return DeliveryPage(
        items=[DeliveryOut.model_validate(d, from_attributes=True) for d in items],
        total=total,
        next_cursor=next_cursor,
    )


@router.post("/deliveries/resend-dead")
async def resend_dead(
    request: Request,
    caller: Annotated[Caller, Depends(current_caller)],
    selection: Annotated[ResendRequest | None, Body()] = None,
):
    if caller.role != "admin":
        raise HTTPException(403, "only an admin re-sends dead emails")
    selection = selection or ResendRequest()
    count = await handlers.resend_dead(DeliveryFilter(**selection.model_dump()), uow=_uow(request))
    request.app.state.container.sender_wakeup.set()
    return {"requeued": count}


@router.post("/emails/account-invitation", status_code=202, response_model=QueuedEmail)
async def send_account_invitation(
    request: Request,
    caller: Annotated[Caller, Depends(current_caller)],
    invitation: AccountInvitationIn,
):
    """For the gateway, when an admin opens a staff account: one email per invitation_id, however
    often it is asked for (a repeat answers the same delivery, at its current status)."""
    if caller.role != "admin":
        raise HTTPException(403, "only an admin's request sends account invitations")
    delivery = await handlers.invite_to_account(uow=_uow(request), **invitation.model_dump())
    request.app.state.container.sender_wakeup.set()
    return QueuedEmail(delivery_id=delivery.id, status=delivery.status)


# The role of the gateway's internal token when it asks on its own behalf (a sign-up, a forgotten
# password): no person's account holds it, so no forwarded request can carry it.
GATEWAY_ROLE = "gateway"


@router.post("/emails/account-confirmation", status_code=202, response_model=QueuedEmail)
async def send_account_confirmation(
    request: Request, caller: Annotated[Caller, Depends(current_caller)], email: AccountEmailIn
):
    """For the gateway, when a company signs up: the link that confirms the account's address."""
    return await _email_account(request, caller, "account_confirmation", email)


@router.post("/emails/password-reset", status_code=202, response_model=QueuedEmail)
async def send_password_reset(
    request: Request, caller: Annotated[Caller, Depends(current_caller)], email: AccountEmailIn
):
    """For the gateway, when someone asks to reset an account's password: its one-time link."""
    return await _email_account(request, caller, "password_reset", email)


@router.post("/emails/account-exists", status_code=202, response_model=QueuedEmail)
async def send_account_exists(
    request: Request, caller: Annotated[Caller, Depends(current_caller)], email: AccountEmailIn
):
    """For the gateway, when someone registers with an address that has an account: its owner is
    told (the one registering is not), with the link to a new password in case it was them."""
    return await _email_account(request, caller, "account_exists", email)


async def _email_account(
    request: Request, caller: Caller, template: str, email: AccountEmailIn
) -> QueuedEmail:
    if caller.role != GATEWAY_ROLE:
        raise HTTPException(403, "only the gateway sends an account's own emails")
    delivery = await handlers.email_account(
        uow=_uow(request), template=template, **email.model_dump()
    )
    request.app.state.container.sender_wakeup.set()
    return QueuedEmail(delivery_id=delivery.id, status=delivery.status)


def _may_manage(caller: Caller, enterprise_id: uuid.UUID) -> None:
    if not (caller.is_staff or caller.owns(enterprise_id)):
        raise HTTPException(
            403, "only the enterprise's own account or the agency manages its email preferences"
        )


@router.get("/preferences/{enterprise_id}", response_model=PreferencesRead)
async def read_preferences(
    enterprise_id: uuid.UUID, request: Request, caller: Annotated[Caller, Depends(current_caller)]
):
    _may_manage(caller, enterprise_id)
    preferences = PreferencesOut.of(
        await handlers.get_preferences(enterprise_id, uow=_uow(request))
    )
    confirmed = await handlers.address_confirmed(enterprise_id, uow=_uow(request))
    return PreferencesRead(**preferences.model_dump(), address_confirmed=confirmed)


@router.put("/preferences/{enterprise_id}", response_model=PreferencesOut)
async def change_preferences(
    enterprise_id: uuid.UUID,
    choice: PreferencesIn,
    request: Request,
    caller: Annotated[Caller, Depends(current_caller)],
):
    _may_manage(caller, enterprise_id)
    preference = await handlers.change_preferences(
        enterprise_id,
        suggestions=choice.suggestions,
        unsubscribed=choice.unsubscribed,
        uow=_uow(request),
        **choice.changes(),
    )
    return PreferencesOut.of(preference)


@router.get("/unsubscribe", response_model=PreferencesOut)
async def unsubscribe(
    request: Request,
    caller: Annotated[Caller, Depends(current_caller)],
    token: Annotated[str, Query(min_length=10)],
):
    """Anyone holding the signed link of an email may stop that enterprise's non-transactional mail."""
    try:
        enterprise_id = request.app.state.container.links.unsubscribing_enterprise(token)
    except InvalidLinkToken as error:
        reason = f"the unsubscribe link is invalid or expired: {error}"
        return problem_response(422, reason, errors=[{"field": "token", "reason": reason}])
    return PreferencesOut.of(await handlers.unsubscribe(enterprise_id, uow=_uow(request)))


ONE_CLICK = b"List-Unsubscribe=One-Click"


class ContactConfirmationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    token: Annotated[str, StringConstraints(min_length=10, max_length=2000)]


class ContactConfirmationOut(BaseModel):
    enterprise_id: uuid.UUID
    email: str
    confirmed: bool


@router.post("/contact-confirmations", response_model=ContactConfirmationOut)
async def confirm_contact(
    request: Request,
    caller: Annotated[Caller, Depends(current_caller)],
    confirmation: ContactConfirmationIn,
):
    """Anyone holding the link of a contact_confirmation email confirms that the enterprise's address
    is theirs; the emails kept for it go out. Following it twice is harmless."""
    try:
        enterprise_id, email = request.app.state.container.links.confirming_contact(
            confirmation.token
        )
    except InvalidLinkToken as error:
        reason = f"the confirmation link is invalid or expired: {error}"
        return problem_response(422, reason, errors=[{"field": "token", "reason": reason}])
    if not await handlers.confirm_contact(
        uow=_uow(request), enterprise_id=enterprise_id, email=email
    ):
        return problem_response(
            409,
            "the enterprise's email address is another one by now (or the enterprise was deleted); "
            "its new address gets a link of its own",
        )
    request.app.state.container.sender_wakeup.set()  # the emails kept for the address go out now
    return ContactConfirmationOut(enterprise_id=enterprise_id, email=email, confirmed=True)


@router.post("/unsubscribe", response_model=PreferencesOut)
async def unsubscribe_in_one_click(
    request: Request,
    caller: Annotated[Caller, Depends(current_caller)],
    token: Annotated[str, Query(min_length=10)],
):
    """RFC 8058's one-click unsubscribe: the mail provider POSTs `List-Unsubscribe=One-Click`
    (application/x-www-form-urlencoded) to the List-Unsubscribe address, with no cookie or sign-in.
    The body is read raw, whatever type the gateway relays it as."""
    if (await request.body()).strip() != ONE_CLICK:
        reason = "the body must be List-Unsubscribe=One-Click"
        return problem_response(
            422, reason, errors=[{"field": "List-Unsubscribe", "reason": reason}]
        )
    return await unsubscribe(request, caller, token)


health = APIRouter()


@health.get("/healthz")
async def healthz():
    return {"status": "ok"}


@health.get("/readyz")
async def readyz(request: Request):
    container = request.app.state.container
    checks = {
        "database": await container.database_is_reachable(),
        "kafka": await container.kafka_is_reachable(),
    }
    ready = all(checks.values())
    return JSONResponse(
        {"status": "ready" if ready else "not ready", "checks": checks},
        status_code=200 if ready else 503,
    )


@health.get("/metrics")
async def metrics(request: Request):
    container = request.app.state.container
    try:
        async with _uow(request) as uow:
            for status, count in (await uow.deliveries.count_by_status()).items():
                container.metrics.deliveries.labels(status).set(count)
    except Exception:  # the counters and latencies are still worth serving without the database
        pass
    return Response(generate_latest(container.metrics.registry), media_type=CONTENT_TYPE_LATEST)
