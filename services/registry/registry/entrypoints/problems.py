"""The registry's domain errors, as the problems its clients receive (servicekit.problems answers
everything else)."""

from __future__ import annotations

from fastapi import Request

from registry.domain import errors
from servicekit.problems import DomainAnswer, Problem, invalid_fields


def _already_registered(request: Request, error: errors.AlreadyRegistered) -> Problem:
    caller = getattr(request.state, "caller", None)
    # Only the agency may learn which record holds the legal id.
    if caller and caller.is_staff and error.existing_id:
        return Problem(409, str(error), existing_id=str(error.existing_id))
    return Problem(409, str(error))


DOMAIN_ERRORS: dict[type[Exception], DomainAnswer] = {
    errors.InvalidInput: lambda request, error: invalid_fields(
        error.errors, "the request breaks the registry's rules"
    ),
    errors.NotFound: 404,
    errors.AlreadyRegistered: _already_registered,
    errors.InvalidTransition: 409,
    errors.StaleVersion: lambda request, error: Problem(
        409, str(error), current_version=error.current
    ),
    errors.Forbidden: 403,
}
