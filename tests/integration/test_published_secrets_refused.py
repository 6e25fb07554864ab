"""Every application, started outside demo mode with a secret published in this repository, refuses
to start: exit 2 and one line naming the setting, before it opens a port or a connection."""

from __future__ import annotations

import pytest

from eventkit.published_secrets import DEMO_INTERNAL_TOKEN_SECRET, DEMO_WEB_SESSION_SECRET
from tests.integration.app_start import serve

OWN = "an-operators-own-secret-of-enough-length-42"


@pytest.mark.parametrize(
    ("app", "secret"),
    [
        ("registry", "REGISTRY_INTERNAL_TOKEN_SECRET"),
        ("matching", "MATCHING_INTERNAL_TOKEN_SECRET"),
        ("notifications", "NOTIFICATIONS_INTERNAL_TOKEN_SECRET"),
        ("gateway", "GATEWAY_INTERNAL_TOKEN_SECRET"),
    ],
)
def test_a_service_refuses_the_published_internal_token_secret_outside_demo_mode(app, secret):
    result = serve(app, **{secret: DEMO_INTERNAL_TOKEN_SECRET, "GATEWAY_JWT_SECRET": OWN})

    assert result.returncode == 2, result.stderr
    [line] = result.stderr.strip().splitlines()
    assert secret in line and "demo mode" in line


def test_the_web_refuses_the_published_session_secret_outside_demo_mode():
    result = serve("web", WEB_SESSION_SECRET=DEMO_WEB_SESSION_SECRET)

    assert result.returncode == 2, result.stderr
    [line] = result.stderr.strip().splitlines()
    assert "WEB_SESSION_SECRET" in line and "WEB_DEMO_MODE=true" in line
