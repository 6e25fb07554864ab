"""The real servers, started once per test session and stopped at its end, even after failures.

Every server listens on a free loopback port in a fresh state folder, so a test session never
touches a platform a developer is running with `make up`.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import jwt
import pytest

from devstack.stack import Stack, StackConfig


@pytest.fixture(scope="session")
def infra() -> Iterator[Stack]:
    """PostgreSQL with every service's database migrated, Kafka with its topics, the SMTP sink."""
    state_dir = Path(tempfile.mkdtemp(prefix="unionmatch-tests-"))
    config = StackConfig.on_free_ports(state_dir, demo_mode=True)
    stack = Stack(config)
    try:
        stack.start_infrastructure()
        stack.migrate()
        yield stack
    finally:
        stack.stop()
        shutil.rmtree(state_dir, ignore_errors=True)


@pytest.fixture(scope="session")
def platform(infra: Stack) -> Stack:
    """The services and the gateway on top of the infrastructure."""
    infra.start_services()
    return infra


@pytest.fixture(scope="session")
def internal_token(infra: Stack):
    """Mints the gateway's signed proof for calling a service directly, as a given caller."""

    def mint(
        service: str,
        *,
        role: str = "agency",
        account_id: str | None = "test-account",
        enterprise_ids=(),
    ) -> dict[str, str]:
        now = int(time.time())
        claims = {
            "iss": "gateway",
            "aud": service,
            "iat": now,
            "exp": now + 300,
            "role": role,
            "enterprise_ids": [str(e) for e in enterprise_ids],
        }
        if account_id:
            claims["sub"] = account_id
        return {
            "X-Internal-Token": jwt.encode(
                claims, infra.config.internal_token_secret, algorithm="HS256"
            )
        }

    return mint
