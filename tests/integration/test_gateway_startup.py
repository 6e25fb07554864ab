"""Outside demo mode the gateway will not start with a secret published in this repository."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from devstack.stack import ROOT
from gateway.config import DEMO_JWT_SECRET

OWN_SECRET = "an-operators-own-secret-of-enough-length-42"


def _serve(**env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("GATEWAY_")}
    return subprocess.run(
        [sys.executable, "-m", "gateway", "serve"],
        cwd=ROOT,
        env=clean | env,
        capture_output=True,
        text=True,
        timeout=60,
    )


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
    result = _serve(
        GATEWAY_DEMO_MODE="false",
        GATEWAY_INTERNAL_TOKEN_SECRET=internal,
        GATEWAY_JWT_SECRET=jwt_secret,
    )

    assert result.returncode == 2
    [line] = result.stderr.strip().splitlines()
    assert named in line and "demo mode" in line


def test_the_jwt_secret_left_unset_counts_as_published():
    result = _serve(GATEWAY_DEMO_MODE="false", GATEWAY_INTERNAL_TOKEN_SECRET=OWN_SECRET)

    assert result.returncode == 2
    assert "GATEWAY_JWT_SECRET" in result.stderr
