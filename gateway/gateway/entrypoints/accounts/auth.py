"""Accounts at the door: company self-registration (the confirmation link is emailed to the new
account's address), email confirmation, the OAuth2 password flow with refresh tokens, sign-out
(here or everywhere), who am I, setting a password through an invitation's link, a forgotten
password's reset link, and changing one's password."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Annotated, Literal

from fastapi import APIRouter, BackgroundTasks, Depends, Query, Request, Response
from fastapi.security import OAuth2PasswordRequestForm
from pydantic import AfterValidator, BaseModel, ConfigDict, EmailStr, Field

from gateway.domain.accounts import (
    MAX_PASSWORD_LENGTH,
    MIN_PASSWORD_LENGTH,
    Account,
    normalize_email,
)
from gateway.domain.errors import InvalidInput, InvalidToken, UnknownAccount
from gateway.entrypoints.door import signed_in_caller
from gateway.entrypoints.openapi import PROBLEM_RESPONSES, request_body
from gateway.entrypoints.problems import rate_limited, sign_in_required
from gateway.service_layer import accounts
from gateway.service_layer.unit_of_work import UnitOfWork
from servicekit.internal_token import Caller
from servicekit.problems import Problem, database_unavailable

auth = APIRouter(prefix="/api/v1/auth", tags=["accounts"], responses=PROBLEM_RESPONSES)
_NO_STORE = {
    "Cache-Control": "no-store",
    "Pragma": "no-cache",
}  # tokens must not sit in caches (RFC 6749 5.1)
_SIGNED_IN = {"openapi_extra": {"security": [{"OAuth2": []}]}}
SignedIn = Annotated[Caller, Depends(signed_in_caller)]
Language = Literal["ru", "be", "en"]


class Registration(BaseModel):
    model_config = request_body(
        {"email": "lift@example.ru", "password": "a long passphrase", "language": "ru"}
    )

    email: EmailStr
    password: Annotated[str, Field(min_length=MIN_PASSWORD_LENGTH, max_length=MAX_PASSWORD_LENGTH)]
    language: Language = Field("ru", description="the language of the confirmation email")


class ConfirmIn(BaseModel):
    model_config = request_body({"token": "<the token of the emailed link>"})

    token: Annotated[str, Field(min_length=1, max_length=2000)]


class PasswordResetIn(BaseModel):
    model_config = request_body({"email": "lift@example.ru", "language": "ru"})

    email: EmailStr
    language: Language = Field("ru", description="the language of the email")


class RegistrationOut(BaseModel):
    status: Literal["accepted"] = "accepted"
    detail: str


class DeleteAccountIn(BaseModel):
    model_config = request_body({"current_password": "a long passphrase"})

    current_password: Annotated[str, Field(max_length=1000)]


class PasswordResetOut(BaseModel):
    status: Literal["accepted"] = "accepted"
    detail: str


class ChangePasswordIn(BaseModel):
    model_config = request_body(
        {
            "current_password": "a long passphrase",
            "new_password": "another long passphrase",
            "keep_refresh_token": "<your own refresh token>",
        }
    )

    current_password: Annotated[str, Field(max_length=1000)]
    # The length rules are the domain's (a 422 naming `new_password`).
    new_password: Annotated[str, Field(max_length=1000)]
    keep_refresh_token: Annotated[
        str | None,
        Field(
            min_length=1,
            max_length=200,
            description="this session's refresh token: it goes on working",
        ),
    ] = None


class AccountOut(BaseModel):
    id: str
    email: str
    name: str | None
    role: str
    confirmed: bool
    confirmed_at: datetime | None
    enterprise_ids: Annotated[list[str], AfterValidator(sorted)]

    @classmethod
    def of(cls, account: Account) -> AccountOut:
        return cls.model_validate(account, from_attributes=True)


class TokensOut(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_in: int
    refresh_token: str
    role: str


class SetPasswordIn(BaseModel):
    model_config = request_body(
        {"token": "<the token of the emailed link>", "password": "a long passphrase"}
    )

    token: Annotated[str, Field(min_length=1, max_length=2000)]
    # The length rules are the domain's (a 422 naming `password`, like registration's).
    password: Annotated[str, Field(max_length=1000)]


class RefreshIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    refresh_token: Annotated[str, Field(min_length=1, max_length=200)]


def _registration_allowed(request: Request) -> None:
    """Each address may open a few accounts per window (one office, one NAT), not a flood of
    them."""
    limiter = request.app.state.container.registration_limiter
    _refuse_while_waiting(
        limiter.take(f"ip:{_client_address(request)}"),
        limiter,
        "too many accounts opened from this address",
    )


def _uow(request: Request) -> UnitOfWork:
    return request.app.state.container.unit_of_work()


@auth.post(
    "/register",
    status_code=202,
    response_model=RegistrationOut,
    summary="Open a company account; the link that confirms its address is emailed to that address",
    dependencies=[Depends(_registration_allowed)],
)
async def register(body: Registration, request: Request):
    """The same answer whether or not the address already has an account, so nobody learns which
    addresses do: a new account's address gets its confirmation link, an existing one's owner an
    email saying someone tried to register with it."""
    # The email is kept in the account's transaction: it goes out whenever the notifications
    # service takes it.
    container = request.app.state.container
    await accounts.register_company(
        uow=_uow(request),
        passwords=container.passwords,
        emails=container.account_emails,
        email=body.email,
        password=body.password,
        language=body.language,
        in_demo=container.settings.demo_mode,
    )
    return RegistrationOut(
        detail="check your email: the link that confirms your address is on its way; then sign "
        "in with this address and password"
    )


@auth.get(
    "/confirm",
    response_model=AccountOut,
    summary="Confirm the account's email through the emailed link (API clients)",
)
async def confirm(request: Request, token: Annotated[str, Query(min_length=1, max_length=2000)]):
    return AccountOut.of(await _confirm(request, token))


@auth.post(
    "/confirm",
    response_model=AccountOut,
    summary="Confirm the account's email with the token of the emailed link",
)
async def confirm_by_post(body: ConfirmIn, request: Request):
    return AccountOut.of(await _confirm(request, body.token))


async def _confirm(request: Request, token: str) -> Account:
    with _invalid_link():
        address = request.app.state.container.confirmation_links.read_address(token)
        return await accounts.confirm_email(
            uow=_uow(request), email=address.email, account_id=address.account_id
        )


@contextlib.contextmanager
def _invalid_link() -> Iterator[None]:
    """An emailed link that is forged, expired or used up is a 400 `Invalid link`."""
    try:
        yield
    except InvalidToken as error:
        raise Problem(400, str(error), title="Invalid link") from None


def _new_password_route(path: str, *, summary: str, use_case, links: str) -> None:
    """A route that sets the password through the token of an emailed link: `use_case` is the
    service layer's (an invitation's or a reset's), `links` the container's reader of that link,
    which the use case takes under the same name. The operation is named after the use case."""

    async def new_password(body: SetPasswordIn, request: Request, response: Response):
        container = request.app.state.container
        with _invalid_link():
            account = await use_case(
                uow=_uow(request),
                passwords=container.passwords,
                token=body.token,
                password=body.password,
                **{links: getattr(container, links)},
            )
        response.headers.update(_NO_STORE)
        return AccountOut.of(account)

    auth.add_api_route(
        path,
        new_password,
        methods=["POST"],
        response_model=AccountOut,
        summary=summary,
        name=use_case.__name__,
    )


for path, summary, use_case, links in (
    (
        "/set-password",
        "Set your password through the one-time link an admin had emailed to you",
        accounts.set_password,
        "password_links",
    ),
    (
        "/reset-password",
        "Choose a new password through the emailed link of a password reset",
        accounts.reset_password,
        "reset_links",
    ),
):
    _new_password_route(path, summary=summary, use_case=use_case, links=links)


@auth.post(
    "/password-reset",
    status_code=202,
    response_model=PasswordResetOut,
    summary="Forgot your password: a one-time link to choose a new one is emailed to the "
    "account's address",
)
async def password_reset(body: PasswordResetIn, request: Request, background: BackgroundTasks):
    container = request.app.state.container
    # Every request counts, whether or not an account has the address.
    _count_attempt(
        request,
        container.password_reset_throttle,
        who=f"email:{normalize_email(body.email)}",
        what="too many password resets asked for from this address or for this email",
    )
    # Looked up and kept for the sender after the answer, so neither the answer nor its timing
    # tells whether the address has an account.
    background.add_task(
        accounts.request_password_reset,
        uow=_uow(request),
        emails=container.account_emails,
        email=body.email,
        language=body.language,
    )
    minutes = container.reset_links.ttl_seconds // 60
    return PasswordResetOut(
        detail="if an account uses this address, a link to choose a new password is on its "
        f"way; it works for {minutes} minutes, once"
    )


@auth.post(
    "/change-password",
    status_code=204,
    summary="Change your password; your other sessions end",
    **_SIGNED_IN,
)
async def change_password(body: ChangePasswordIn, request: Request, caller: SignedIn) -> Response:
    with _proving_password(request, caller):
        await accounts.change_password(
            uow=_uow(request),
            passwords=request.app.state.container.passwords,
            account_id=caller.account_id,
            current_password=body.current_password,
            new_password=body.new_password,
            keep_refresh_token=body.keep_refresh_token,
        )
    return Response(status_code=204)


@auth.post(
    "/logout-everywhere",
    status_code=204,
    summary="Sign out everywhere: every refresh token of your account stops working",
    **_SIGNED_IN,
)
async def logout_everywhere(request: Request, caller: SignedIn) -> Response:
    await accounts.sign_out_everywhere(uow=_uow(request), account_id=caller.account_id)
    return Response(status_code=204)


@auth.post(
    "/token",
    response_model=TokensOut,
    summary="Sign in (OAuth2 password flow): an access token and a refresh token",
)
async def token(
    form: Annotated[OAuth2PasswordRequestForm, Depends()], request: Request, response: Response
):
    container = request.app.state.container
    throttle = container.sign_in_throttle
    attempt = _count_attempt(
        request,
        throttle,
        who=f"email:{normalize_email(form.username)}",
        what="too many failed sign-ins from this address or for this email",
    )
    try:
        tokens = await accounts.sign_in(
            uow=_uow(request),
            passwords=container.passwords,
            access_tokens=container.access_tokens,
            refresh_ttl=_refresh_ttl(request),
            email=form.username,
            password=form.password,
        )
    except Exception as error:
        # The accounts' database unavailable (a 503) is no failed sign-in: the retry the 503's
        # Retry-After asks for must not be throttled. Any other failure still counts.
        if database_unavailable(error):
            throttle.succeeded(**attempt)
        raise
    throttle.succeeded(**attempt)
    response.headers.update(_NO_STORE)
    return TokensOut.model_validate(tokens, from_attributes=True)


@auth.post(
    "/refresh",
    response_model=TokensOut,
    summary="Trade a refresh token for new tokens (the old one stops working)",
)
async def refresh(body: RefreshIn, request: Request, response: Response):
    try:
        tokens = await accounts.refresh(
            uow=_uow(request),
            access_tokens=request.app.state.container.access_tokens,
            refresh_ttl=_refresh_ttl(request),
            refresh_token=body.refresh_token,
        )
    except InvalidToken as error:
        raise sign_in_required(str(error)) from None
    response.headers.update(_NO_STORE)
    return TokensOut.model_validate(tokens, from_attributes=True)


@auth.post("/logout", status_code=204, summary="Sign out: the refresh token stops working")
async def logout(body: RefreshIn, request: Request) -> Response:
    await accounts.sign_out(uow=_uow(request), refresh_token=body.refresh_token)
    return Response(status_code=204)


@auth.delete(
    "/me",
    status_code=204,
    summary="Delete your company account, its enterprises and their data; needs your password",
    **_SIGNED_IN,
)
async def delete_me(body: DeleteAccountIn, request: Request, caller: SignedIn) -> Response:
    container = request.app.state.container
    with _proving_password(request, caller):
        await accounts.delete_account(
            uow=_uow(request),
            passwords=container.passwords,
            enterprises=container.enterprises,
            account_id=caller.account_id,
            current_password=body.current_password,
        )
    container.ownership.forget(caller.account_id)
    return Response(status_code=204)


@auth.get(
    "/me",
    response_model=AccountOut,
    summary="Your account, its role and enterprises",
    openapi_extra={"security": [{"OAuth2": []}]},
)
async def me(request: Request, caller: SignedIn):
    try:
        account = await accounts.get_account_or_raise(
            uow=_uow(request), account_id=caller.account_id
        )
    except UnknownAccount:
        raise sign_in_required("the account of this token no longer exists") from None
    return AccountOut.of(account)


@contextlib.contextmanager
def _proving_password(request: Request, caller: Caller) -> Iterator[None]:
    """A signed-in caller proves its current password (to change it, to delete the account): a
    wrong one counts as a failed sign-in of the (account, address) pair, anything else that fails
    (a weak new password, the registry) does not; an account gone or disabled is a 401."""
    throttle = request.app.state.container.sign_in_throttle
    attempt = _count_attempt(
        request, throttle, who=f"account:{caller.account_id}", what="too many wrong passwords"
    )
    try:
        yield
    except InvalidToken as error:
        raise sign_in_required(str(error)) from None
    except InvalidInput as error:
        if error.field != "current_password":
            throttle.succeeded(**attempt)
        raise
    except Exception:
        throttle.succeeded(**attempt)
        raise
    throttle.succeeded(**attempt)


def _count_attempt(request: Request, throttle, *, who: str, what: str) -> dict[str, str]:
    """Counts an attempt of this client's address and of `who` (an email, an account) on
    `throttle`, refused with a 429 while either must wait; returns the attempt's keys, for
    `throttle.succeeded`."""
    attempt = {"address": f"ip:{_client_address(request)}", "email": who}
    _refuse_while_waiting(throttle.attempt(**attempt), throttle, what)
    return attempt


def _refuse_while_waiting(wait: float, limiter, what: str) -> None:
    """A 429 with Retry-After when a throttle asks the caller to wait."""
    if wait:
        raise rate_limited(limiter.retry_after_seconds(wait), what)


def _client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _refresh_ttl(request: Request) -> timedelta:
    return timedelta(days=request.app.state.container.settings.refresh_token_ttl_days)
