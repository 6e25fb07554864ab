"""A secret whose value is published in this repository signs nothing outside demo mode: every
application names the setting and stops (exit 2) before it serves."""

import pytest
from pydantic import SecretStr

from eventkit.published_secrets import (
    DEMO_INTERNAL_TOKEN_SECRET,
    PUBLISHED_SECRETS,
    published_secrets_in_use,
    refuse_published_secrets,
)

OWN = "an-operators-own-secret-of-enough-length-42"


def test_the_published_values_are_named_and_an_own_one_is_not():
    secrets = {
        "REGISTRY_INTERNAL_TOKEN_SECRET": SecretStr(DEMO_INTERNAL_TOKEN_SECRET),
        "WEB_SESSION_SECRET": OWN,
    }

    assert published_secrets_in_use(secrets) == ["REGISTRY_INTERNAL_TOKEN_SECRET"]


def test_outside_demo_mode_a_published_secret_stops_the_start_with_one_line(capsys):
    with pytest.raises(SystemExit) as stopped:
        refuse_published_secrets(
            {"MATCHING_INTERNAL_TOKEN_SECRET": SecretStr("change-me-in-production-please-32b")},
            demo_mode=False,
            demo_setting="MATCHING_DEMO_MODE",
        )

    assert stopped.value.code == 2
    [line] = capsys.readouterr().err.strip().splitlines()
    assert "MATCHING_INTERNAL_TOKEN_SECRET" in line and "MATCHING_DEMO_MODE=true" in line


def test_in_demo_mode_or_with_own_secrets_the_start_goes_on():
    refuse_published_secrets(
        {"X_SECRET": SecretStr(DEMO_INTERNAL_TOKEN_SECRET)},
        demo_mode=True,
        demo_setting="X_DEMO_MODE",
    )
    refuse_published_secrets(
        {"X_SECRET": SecretStr(OWN)}, demo_mode=False, demo_setting="X_DEMO_MODE"
    )


def test_every_published_value_is_long_enough_to_pass_the_length_check_and_so_must_be_named():
    # Were one shorter than 32 characters, pydantic would refuse it first and this list would not
    # matter.
    assert all(len(secret) >= 32 for secret in PUBLISHED_SECRETS)
