"""What each caller may see and change in the registry. Who is calling (account, role,
enterprises, vouched address) is the internal-token contract's `Caller`; the registry's rules
about it are here."""

from __future__ import annotations

from typing import TYPE_CHECKING

from registry.domain.errors import Forbidden
from servicekit.caller import Caller as TokenCaller

if TYPE_CHECKING:
    from registry.domain.enterprise import Enterprise


def is_confirmed_address(email: str | None, *, confirmed: str | None) -> bool:
    return bool(email and confirmed) and email.casefold() == confirmed.casefold()


class Caller(TokenCaller):
    def vouches_for(self, email: str | None) -> bool:
        """Whether `email` is the caller's own confirmed address, so it needs no confirmation
        again."""
        return is_confirmed_address(email, confirmed=self.confirmed_email)

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

    def require_reviewer(self, action: str) -> str:
        """The agency's reviewer taking `action`, as the enterprise's record names them (the
        account, else the role)."""
        self.require_staff(action)
        return self.account_id or self.role
