"""The command line of every app (`python -m <app> [command] [flags]`): a table of commands, each
with its flags, run with the app's settings; no command means `serve`. The commands every service
shares are built here: `serve` (one HTTP server), `migrate` and `downgrade` (Alembic), and the
settings they read (`ServiceSettings`, which each service's own settings extend)."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict

from eventkit.kafka import KafkaClientSettings
from eventkit.published_secrets import PreviousSecrets, previous_secrets_named
from servicekit.migrations import alembic_config, revisions_of

Run = Callable[[Any, argparse.Namespace], int | None]
"""(settings, parsed flags) -> the process's exit code (None is 0)."""


@dataclass(frozen=True)
class Command:
    name: str
    help: str
    run: Run
    flags: Callable[[argparse.ArgumentParser], None] = lambda parser: None
    # Refuses flags that parse but do not fit together, before any setting is read.
    check: Callable[[argparse.Namespace], None] = lambda args: None


class UsageError(Exception):
    """Flags that parse but do not make sense together: the command's usage and exit code 2."""


class ServiceSettings(KafkaClientSettings):
    """The settings every service has and its shared commands read; a service's own settings extend
    them with their environment prefix, their defaults (database, port) and the rest."""

    # Each field's docstring is its description: the configuration reference is made from them.
    model_config = SettingsConfigDict(use_attribute_docstrings=True)

    database_url: str
    """SQLAlchemy URL of the service's own database (asyncpg driver)."""
    kafka_bootstrap_servers: str = "127.0.0.1:9092"
    """Kafka brokers, comma-separated `host:port`."""
    http_host: str = "127.0.0.1"
    """Address the HTTP server binds."""
    http_port: int
    """HTTP port."""
    internal_token_secret: SecretStr = Field(min_length=32)
    """Key that verifies the gateway's signed internal tokens (notifications also signs its email
    links with it); the same value in all four services; at least 32 characters."""
    internal_token_previous_secrets: PreviousSecrets = []
    """Internal-token secrets still accepted while `<SERVICE>_INTERNAL_TOKEN_SECRET` is rotated (a
    JSON list, each at least 32 characters): what they signed is read, the current secret signs
    (docs/OPERATIONS.md)."""
    # Only in demo mode may a secret keep a value published in this repository (docker-compose's
    # demo).
    demo_mode: bool = False
    """Demo mode: the secrets may keep a value published in this repository (never where anyone
    else can reach it)."""
    log_level: str = "INFO"
    """Log level (`DEBUG`, `INFO`, `WARNING`, ...)."""


def run_service_cli(
    package: str, *, settings: type[ServiceSettings], commands: Sequence[Command] = ()
) -> None:
    """`python -m <package>`: `serve` (the default) `<package>.bootstrap:create_app`, the service's
    own `commands`, then `migrate` and `downgrade` of the revisions in `<package>/migrations`."""
    prefix = settings.model_config["env_prefix"]
    serve = serve_command(
        f"{package}.bootstrap:create_app",
        secrets=lambda s: {
            f"{prefix}INTERNAL_TOKEN_SECRET": s.internal_token_secret,
            **previous_secrets_named(
                f"{prefix}INTERNAL_TOKEN_PREVIOUS_SECRETS", s.internal_token_previous_secrets
            ),
        },
        demo_setting=f"{prefix}DEMO_MODE",
    )
    run_cli(
        prog=f"python -m {package}",
        settings=settings,
        commands=[serve, *commands, *migration_commands(revisions_of(package), app=package)],
    )


def run_cli(
    *, prog: str, settings: Callable[[], Any], commands: Sequence[Command], default: str = "serve"
) -> None:
    parser = argparse.ArgumentParser(prog=prog)
    sub = parser.add_subparsers(dest="command")
    parsers = {}
    for command in commands:
        parsers[command.name] = sub.add_parser(command.name, help=command.help)
        command.flags(parsers[command.name])
    args = parser.parse_args()
    if args.command is None:
        args = parser.parse_args([default])
    chosen = next(command for command in commands if command.name == args.command)
    try:
        chosen.check(args)
    except UsageError as error:
        parsers[chosen.name].error(str(error))
    sys.exit(chosen.run(settings(), args) or 0)


def migration_commands(migrations: Path, *, app: str) -> list[Command]:
    """`migrate` (to the newest revision by default) and `downgrade` (to base by default)."""

    def migrate(settings, args: argparse.Namespace) -> None:
        from alembic import command

        command.upgrade(alembic_config(migrations, settings.database_url), args.revision)

    def downgrade(settings, args: argparse.Namespace) -> None:
        from alembic import command

        command.downgrade(alembic_config(migrations, settings.database_url), args.revision)

    return [
        Command(
            "migrate",
            f"bring the {app}'s database to the newest revision",
            migrate,
            lambda parser: parser.add_argument("--revision", default="head"),
        ),
        Command(
            "downgrade",
            f"take the {app}'s database back to a revision",
            downgrade,
            lambda parser: parser.add_argument("--revision", default="base"),
        ),
    ]


def serve_command(
    create_app: str,
    *,
    secrets: Callable[[Any], Mapping[str, SecretStr]],
    demo_setting: str,
    help: str = "serve the HTTP API (the default)",
) -> Command:
    """One uvicorn server of `create_app` ("package.module:function", imported only to serve),
    refused while a secret still has the value published in this repository outside demo mode."""

    def serve(settings, args: argparse.Namespace) -> None:
        from eventkit.published_secrets import refuse_published_secrets

        refuse_published_secrets(
            secrets(settings), demo_mode=settings.demo_mode, demo_setting=demo_setting
        )
        import uvicorn

        from servicekit.observability import configure_logging

        configure_logging(settings.log_level)
        uvicorn.run(
            load(create_app)(settings),
            host=settings.http_host,
            port=settings.http_port,
            log_config=None,
            access_log=False,
        )

    return Command("serve", help, serve)


def load(target: str) -> Any:
    module, _, name = target.partition(":")
    return getattr(importlib.import_module(module), name)
