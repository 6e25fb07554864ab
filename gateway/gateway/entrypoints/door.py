"""The door: who is calling (from the bearer access token), whether they are over their rate,
and whether the route's access rule lets them in."""

from __future__ import annotations

from fastapi import Request

from gateway.adapters.tokens import AccessClaims
from gateway.domain.access import Access, Verdict, authorize
from gateway.domain.accounts import Role
from gateway.domain.errors import InvalidToken
from gateway.entrypoints.problems import forbidden, rate_limited, sign_in_required
from gateway.service_layer import accounts
from gateway.service_layer.unit_of_work import UnitOfWork
from servicekit.internal_token import ANONYMOUS, Caller

_REFUSALS = {
    Verdict.SIGN_IN: lambda: sign_in_required(
        "sign in first: send an access token as `Authorization: Bearer <token>`"
    ),
    Verdict.FORBIDDEN: lambda: forbidden("your account may not do this here"),
}


async def current_caller(request: Request) -> Caller:
    """The caller of this request; a token that is present but not valid is refused, never
    treated as anonymous, so a client learns at once that it must sign in again."""
    cached = getattr(request.state, "caller", None)
    if cached is not None:
        return cached
    caller = await _caller_from_token(request)
    if not caller.is_anonymous:
        _take_rate_token(request, caller)
    request.state.caller = caller
    return caller


async def signed_in_caller(request: Request) -> Caller:
    caller = await current_caller(request)
    if caller.is_anonymous:
        raise _REFUSALS[Verdict.SIGN_IN]()
    return caller


async def admit(request: Request, access: Access) -> Caller:
    caller = await current_caller(request)
    enterprise_id = request.path_params.get("enterprise_id")
    verdict = authorize(access, caller, enterprise_id=enterprise_id)
    if verdict is Verdict.FORBIDDEN and caller.is_company and enterprise_id is not None:
        # The remembered enterprises may predate a binding made by another gateway instance.
        caller = await _fresh_company_caller(request, caller)
        verdict = authorize(access, caller, enterprise_id=enterprise_id)
    if verdict is not Verdict.ALLOW:
        raise _REFUSALS[verdict]()
    return caller


async def _caller_from_token(request: Request) -> Caller:
    header = request.headers.get("authorization")
    if not header:
        return ANONYMOUS
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise sign_in_required("the Authorization header must be `Bearer <access token>`")
    container = request.app.state.container
    try:
        claims = container.access_tokens.read(token.strip())
    except InvalidToken as error:
        raise sign_in_required(f"{error}; sign in again or refresh the token") from None
    await _check_session(request, claims)
    if claims.role != Role.COMPANY:
        return Caller(account_id=claims.account_id, role=claims.role)
    enterprise_ids = container.ownership.get(claims.account_id)
    if enterprise_ids is None:
        return await _fresh_company_caller(
            request, Caller(account_id=claims.account_id, role=claims.role)
        )
    return Caller(account_id=claims.account_id, role=claims.role, enterprise_ids=enterprise_ids)


async def _check_session(request: Request, claims: AccessClaims) -> None:
    """An access token works only while its session lasts: signing out, signing out everywhere, a
    new password, a reused refresh token or a deleted account ends it (see SessionCache for how
    soon each gateway instance learns it)."""
    container = request.app.state.container
    if claims.session_id is None:
        raise sign_in_required("the access token belongs to no session; sign in again")
    lasts = await accounts.session_lasts(
        uow=UnitOfWork(container.session_factory),
        sessions=container.sessions,
        session_id=claims.session_id,
        account_id=claims.account_id,
    )
    if not lasts:
        raise sign_in_required(
            "the session of this access token has ended (signed out); sign in again"
        )


async def _fresh_company_caller(request: Request, caller: Caller) -> Caller:
    container = request.app.state.container
    fresh = await accounts.caller_for(
        uow=UnitOfWork(container.session_factory), account_id=caller.account_id, role=caller.role
    )
    container.ownership.put(fresh.account_id, fresh.enterprise_ids)
    request.state.caller = fresh
    return fresh


def _take_rate_token(request: Request, caller: Caller) -> None:
    limiter = request.app.state.container.account_rate_limiter
    wait = limiter.take(f"account:{caller.account_id}")
    if wait:
        raise rate_limited(limiter.retry_after_seconds(wait))
