"""The delivery log and re-sending for the agency, email preferences and the unsubscribe link for
companies (health, readiness and metrics: servicekit.health, wired in bootstrap.py)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Body, Depends, HTTPException, Query, Request

from notifications.domain.deliveries import DeliveryFilter
from notifications.entrypoints.schemas import (
    ADDRESS_CHANGED,
    ADMIN_ONLY,
    GATEWAY_ONLY,
    INVALID,
    INVALID_LINK,
    MANAGERS_ONLY,
    STAFF_ONLY,
    TOO_LARGE,
    UNAUTHORIZED,
    AccountEmailIn,
    AccountInvitationIn,
    ContactConfirmationIn,
    ContactConfirmationOut,
    DeliveryOut,
    DeliveryPage,
    Moment,
    OneClickUnsubscribeIn,
    PreferencesIn,
    PreferencesOut,
    PreferencesRead,
    QueuedEmail,
    ResendOut,
    ResendRequest,
    Status,
)
from notifications.service_layer import account_emails, confirmations, deliveries, preferences
from notifications.service_layer.ports import InvalidLinkToken
from notifications.service_layer.unit_of_work import UnitOfWork
from servicekit.internal_token import Caller, current_caller
from servicekit.problems import problem_response, problem_responses

router = APIRouter(responses=problem_responses(UNAUTHORIZED))


def _uow(request: Request) -> UnitOfWork:
    return UnitOfWork(request.app.state.container.session_factory)


@router.get("/deliveries", responses=problem_responses(STAFF_ONLY, INVALID))
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
) -> DeliveryPage:
    if not caller.is_staff:
        raise HTTPException(403, "the delivery log is for the investment agency")
    offset = int(cursor or 0)
    selection = DeliveryFilter(status, template, enterprise_id, created_from, created_until)
    items, total = await deliveries.get_page(
        uow=_uow(request), selection=selection, limit=limit, offset=offset
    )
    next_cursor = str(offset + limit) if offset + limit < total else None
    return DeliveryPage(
        items=[DeliveryOut.model_validate(d, from_attributes=True) for d in items],
        total=total,
        next_cursor=next_cursor,
    )


@router.post("/deliveries/resend-dead", responses=problem_responses(ADMIN_ONLY, TOO_LARGE, INVALID))
async def resend_dead(
    request: Request,
    caller: Annotated[Caller, Depends(current_caller)],
    selection: Annotated[ResendRequest | None, Body()] = None,
) -> ResendOut:
    if caller.role != "admin":
        raise HTTPException(403, "only an admin re-sends dead emails")
    selection = selection or ResendRequest()
    count = await deliveries.resend_dead(
        uow=_uow(request), selection=DeliveryFilter(**selection.model_dump())
    )
    request.app.state.container.sender_wakeup.set()
    return ResendOut(requeued=count)


def _queues_email(path: str, *, asked_by: tuple[int, str]):
    """A route that queues one email (202) and answers with its delivery; only `asked_by` may."""
    return router.post(
        path,
        status_code=202,
        response_model=QueuedEmail,
        responses=problem_responses(asked_by, TOO_LARGE, INVALID),
    )


@_queues_email("/emails/account-invitation", asked_by=ADMIN_ONLY)
async def send_account_invitation(
    request: Request,
    caller: Annotated[Caller, Depends(current_caller)],
    invitation: AccountInvitationIn,
):
    """For the gateway, when an admin opens a staff account: one email per invitation_id, however
    often it is asked for (a repeat answers the same delivery, at its current status)."""
    if caller.role != "admin":
        raise HTTPException(403, "only an admin's request sends account invitations")
    delivery = await account_emails.invite_to_account(uow=_uow(request), **invitation.model_dump())
    request.app.state.container.sender_wakeup.set()
    return QueuedEmail(delivery_id=delivery.id, status=delivery.status)


# The role of the gateway's internal token when it asks on its own behalf (a sign-up, a forgotten
# password): no person's account holds it, so no forwarded request can carry it.
GATEWAY_ROLE = "gateway"


@_queues_email("/emails/account-confirmation", asked_by=GATEWAY_ONLY)
async def send_account_confirmation(
    request: Request, caller: Annotated[Caller, Depends(current_caller)], email: AccountEmailIn
):
    """For the gateway, when a company signs up: the link that confirms the account's address."""
    return await _email_account(request, caller, "account_confirmation", email)


@_queues_email("/emails/password-reset", asked_by=GATEWAY_ONLY)
async def send_password_reset(
    request: Request, caller: Annotated[Caller, Depends(current_caller)], email: AccountEmailIn
):
    """For the gateway, when someone asks to reset an account's password: its one-time link."""
    return await _email_account(request, caller, "password_reset", email)


@_queues_email("/emails/account-exists", asked_by=GATEWAY_ONLY)
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
    delivery = await account_emails.email_account(
        uow=_uow(request), template=template, **email.model_dump()
    )
    request.app.state.container.sender_wakeup.set()
    return QueuedEmail(delivery_id=delivery.id, status=delivery.status)


def _may_manage(caller: Caller, enterprise_id: uuid.UUID) -> None:
    if not (caller.is_staff or caller.owns(enterprise_id)):
        raise HTTPException(
            403, "only the enterprise's own account or the agency manages its email preferences"
        )


@router.get("/preferences/{enterprise_id}", responses=problem_responses(MANAGERS_ONLY, INVALID))
async def read_preferences(
    enterprise_id: uuid.UUID, request: Request, caller: Annotated[Caller, Depends(current_caller)]
) -> PreferencesRead:
    _may_manage(caller, enterprise_id)
    chosen = PreferencesOut.of(
        await preferences.get(uow=_uow(request), enterprise_id=enterprise_id)
    )
    confirmed = await confirmations.get_address_confirmed(
        uow=_uow(request), enterprise_id=enterprise_id
    )
    return PreferencesRead(**chosen.model_dump(), address_confirmed=confirmed)


@router.put(
    "/preferences/{enterprise_id}", responses=problem_responses(MANAGERS_ONLY, TOO_LARGE, INVALID)
)
async def change_preferences(
    enterprise_id: uuid.UUID,
    choice: PreferencesIn,
    request: Request,
    caller: Annotated[Caller, Depends(current_caller)],
) -> PreferencesOut:
    _may_manage(caller, enterprise_id)
    preference = await preferences.change(
        uow=_uow(request),
        enterprise_id=enterprise_id,
        suggestions=choice.suggestions,
        unsubscribed=choice.unsubscribed,
        **choice.changes(),
    )
    return PreferencesOut.of(preference)


@router.get(
    "/unsubscribe", response_model=PreferencesOut, responses=problem_responses(INVALID_LINK)
)
async def unsubscribe(
    request: Request,
    caller: Annotated[Caller, Depends(current_caller)],
    token: Annotated[str, Query(min_length=10)],
):
    """Anyone holding the signed link of an email may stop that enterprise's non-transactional
    mail."""
    try:
        preference = await preferences.unsubscribe_by_link(
            uow=_uow(request), links=request.app.state.container.links, token=token
        )
    except InvalidLinkToken as error:
        reason = f"the unsubscribe link is invalid or expired: {error}"
        return problem_response(422, reason, errors=[{"field": "token", "reason": reason}])
    return PreferencesOut.of(preference)


ONE_CLICK = b"List-Unsubscribe=One-Click"
# Documented, not parsed: the route reads the body raw.
ONE_CLICK_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/x-www-form-urlencoded": {
                "schema": OneClickUnsubscribeIn.model_json_schema(by_alias=True)
            }
        },
    }
}


@router.post(
    "/contact-confirmations",
    response_model=ContactConfirmationOut,
    responses=problem_responses(ADDRESS_CHANGED, TOO_LARGE, INVALID_LINK),
)
async def confirm_contact(
    request: Request,
    caller: Annotated[Caller, Depends(current_caller)],
    confirmation: ContactConfirmationIn,
):
    """Anyone holding the link of a contact_confirmation email confirms that the enterprise's
    address is theirs; the emails kept for it go out. Following it twice is harmless."""
    try:
        enterprise_id, email = await confirmations.confirm_contact_by_link(
            uow=_uow(request), links=request.app.state.container.links, token=confirmation.token
        )
    except InvalidLinkToken as error:
        reason = f"the confirmation link is invalid or expired: {error}"
        return problem_response(422, reason, errors=[{"field": "token", "reason": reason}])
    except confirmations.AddressChanged:
        return problem_response(
            409,
            "the enterprise's email address is another one by now (or the enterprise was deleted); "
            "its new address gets a link of its own",
        )
    request.app.state.container.sender_wakeup.set()  # the emails kept for the address go out now
    return ContactConfirmationOut(enterprise_id=enterprise_id, email=email, confirmed=True)


@router.post(
    "/unsubscribe",
    response_model=PreferencesOut,
    responses=problem_responses(TOO_LARGE, INVALID_LINK),
    openapi_extra=ONE_CLICK_BODY,
)
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
