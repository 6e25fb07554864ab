"""A gateway that starts with demo mode off disables the demo accounts an earlier demo run opened:
nobody signs in with a password printed in the README once the platform is for real."""

from __future__ import annotations

import uuid

import pytest

import gateway.__main__ as gateway_main
from gateway.bootstrap import build_container
from gateway.config import Settings
from gateway.domain.accounts import Role
from gateway.domain.errors import AccountDisabled
from gateway.observability import Metrics
from gateway.service_layer import accounts
from gateway.service_layer.unit_of_work import UnitOfWork


async def test_demo_accounts_are_disabled_when_demo_mode_is_off(infra, monkeypatch):
    marker = uuid.uuid4().hex[:8]
    # Demo accounts of their own, so the test platform's (shared database) stay as they are.
    demo = ((Role.AGENCY, f"agency-{marker}@demo.local", "demo-agency", "Анна"), (Role.ADMIN, f"admin-{marker}@demo.local", "demo-admin", "Олег"))
    monkeypatch.setattr(gateway_main, "DEMO_ACCOUNTS", demo)
    settings = Settings(database_url=infra.database_url("gateway"), internal_token_secret=infra.config.internal_token_secret,
                        jwt_secret=infra.config.jwt_secret, argon2_time_cost=1, argon2_memory_cost_kib=8192)
    container = build_container(settings, Metrics())
    try:
        await gateway_main.open_demo_accounts(container)
        signed_in = await _sign_in(container, demo[0][1], "demo-agency")
        await gateway_main.close_demo_accounts(container)
        await gateway_main.close_demo_accounts(container)  # a second start with demo mode off changes nothing
        for _, email, password, _ in demo:
            with pytest.raises(AccountDisabled):
                await _sign_in(container, email, password)
    finally:
        await container.engine.dispose()

    assert signed_in.access_token


async def _sign_in(container, email: str, password: str):
    from datetime import timedelta

    return await accounts.sign_in(uow=UnitOfWork(container.session_factory), passwords=container.passwords, access_tokens=container.access_tokens,
                                  refresh_ttl=timedelta(days=1), email=email, password=password)
