"""Starting one of the platform's applications as an operator would, with only the settings a
story gives it: none of its own is inherited from the environment the tests run in."""

from __future__ import annotations

import os
import subprocess
import sys

from devstack.stack import ROOT

SETTINGS_PREFIXES = (
    "REGISTRY_",
    "MATCHING_",
    "NOTIFICATIONS_",
    "GATEWAY_",
    "WEB_",
    "FORWARDED_ALLOW_IPS",
)


def serve(app: str, **env: str) -> subprocess.CompletedProcess:
    """`python -m <app> serve` with `env` as its only settings; what it printed and returned."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(SETTINGS_PREFIXES)}
    return subprocess.run(
        [sys.executable, "-m", app, "serve"],
        cwd=ROOT,
        env=clean | env,
        capture_output=True,
        text=True,
        timeout=60,
    )
