"""An operator's reference of every setting is made from the settings classes, so it cannot drift:
docs/CONFIGURATION.md is what `scripts/config_reference.py` writes today, and every setting says
what it does."""

from __future__ import annotations

import importlib.util

from devstack.stack import ROOT

_spec = importlib.util.spec_from_file_location(
    "config_reference", ROOT / "scripts" / "config_reference.py"
)
config_reference = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(config_reference)


def test_every_setting_of_every_application_says_what_it_does():
    assert config_reference.undocumented() == []


def test_the_committed_reference_is_the_one_the_settings_make():
    committed = config_reference.REFERENCE.read_text()

    assert committed == config_reference.render(), (
        "docs/CONFIGURATION.md is stale: run python scripts/config_reference.py"
    )


def test_the_reference_names_each_applications_variables_with_their_defaults():
    reference = config_reference.render()

    for line in (
        "| `GATEWAY_JWT_SECRET` | a published demo value (refused outside demo mode) |",
        "| `MATCHING_WEIGHTS__TEXT` | `0.3` |",
        "| `NOTIFICATIONS_SMTP_CONNECTIONS` | `4` |",
        "| `REGISTRY_INTERNAL_TOKEN_SECRET` | required |",
        "| `WEB_SESSION_SECRET` | required |",
    ):
        assert line in reference
    assert "| `NOTIFICATIONS_SMTP_HOST` | `127.0.0.1` |" in reference
    assert "`${SMTP_HOST:-mailpit}`" in reference  # the value compose passes
