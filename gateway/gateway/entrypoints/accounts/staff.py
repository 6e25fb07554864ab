"""The agency's accounts, run by an admin: list them, open one (the person gets an emailed link to
set a password), send the link again, disable and enable. Staff read a name by account id, so a
console can say who approved a match. Answered by the gateway itself, never forwarded."""

from __future__ import annotations

from datetime import datetime
from functools import partial
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from pydantic import BaseModel, EmailStr, Field

from gateway.domain.access import Access
from gateway.domain.accounts import MAX_NAME_LENGTH, STAFF_ROLES, Account, Role
from gateway.domain.errors import UnknownAccount
from gateway.entrypoints.door import admit
from gateway.entrypoints.openapi import access_openapi, access_responses, request_body
from gateway.entrypoints.problems import sign_in_required
from gateway.service_layer import accounts
from gateway.service_layer.unit_of_work import UnitOfWork
from servicekit.internal_token import Caller

staff_accounts = APIRouter(prefix="/api/v1/accounts", tags=["accounts"])

_ROLE_FILTERS: dict[str, frozenset[Role]] = {
    "agency": frozenset({Role.AGENCY}),
    "admin": frozenset({Role.ADMIN}),
    "staff": STAFF_ROLES,
}
AccountId = Annotated[str, Path(max_length=100, description="the account's id (a UUID)")]


class StaffAccountOut(BaseModel):
    id: str
    email: str
    name: str | None
    role: str
    disabled: bool
    disabled_at: datetime | None
    password_set: bool  # false until the person sets one through the emailed link
    created_at: datetime
    confirmed: bool

    @classmethod
    def of(cls, account: Account) -> StaffAccountOut:
        return cls.model_validate(account, from_attributes=True)


class InvitedAccountOut(StaffAccountOut):
    # Always true now: the email is kept in the account's transaction and goes out whenever the
    # notifications service takes it. Still answered for the clients that read it.
    invitation_sent: bool

    @classmethod
    def invited(cls, account: Account) -> InvitedAccountOut:
        return cls(**StaffAccountOut.of(account).model_dump(), invitation_sent=True)


class StaffAccountPage(BaseModel):
    items: list[StaffAccountOut]
    total: int
    next_cursor: str | None


class NewStaffAccount(BaseModel):
    model_config = request_body(
        {
            "email": "a.smirnova@invest-smolensk.example.ru",
            "name": "Анна Смирнова",
            "role": "agency",
        }
    )

    email: EmailStr
    name: Annotated[str, Field(min_length=1, max_length=MAX_NAME_LENGTH)]
    role: Literal["agency", "admin"]


class AccountNameOut(BaseModel):
    id: str
    name: str | None
    email: str
    role: str


def _uow(request: Request) -> UnitOfWork:
    # With the session cache, so a disable ends the account's access tokens on this instance at
    # once.
    return request.app.state.container.unit_of_work()


async def _admin(request: Request) -> Caller:
    """An admin whose account is still enabled: an access token outlives a disable by up to its
    lifetime, and these routes change who may sign in."""
    caller = await admit(request, Access.ADMIN)
    try:
        account = await accounts.get_account_or_raise(
            uow=_uow(request), account_id=caller.account_id
        )
    except UnknownAccount:
        raise sign_in_required("the account of this token no longer exists") from None
    if account.disabled:
        raise sign_in_required("this account is disabled")
    return caller


async def _staff(request: Request) -> Caller:
    return await admit(request, Access.STAFF)


Admin = Annotated[Caller, Depends(_admin)]
Staff = Annotated[Caller, Depends(_staff)]


def _documented(access: Access) -> dict:
    """What a route's OpenAPI says of its callers: who may call it, and the door's refusals."""
    return {"openapi_extra": access_openapi(access), "responses": access_responses(access)}


_admin_get = partial(staff_accounts.get, **_documented(Access.ADMIN))
_admin_post = partial(staff_accounts.post, **_documented(Access.ADMIN))
_staff_get = partial(staff_accounts.get, **_documented(Access.STAFF))


@_admin_get("", summary="The agency's and admins' accounts, newest first")
async def list_accounts(
    request: Request,
    caller: Admin,
    role: Annotated[
        Literal["agency", "admin", "staff"], Query(description="agency, admin, or staff (both)")
    ] = "staff",
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: Annotated[
        str | None, Query(max_length=500, description="next_cursor of the previous page, as given")
    ] = None,
) -> StaffAccountPage:
    page = await accounts.get_page_of_staff_accounts(
        uow=_uow(request), roles=_ROLE_FILTERS[role], limit=limit, cursor=cursor
    )
    return StaffAccountPage(
        items=[StaffAccountOut.of(a) for a in page.items],
        total=page.total,
        next_cursor=page.next_cursor,
    )


@_admin_post(
    "",
    status_code=201,
    summary="Open an agency or admin account; its person gets an emailed link to set a password",
)
async def open_account(body: NewStaffAccount, request: Request, caller: Admin) -> InvitedAccountOut:
    account = await accounts.invite_account(
        uow=_uow(request),
        invitations=request.app.state.container.invitations,
        email=body.email,
        name=body.name,
        role=Role(body.role),
        invited_by=caller.account_id,
    )
    return InvitedAccountOut.invited(account)


@_staff_get("/{account_id}", summary="Who an account is: its name, email and role")
async def get_account(account_id: AccountId, request: Request, caller: Staff) -> AccountNameOut:
    account = await accounts.get_account_or_raise(uow=_uow(request), account_id=account_id)
    return AccountNameOut.model_validate(account, from_attributes=True)


@_admin_post(
    "/{account_id}/invitation", summary="Email the account a fresh link to set its password"
)
async def send_invitation(
    account_id: AccountId, request: Request, caller: Admin
) -> InvitedAccountOut:
    account = await accounts.send_invitation(
        uow=_uow(request),
        invitations=request.app.state.container.invitations,
        account_id=account_id,
        sent_by=caller.account_id,
    )
    return InvitedAccountOut.invited(account)


@_admin_post(
    "/{account_id}/disable",
    summary="Disable an account: it can no longer sign in, and its sessions end",
)
async def disable_account(
    account_id: AccountId, request: Request, caller: Admin
) -> StaffAccountOut:
    account = await accounts.disable_account(
        uow=_uow(request), account_id=account_id, disabled_by=caller.account_id
    )
    return StaffAccountOut.of(account)


@_admin_post("/{account_id}/enable", summary="Enable a disabled account again")
async def enable_account(account_id: AccountId, request: Request, caller: Admin) -> StaffAccountOut:
    account = await accounts.enable_account(uow=_uow(request), account_id=account_id)
    return StaffAccountOut.of(account)
