from servicekit.errors import DomainError

__all__ = [
    "AccountConflict",
    "AccountDisabled",
    "DomainError",
    "EmailTaken",
    "InvalidCredentials",
    "InvalidInput",
    "InvalidToken",
    "ReusedRefreshToken",
    "UnknownAccount",
    "WeakPassword",
]


class EmailTaken(DomainError):
    message = "an account with this email already exists"


class WeakPassword(DomainError):
    pass


class InvalidCredentials(DomainError):
    message = "the email or the password is wrong"


class InvalidToken(DomainError):
    """A refresh token, access token or confirmation link that is unknown, expired or revoked."""


class UnknownAccount(DomainError):
    pass


class AccountDisabled(DomainError):
    message = "this account is disabled; ask an administrator to enable it"


class AccountConflict(DomainError):
    """A change the account's state does not allow (disabling oneself, inviting a company)."""


class InvalidInput(DomainError):
    """One field that breaks a rule of accounts."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


class ReusedRefreshToken(InvalidToken):
    message = (
        "the refresh token was already used; every token of its session is revoked, sign in again"
    )
