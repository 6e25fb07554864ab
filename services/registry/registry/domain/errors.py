from servicekit.errors import DomainError, FieldError, InvalidInput, NotFound

__all__ = [
    "AlreadyRegistered",
    "DomainError",
    "FieldError",
    "Forbidden",
    "InvalidInput",
    "InvalidTransition",
    "NotFound",
    "StaleVersion",
    "check_changeable",
    "check_version",
]


def check_changeable(
    changes: dict, *, changeable: frozenset[str], not_null: frozenset[str]
) -> None:
    """Refuses, all at once, the fields an owner may not change and the ones it may not empty."""
    errors = [FieldError(name, "cannot be changed") for name in changes if name not in changeable]
    errors += [
        FieldError(name, "may not be null")
        for name, value in changes.items()
        if value is None and name in not_null
    ]
    if errors:
        raise InvalidInput(errors)


class AlreadyRegistered(DomainError):
    def __init__(self, existing_id: object) -> None:
        super().__init__("an enterprise with this legal id is already registered")
        self.existing_id = existing_id


class InvalidTransition(DomainError):
    pass


class Forbidden(DomainError):
    pass


class StaleVersion(DomainError):
    """The caller changed what it read at one version while the record has moved on."""

    def __init__(self, what: str, expected: int, current: int) -> None:
        super().__init__(
            f"the {what} is at version {current}, not {expected}; read it again and retry"
        )
        self.expected = expected
        self.current = current


def check_version(what: str, *, expected: int, current: int) -> None:
    if expected != current:
        raise StaleVersion(what, expected, current)
