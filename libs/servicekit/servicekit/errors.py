"""The plain-Python bases of every service's domain errors (no framework: a domain package imports
them). A service's own errors stay in its `domain/errors.py` and extend these; `problems` answers
an `InvalidInput` with a 422 that names each `FieldError`."""

from __future__ import annotations

from dataclasses import dataclass


class DomainError(Exception):
    """`message`: what an error of the class says when it is raised without words of its own."""

    message = ""

    def __init__(self, *args: object) -> None:
        super().__init__(*(args or ([self.message] if self.message else [])))


@dataclass(frozen=True)
class FieldError:
    field: str
    reason: str


class InvalidInput(DomainError):
    """One or more fields break a rule of the domain."""

    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__("; ".join(f"{e.field}: {e.reason}" for e in errors))
        self.errors = errors


class NotFound(DomainError):
    def __init__(self, what: str, identifier: object) -> None:
        super().__init__(f"{what} {identifier} was not found")
        self.what = what
        self.identifier = identifier
