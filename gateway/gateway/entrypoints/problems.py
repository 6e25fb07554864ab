"""The gateway's own refusals and its domain errors, as problem details (servicekit.problems
answers everything else, the same way every service does)."""

from __future__ import annotations

from gateway.adapters.upstream import UpstreamUnavailable
from gateway.domain.errors import (
    AccountConflict,
    AccountDisabled,
    EmailTaken,
    InvalidCredentials,
    InvalidInput,
    UnknownAccount,
    WeakPassword,
)
from servicekit.problems import DomainAnswer, Problem

# Refusals made by the gateway itself carry their own type, so a client (and a test) can tell
# "the door said no" from "the service said no".
SIGN_IN_REQUIRED = "/problems/sign-in-required"
FORBIDDEN = "/problems/forbidden"
RATE_LIMITED = "/problems/rate-limited"
SERVICE_UNAVAILABLE = "/problems/service-unavailable"
ACCOUNT_DISABLED = "/problems/account-disabled"
BEARER_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="union-match"'}


def sign_in_required(detail: str) -> Problem:
    return Problem(
        401, detail, title="Sign-in required", type_=SIGN_IN_REQUIRED, headers=BEARER_CHALLENGE
    )


def forbidden(detail: str) -> Problem:
    return Problem(403, detail, type_=FORBIDDEN)


def rate_limited(retry_after: int, what: str = "slow down") -> Problem:
    return Problem(
        429,
        f"{what}; try again in {retry_after} s",
        type_=RATE_LIMITED,
        headers={"Retry-After": str(retry_after)},
    )


def _field(field: str, reason: str) -> Problem:
    return Problem(
        422, "the request has invalid fields", errors=[{"field": field, "reason": reason}]
    )


DOMAIN_ERRORS: dict[type[Exception], DomainAnswer] = {
    UpstreamUnavailable: lambda request, error: Problem(
        503,
        f"{error}; try again shortly",
        type_=SERVICE_UNAVAILABLE,
        headers={"Retry-After": str(error.retry_after)},
    ),
    EmailTaken: 409,
    WeakPassword: lambda request, error: _field("password", str(error)),
    InvalidInput: lambda request, error: _field(error.field, error.reason),
    AccountConflict: 409,
    UnknownAccount: 404,
    AccountDisabled: lambda request, error: Problem(
        403, str(error), title="Account disabled", type_=ACCOUNT_DISABLED
    ),
    InvalidCredentials: lambda request, error: Problem(
        401, str(error), title="Sign-in failed", type_=SIGN_IN_REQUIRED, headers=BEARER_CHALLENGE
    ),
}
