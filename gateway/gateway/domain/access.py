"""Who may pass the door: the route's access rule, the caller's role and, for a company's own
resources, whether the enterprise in the path is one of the caller's."""

from __future__ import annotations

from enum import StrEnum

from servicekit.caller import Caller


class Access(StrEnum):
    ANYONE = "anyone"  # no account needed
    SIGNED_IN = "signed_in"  # any account; services scope what it sees to its enterprises
    COMPANY = "company"  # a company account on its own enterprise (staff may act on any)
    STAFF = "staff"  # the investment agency or an admin
    ADMIN = "admin"


class Verdict(StrEnum):
    ALLOW = "allow"
    SIGN_IN = "sign_in"  # 401: no valid account token
    FORBIDDEN = "forbidden"  # 403: signed in, but not allowed here


def authorize(access: Access, caller: Caller, *, enterprise_id: str | None = None) -> Verdict:
    if access is Access.ANYONE:
        return Verdict.ALLOW
    if caller.is_anonymous:
        return Verdict.SIGN_IN
    if access is Access.SIGNED_IN:
        return Verdict.ALLOW
    if access is Access.ADMIN:
        return Verdict.ALLOW if caller.role == "admin" else Verdict.FORBIDDEN
    if access is Access.STAFF:
        return Verdict.ALLOW if caller.is_staff else Verdict.FORBIDDEN
    return _company_access(caller, enterprise_id)


def _company_access(caller: Caller, enterprise_id: str | None) -> Verdict:
    if caller.is_staff:
        return Verdict.ALLOW
    if not caller.is_company:
        return Verdict.FORBIDDEN
    # Without an enterprise in the path (a listing or a match id) the service checks ownership.
    if enterprise_id is None or caller.owns(enterprise_id.lower()):
        return Verdict.ALLOW
    return Verdict.FORBIDDEN
