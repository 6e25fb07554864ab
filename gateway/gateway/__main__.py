"""python -m gateway [serve|migrate|downgrade|create-account]"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import sys
from typing import NamedTuple

import uvicorn

from gateway.config import Settings
from gateway.domain.accounts import Role
from servicekit.cli import Command, migration_commands, run_cli
from servicekit.migrations import alembic_config_of, revisions_of

alembic_config = alembic_config_of("gateway")


class AccountToOpen(NamedTuple):
    role: Role
    email: str
    password: str
    name: str | None = None


# Demo mode only: the reviewer and the admin a visitor of `make up` signs in with.
DEMO_ACCOUNTS = (
    AccountToOpen(Role.AGENCY, "agency@demo.local", "demo-agency", "Анна Смирнова (агентство)"),
    AccountToOpen(Role.ADMIN, "admin@demo.local", "demo-admin", "Олег Петров (администратор)"),
)


def main() -> None:
    run_cli(
        prog="python -m gateway",
        settings=Settings,
        commands=[
            Command("serve", "run the gateway (the default)", lambda settings, _: serve(settings)),
            *migration_commands(revisions_of("gateway"), app="gateway"),
            Command(
                "create-account",
                "open an agency or admin account (companies register themselves)",
                _create_account,
                _create_account_flags,
            ),
        ],
    )


def _create_account_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--role", choices=[Role.AGENCY.value, Role.ADMIN.value, Role.COMPANY.value], required=True
    )
    parser.add_argument("--email", required=True)
    parser.add_argument("--password", required=True)
    parser.add_argument("--name", help="the person's name, as the agency's console shows it")


def _create_account(settings: Settings, args: argparse.Namespace) -> int:
    return asyncio.run(
        create_account(
            settings, role=Role(args.role), email=args.email, password=args.password, name=args.name
        )
    )


async def create_account(
    settings: Settings, *, role: Role, email: str, password: str, name: str | None = None
) -> int:
    from gateway.bootstrap import build_container
    from gateway.domain.errors import EmailTaken, InvalidInput, WeakPassword
    from gateway.observability import Metrics
    from gateway.service_layer import accounts

    container = build_container(settings, Metrics())
    try:
        account = await _open(
            container, accounts.open_account, AccountToOpen(role, email, password, name)
        )
    except (EmailTaken, WeakPassword, InvalidInput) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    finally:
        await container.engine.dispose()
    named = f" «{account.name}»" if account.name else ""
    print(f"opened {account.role} account {account.email}{named} ({account.id})")
    return 0


def serve(settings: Settings) -> None:
    from eventkit.published_secrets import refuse_published_secrets

    refuse_published_secrets(
        settings.secrets(), demo_mode=settings.demo_mode, demo_setting="GATEWAY_DEMO_MODE"
    )

    from gateway.bootstrap import create_app
    from servicekit.observability import configure_logging

    configure_logging(
        settings.log_level, quiet=["httpx"]
    )  # a line per upstream call would double the log
    on_start = open_demo_accounts if settings.demo_mode else close_demo_accounts
    app = create_app(settings, on_start=on_start)
    asyncio.run(serve_public_and_operations(app, settings))


class _Server(uvicorn.Server):
    """One of two servers in one loop: the signals are caught once, for both (uvicorn's own
    handling would let the first server to stop re-raise the signal under the other)."""

    @contextlib.contextmanager
    def capture_signals(self):
        yield


def _server(app, *, host: str, port: int, **options) -> _Server:
    """The gateway logs its requests itself (JSON, with their ids), so uvicorn logs none.
    proxy_headers off: uvicorn would believe X-Forwarded-For from FORWARDED_ALLOW_IPS (loopback by
    default); the gateway reads it only from GATEWAY_TRUSTED_PROXIES
    (entrypoints/client_address.py)."""
    config = uvicorn.Config(
        app, host=host, port=port, log_config=None, access_log=False, proxy_headers=False, **options
    )
    return _Server(config)


async def serve_public_and_operations(app, settings: Settings) -> None:
    """The public API and the operations listener (readiness, metrics) as two servers in one
    loop."""
    from gateway.entrypoints.operations import create_operations_app

    public = _server(app, host=settings.http_host, port=settings.http_port)
    operations = _server(
        create_operations_app(app), host=settings.ops_host, port=settings.ops_port, lifespan="off"
    )
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, _stop, public, operations)
    servers = [asyncio.ensure_future(public.serve()), asyncio.ensure_future(operations.serve())]
    # Either one failing to start (a port taken) or stopping stops the other: no half a gateway.
    await asyncio.wait(servers, return_when=asyncio.FIRST_COMPLETED)
    _stop(public, operations)
    await asyncio.gather(*servers)
    if not (public.started and operations.started):
        sys.exit(1)


def _stop(*servers: uvicorn.Server) -> None:
    for server in servers:
        server.should_exit = True


async def _open(container, opening, account: AccountToOpen, **options):
    """`opening` (the service layer's open_account or ensure_account) of `account`, in a unit of
    work of its own."""
    from gateway.service_layer.unit_of_work import UnitOfWork

    return await opening(
        uow=UnitOfWork(container.session_factory),
        passwords=container.passwords,
        **account._asdict(),
        **options,
    )


async def open_demo_accounts(container) -> None:
    from gateway.service_layer import accounts

    lines = []
    for account in DEMO_ACCOUNTS:
        _, opened = await _open(container, accounts.ensure_account, account, in_demo=True)
        role, email, password, _ = account
        lines.append(f"  {role:<7} {email} / {password}{'  (opened now)' if opened else ''}")
    print("demo mode: sign in with\n" + "\n".join(lines), flush=True)


async def close_demo_accounts(container) -> None:
    """Outside demo mode nobody signs in with a password published in the README: the accounts an
    earlier demo run opened (its staff and its demo companies) are disabled, and their sessions
    end."""
    from gateway.service_layer import accounts
    from gateway.service_layer.unit_of_work import UnitOfWork

    account_ids = await accounts.get_enabled_demo_account_ids(
        uow=UnitOfWork(container.session_factory)
    )
    async with UnitOfWork(
        container.session_factory
    ) as uow:  # staff opened by demo runs from before the mark
        named = [await uow.accounts.get_by_email(email) for _, email, _, _ in DEMO_ACCOUNTS]
    account_ids += [
        account.id
        for account in named
        if account is not None and not account.disabled and account.id not in account_ids
    ]
    for account_id in account_ids:
        await accounts.disable_account(
            uow=UnitOfWork(container.session_factory),
            account_id=account_id,
            disabled_by="demo-mode-off",
        )
    if account_ids:
        print(
            f"demo mode is off: disabled {len(account_ids)} account(s) opened in demo mode",
            flush=True,
        )


if __name__ == "__main__":
    main()
