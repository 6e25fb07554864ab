"""Secrets whose values are published in this repository (the demo of docker-compose, examples):
anybody can sign a token with them. Every application refuses to start with one outside demo
mode."""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from typing import Annotated

from pydantic import Field, SecretStr

DEMO_INTERNAL_TOKEN_SECRET = "union-match-demo-internal-token-secret-not-for-production"
DEMO_JWT_SECRET = "union-match-demo-jwt-secret-not-for-production"
DEMO_WEB_SESSION_SECRET = "union-match-demo-web-session-secret-not-for-production"

PUBLISHED_SECRETS = frozenset(
    {
        DEMO_INTERNAL_TOKEN_SECRET,
        DEMO_JWT_SECRET,
        DEMO_WEB_SESSION_SECRET,
        # Values earlier versions of docker-compose.yml published as defaults.
        "change-me-in-production-please-32b",
        "union-match-demo-web-session-secret-change-me",
    }
)


# The setting of the secrets a rotation still accepts beside the current one (a JSON list, each at
# least 32 characters): tokens are signed with the current secret only (docs/OPERATIONS.md).
PreviousSecrets = list[Annotated[SecretStr, Field(min_length=32)]]


def previous_secrets_named(setting: str, previous: Sequence[SecretStr]) -> dict[str, SecretStr]:
    """Each of a previous-secrets setting's values by its place (`SETTING[0]`...), for the refusal
    of published values."""
    return {f"{setting}[{place}]": secret for place, secret in enumerate(previous)}


def secret_values(secrets: Sequence[SecretStr]) -> list[str]:
    return [secret.get_secret_value() for secret in secrets]


def published_secrets_in_use(secrets: Mapping[str, SecretStr | str]) -> list[str]:
    """The names (environment variables) of `secrets` whose value is published in this
    repository."""
    return [
        name
        for name, value in secrets.items()
        if (value.get_secret_value() if isinstance(value, SecretStr) else value)
        in PUBLISHED_SECRETS
    ]


def refuse_published_secrets(
    secrets: Mapping[str, SecretStr | str], *, demo_mode: bool, demo_setting: str
) -> None:
    """Ends the process (exit 2, one line that says what to do) when a secret has a published value
    and the operator has not chosen demo mode (`demo_setting`, e.g. REGISTRY_DEMO_MODE=true)."""
    if demo_mode or not (published := published_secrets_in_use(secrets)):
        return
    print(
        f"error: {', '.join(published)} still has the value published in this repository; "
        "set your own secret (at least 32 characters, e.g. `openssl rand -hex 32`) or run in "
        f"demo mode ({demo_setting}=true)",
        file=sys.stderr,
    )
    sys.exit(2)
