"""python -m registry [serve|relay|consume|expire-listings|republish-listings|migrate|downgrade]"""

import argparse
import uuid
from pathlib import Path

from alembic import command
from alembic.config import Config

from registry.config import Settings


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m registry")
    parser.add_argument(
        "command",
        choices=[
            "serve",
            "relay",
            "consume",
            "expire-listings",
            "republish-listings",
            "migrate",
            "downgrade",
        ],
        nargs="?",
        default="serve",
    )
    parser.add_argument(
        "--revision", default=None, help="target revision (migrate: head, downgrade: base)"
    )
    which = parser.add_mutually_exclusive_group()
    which.add_argument(
        "--all", action="store_true", help="republish-listings: every live enterprise's listings"
    )
    which.add_argument(
        "--enterprise",
        type=uuid.UUID,
        default=None,
        metavar="ID",
        help="republish-listings: this enterprise's listings",
    )
    parser.add_argument(
        "--include-closed",
        action="store_true",
        help="republish-listings: closed listings too (default: active only)",
    )
    args = parser.parse_args()
    if args.command == "republish-listings" and not args.all and args.enterprise is None:
        parser.error("republish-listings needs --all or --enterprise ID")
    settings = Settings()
    if args.command == "migrate":
        command.upgrade(alembic_config(settings.database_url), args.revision or "head")
    elif args.command == "downgrade":
        command.downgrade(alembic_config(settings.database_url), args.revision or "base")
    elif args.command == "relay":
        relay(settings)
    elif args.command == "consume":
        consume(settings)
    elif args.command == "expire-listings":
        expire_listings(settings)
    elif args.command == "republish-listings":
        republish_listings(
            settings, enterprise_id=args.enterprise, include_closed=args.include_closed
        )
    else:
        serve(settings)


def serve(settings: Settings) -> None:
    from eventkit.published_secrets import refuse_published_secrets

    refuse_published_secrets(
        {"REGISTRY_INTERNAL_TOKEN_SECRET": settings.internal_token_secret},
        demo_mode=settings.demo_mode,
        demo_setting="REGISTRY_DEMO_MODE",
    )
    import uvicorn

    from registry.bootstrap import create_app
    from servicekit.observability import configure_logging

    configure_logging(settings.log_level)
    uvicorn.run(
        create_app(settings),
        host=settings.http_host,
        port=settings.http_port,
        log_config=None,
        access_log=False,
    )


def relay(settings: Settings) -> None:
    import asyncio
    import signal

    from registry.bootstrap import run_relay_alone
    from servicekit.observability import configure_logging

    configure_logging(settings.log_level)

    async def until_stopped() -> None:
        stop = asyncio.Event()
        for signum in (signal.SIGINT, signal.SIGTERM):
            asyncio.get_running_loop().add_signal_handler(signum, stop.set)
        relaying = asyncio.create_task(run_relay_alone(settings, stop))
        await stop.wait()
        await asyncio.wait_for(relaying, 10)  # a relay still waiting for Kafka is cancelled

    asyncio.run(until_stopped())


def consume(settings: Settings) -> None:
    """The consumer of matching's events alone; run it beside `serve` with REGISTRY_CONSUMER_ENABLED=false."""
    import asyncio
    import signal

    from registry.bootstrap import run_consumer_alone
    from servicekit.observability import configure_logging

    configure_logging(settings.log_level)

    async def until_stopped() -> None:
        stop = asyncio.Event()
        for signum in (signal.SIGINT, signal.SIGTERM):
            asyncio.get_running_loop().add_signal_handler(signum, stop.set)
        consuming = asyncio.create_task(run_consumer_alone(settings, stop))
        await stop.wait()
        try:
            await asyncio.wait_for(consuming, 10)
        except TimeoutError:
            pass

    asyncio.run(until_stopped())


def expire_listings(settings: Settings) -> None:
    """One pass of the expiry sweep `serve` runs: closes the listings whose valid_until has passed
    and queues the reminders due; prints what it did as JSON."""
    import asyncio
    import json

    from registry.entrypoints.expiry import expire_once
    from servicekit.observability import configure_logging

    configure_logging(settings.log_level)
    done = asyncio.run(expire_once(settings))
    print(json.dumps({"closed": done.closed, "reminded": done.reminded}))


def republish_listings(
    settings: Settings, *, enterprise_id: uuid.UUID | None, include_closed: bool
) -> None:
    """Writes one listing.changed (the current snapshot, same version) per listing to the outbox, for
    data changed without events (revision 0006's unit codes, a hand-made fix); the relay publishes
    them. Prints {"republished": N}; an unknown or deleted --enterprise exits with 1."""
    import asyncio
    import json
    import sys

    from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

    from registry.domain.errors import NotFound
    from registry.service_layer import republish
    from registry.service_layer.unit_of_work import UnitOfWork
    from servicekit.observability import configure_logging

    configure_logging(settings.log_level)

    async def run() -> int:
        engine = create_async_engine(settings.database_url, hide_parameters=True, pool_size=2)
        try:
            factory = async_sessionmaker(engine, expire_on_commit=False)
            return await republish.republish_listings(
                unit_of_work=lambda: UnitOfWork(factory),
                enterprise_id=enterprise_id,
                include_closed=include_closed,
            )
        finally:
            await engine.dispose()

    try:
        done = asyncio.run(run())
    except NotFound as error:
        print(json.dumps({"error": str(error)}), file=sys.stderr)
        raise SystemExit(1) from None
    print(json.dumps({"republished": done}))


if __name__ == "__main__":
    main()
