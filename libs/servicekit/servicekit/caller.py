"""Who is calling a service, as the gateway's internal token names it: plain Python, so domain
rules can name a caller without loading the web framework (servicekit.internal_token reads it
from the token)."""

from __future__ import annotations

from dataclasses import dataclass

ANONYMOUS_ROLE = "anonymous"
STAFF_ROLES = frozenset({"agency", "admin"})


@dataclass(frozen=True)
class Caller:
    """Who is calling, as the gateway vouches for it (or nobody)."""

    account_id: str | None = None
    role: str = ANONYMOUS_ROLE
    enterprise_ids: frozenset[str] = frozenset()
    # The account's own address once it is confirmed, told to the registry only on the writes that
    # set an enterprise's email, so an enterprise that gives it needs no second confirmation.
    confirmed_email: str | None = None

    @property
    def is_anonymous(self) -> bool:
        return self.account_id is None

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF_ROLES

    @property
    def is_company(self) -> bool:
        return self.role == "company"

    def owns(self, enterprise_id: object) -> bool:
        return str(enterprise_id) in self.enterprise_ids


ANONYMOUS = Caller()
