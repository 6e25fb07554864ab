"""The fault suite's own platform, started once for the suite and stopped at its end: stopping its
broker or its database hurts no other test's servers."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from devstack.stack import ROOT, Stack, StackConfig
from tests.faults.checker import figures_file
from tests.faults.fault_platform import FaultPlatform


@pytest.fixture(scope="session")
def fault_platform(tmp_path_factory) -> Iterator[FaultPlatform]:
    stack = Stack(StackConfig.on_free_ports(tmp_path_factory.mktemp("faults"), demo_mode=True))
    platform = FaultPlatform(stack)
    try:
        stack.start_infrastructure()
        stack.migrate()
        platform.start()
        yield platform
    finally:
        stack.stop()


@pytest.fixture(scope="session")
def company_accounts() -> dict[str, dict]:
    """Every enterprise the suite registered -> its company's Authorization header: a story may
    answer a pair its need was proposed with another story's offer."""
    return {}


@pytest.fixture(scope="session")
def fault_figures() -> Iterator[dict[str, dict]]:
    """Each fault's figures, written to .cache/faults/last-run.json when the suite ends."""
    figures: dict[str, dict] = {}
    yield figures
    if figures:
        path = figures_file(ROOT)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(figures, indent=2, ensure_ascii=False))
