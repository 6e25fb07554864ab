class DomainError(Exception):
    pass


class EmailTaken(DomainError):
    def __init__(self) -> None:
        super().__init__("an account with this email already exists")


class WeakPassword(DomainError):
    pass


class InvalidCredentials(DomainError):
    def __init__(self) -> None:
        super().__init__("the email or the password is wrong")


class InvalidToken(DomainError):
    """A refresh token, access token or confirmation link that is unknown, expired or revoked."""


class UnknownAccount(DomainError):
    pass
