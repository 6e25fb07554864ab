from servicekit.errors import DomainError, FieldError, InvalidInput, NotFound

__all__ = ["FieldError", "Forbidden", "InvalidInput", "InvalidTransition", "NotFound"]


class InvalidTransition(DomainError):
    """The match is not in a state that allows this step (approving a rejected match, say)."""


class Forbidden(DomainError):
    pass
