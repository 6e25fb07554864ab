"""A gateway that starts with demo mode off disables every account an earlier demo run opened (the
demo's reviewer and admin, and each demo company, whose password the README prints): nobody signs
in with a published password once the platform is for real. Accounts opened outside demo mode
stay."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from alembic import command

import gateway.__main__ as gateway_main
from gateway.bootstrap import build_container
from gateway.config import Settings
from gateway.domain.accounts import Role
from gateway.domain.errors import AccountDisabled
from gateway.observability import Metrics
from gateway.service_layer import accounts
from gateway.service_layer.unit_of_work import UnitOfWork

DEMO_COMPANY = ("smolensk-lifts@example.ru", "demo-company")
REAL_COMPANY = ("orsha-flax@example.by", "a real and long passphrase")


async def test_accounts_opened_in_demo_mode_are_disabled_when_demo_mode_is_off(
    infra, scratch_database
):
    # A database of its own: the test platform's shared one runs in demo mode for every other test.
    await asyncio.to_thread(command.upgrade, gateway_main.alembic_config(scratch_database), "head")
    container = build_container(_settings(infra, scratch_database), Metrics())
    try:
        await gateway_main.open_demo_accounts(container)
        await _register(container, *DEMO_COMPANY, in_demo=True)
        await _register(container, *REAL_COMPANY, in_demo=False)
        signed_in = await _sign_in(container, *DEMO_COMPANY)

        await gateway_main.close_demo_accounts(container)
        await gateway_main.close_demo_accounts(
            container
        )  # a second start with demo mode off changes nothing

        for _, email, password, _ in gateway_main.DEMO_ACCOUNTS:
            with pytest.raises(AccountDisabled):
                await _sign_in(container, email, password)
        with pytest.raises(AccountDisabled):
            await _sign_in(container, *DEMO_COMPANY)
        assert (await _sign_in(container, *REAL_COMPANY)).access_token
    finally:
        await container.engine.dispose()

    assert signed_in.access_token


def _settings(infra, database_url: str) -> Settings:
    return Settings(
        database_url=database_url,
        internal_token_secret=infra.config.internal_token_secret,
        jwt_secret=infra.config.jwt_secret,
        argon2_time_cost=1,
        argon2_memory_cost_kib=8192,
    )


async def _register(container, email: str, password: str, *, in_demo: bool) -> None:
    registration = await accounts.register_company(
        uow=UnitOfWork(container.session_factory),
        passwords=container.passwords,
        emails=container.account_emails,
        email=email,
        password=password,
        language="ru",
        in_demo=in_demo,
    )
    assert registration.opened and registration.account.role is Role.COMPANY


async def _sign_in(container, email: str, password: str):
    return await accounts.sign_in(
        uow=UnitOfWork(container.session_factory),
        passwords=container.passwords,
        access_tokens=container.access_tokens,
        refresh_ttl=timedelta(days=1),
        email=email,
        password=password,
    )
