"""The matching service's domain errors, as the problems its clients receive (servicekit.problems
answers everything else)."""

from __future__ import annotations

from matching.domain.errors import Forbidden, InvalidInput, InvalidTransition, NotFound
from servicekit.problems import DomainAnswer, invalid_fields

DOMAIN_ERRORS: dict[type[Exception], DomainAnswer] = {
    InvalidInput: lambda request, error: invalid_fields(error.errors, str(error)),
    NotFound: 404,
    InvalidTransition: 409,
    Forbidden: 403,
}
