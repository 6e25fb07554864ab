"""Who acts on the registry, and what each may see and change."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from registry.domain.errors import Forbidden

if TYPE_CHECKING:
    from registry.domain.enterprise import Enterprise

STAFF_ROLES = frozenset({"agency", "admin"})


def is_confirmed_address(email: str | None, *, confirmed: str | None) -> bool:
    return bool(email and confirmed) and email.casefold() == confirmed.casefold()


@dataclass(frozen=True)
class Caller:
    account_id: str | None
    role: str
    enterprise_ids: frozenset[str] = frozenset()
    # The caller's own account address, as the gateway vouches it was confirmed (None: not vouched).
    confirmed_email: str | None = None

    def owns(self, enterprise_id: object) -> bool:
        return str(enterprise_id) in self.enterprise_ids

    def vouches_for(self, email: str | None) -> bool:
        """Whether `email` is the caller's own confirmed address, so it needs no confirmation again."""
        return is_confirmed_address(email, confirmed=self.confirmed_email)

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF_ROLES

    def manages(self, enterprise: Enterprise) -> bool:
        """The agency, or the company the enterprise belongs to (by its token's enterprises, or
        as the account that registered it)."""
        registered_it = (
            self.account_id is not None and self.account_id == enterprise.owner_account_id
        )
        return self.is_staff or self.owns(enterprise.id) or registered_it

    def require_manages(self, enterprise: Enterprise) -> None:
        if not self.manages(enterprise):
            raise Forbidden(
                "only the enterprise's own company or the investment agency may change it"
            )

    def require_staff(self, action: str) -> None:
        if not self.is_staff:
            raise Forbidden(f"only the investment agency may {action}")
