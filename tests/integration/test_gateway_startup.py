"""Outside demo mode the gateway will not start with a secret published in this repository."""

from __future__ import annotations

import pytest

from gateway.config import DEMO_JWT_SECRET
from tests.integration.app_start import serve

OWN_SECRET = "an-operators-own-secret-of-enough-length-42"


@pytest.mark.parametrize(
    ("internal", "jwt_secret", "named"),
    [
        ("change-me-in-production-please-32b", OWN_SECRET, "GATEWAY_INTERNAL_TOKEN_SECRET"),
        (OWN_SECRET, DEMO_JWT_SECRET, "GATEWAY_JWT_SECRET"),
    ],
)
def test_a_published_secret_outside_demo_mode_stops_the_start_and_names_the_setting(
    internal, jwt_secret, named
):
    result = serve(
        "gateway",
        GATEWAY_DEMO_MODE="false",
        GATEWAY_INTERNAL_TOKEN_SECRET=internal,
        GATEWAY_JWT_SECRET=jwt_secret,
    )

    assert result.returncode == 2
    [line] = result.stderr.strip().splitlines()
    assert named in line and "demo mode" in line


def test_the_jwt_secret_left_unset_counts_as_published():
    result = serve("gateway", GATEWAY_DEMO_MODE="false", GATEWAY_INTERNAL_TOKEN_SECRET=OWN_SECRET)

    assert result.returncode == 2
    assert "GATEWAY_JWT_SECRET" in result.stderr
