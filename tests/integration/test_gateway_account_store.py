"""The gateway's accounts on its real PostgreSQL database: Argon2 hashes at rest, refresh-token
rotation that holds under a race, enterprise bindings, and migrations up and down."""

from __future__ import annotations

import uuid

import pytest
from alembic import command
from sqlalchemy import select
from sqlalchemy.ext.asyncio import async_sessionmaker

from gateway.__main__ import alembic_config
from gateway.adapters.orm import accounts as accounts_table
from gateway.domain.accounts import Role
from gateway.domain.errors import EmailTaken, InvalidCredentials, InvalidToken
from gateway.service_layer import accounts
from gateway.service_layer.unit_of_work import UnitOfWork
from tests.integration.gateway_accounts import DAY, PASSWORD, racing, refresh, sign_in
from tests.integration.scratch_sql import table_names


@pytest.fixture
def uow(gateway_engine) -> UnitOfWork:
    return UnitOfWork(async_sessionmaker(gateway_engine, expire_on_commit=False))


def _email() -> str:
    return f"acc-{uuid.uuid4().hex[:10]}@example.by"


async def test_a_password_is_kept_only_as_an_argon2id_hash(uow, passwords, gateway_engine):
    email = _email()
    await accounts.open_account(
        uow=uow, passwords=passwords, email=email, password=PASSWORD, role=Role.COMPANY
    )

    async with gateway_engine.connect() as connection:
        stored = await connection.scalar(
            select(accounts_table.c.password_hash).where(accounts_table.c.email == email)
        )

    assert stored.startswith("$argon2id$")
    assert PASSWORD not in stored


async def test_signing_in_checks_the_password(uow, passwords, access_tokens):
    email = _email()
    await accounts.open_account(
        uow=uow, passwords=passwords, email=email, password=PASSWORD, role=Role.AGENCY
    )

    tokens = await sign_in(uow, passwords, access_tokens, email=email.upper(), password=PASSWORD)

    assert access_tokens.read(tokens.access_token).role == "agency"
    with pytest.raises(InvalidCredentials):
        await sign_in(uow, passwords, access_tokens, email=email, password="wrong password")


async def test_two_sign_ups_with_one_email_racing_open_one_account(uow, passwords, gateway_engine):
    email = _email()
    factory = async_sessionmaker(gateway_engine, expire_on_commit=False)

    results = await racing(
        *(
            accounts.open_account(
                uow=UnitOfWork(factory),
                passwords=passwords,
                email=email,
                password=PASSWORD,
                role=Role.COMPANY,
            )
            for _ in range(4)
        )
    )

    assert sum(not isinstance(r, Exception) for r in results) == 1
    assert all(isinstance(r, EmailTaken) for r in results if isinstance(r, Exception))


async def test_a_refresh_token_replayed_in_a_race_is_honoured_once(
    uow, passwords, access_tokens, gateway_engine
):
    email = _email()
    await accounts.open_account(
        uow=uow, passwords=passwords, email=email, password=PASSWORD, role=Role.COMPANY
    )
    first = await sign_in(uow, passwords, access_tokens, email=email, password=PASSWORD)
    factory = async_sessionmaker(gateway_engine, expire_on_commit=False)

    results = await racing(
        *(
            refresh(UnitOfWork(factory), access_tokens, refresh_token=first.refresh_token)
            for _ in range(5)
        )
    )

    assert sum(not isinstance(r, Exception) for r in results) == 1
    assert all(isinstance(r, InvalidToken) for r in results if isinstance(r, Exception))


async def test_an_expired_refresh_token_is_refused(uow, passwords, access_tokens):
    email = _email()
    await accounts.open_account(
        uow=uow, passwords=passwords, email=email, password=PASSWORD, role=Role.COMPANY
    )
    stale = await sign_in(
        uow, passwords, access_tokens, email=email, password=PASSWORD, refresh_ttl=-DAY
    )

    with pytest.raises(InvalidToken):
        await refresh(uow, access_tokens, refresh_token=stale.refresh_token)


async def test_a_company_caller_carries_the_enterprises_it_holds_and_loses_a_deleted_one(
    uow, passwords
):
    account = await accounts.open_account(
        uow=uow, passwords=passwords, email=_email(), password=PASSWORD, role=Role.COMPANY
    )
    first, second = str(uuid.uuid4()), str(uuid.uuid4())
    await accounts.bind_enterprise(uow=uow, account_id=account.id, enterprise_id=first)
    await accounts.bind_enterprise(uow=uow, account_id=account.id, enterprise_id=second)
    await accounts.bind_enterprise(
        uow=uow, account_id=account.id, enterprise_id=second
    )  # a retried binding is harmless

    await accounts.unbind_enterprise(uow=uow, enterprise_id=first)
    caller = await accounts.caller_for(uow=uow, account_id=account.id, role="company")

    assert caller.enterprise_ids == frozenset({second})


async def test_opening_the_demo_accounts_twice_keeps_one_of_each(uow, passwords):
    email = _email()

    first, opened_first = await accounts.ensure_account(
        uow=uow, passwords=passwords, email=email, password=PASSWORD, role=Role.ADMIN
    )
    second, opened_second = await accounts.ensure_account(
        uow=uow, passwords=passwords, email=email, password=PASSWORD, role=Role.ADMIN
    )

    assert (opened_first, opened_second) == (True, False)
    assert first.id == second.id


def test_the_gateways_migrations_build_its_tables_and_take_them_away(scratch_database):
    config = alembic_config(scratch_database)

    command.upgrade(config, "head")
    assert {"accounts", "account_enterprises", "refresh_tokens"} <= table_names(scratch_database)

    command.downgrade(config, "base")
    assert (
        table_names(scratch_database) & {"accounts", "account_enterprises", "refresh_tokens"}
        == set()
    )
