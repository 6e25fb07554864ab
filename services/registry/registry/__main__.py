"""python -m registry [serve|relay|consume|expire-listings|migrate|downgrade]"""

import argparse
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
    parser.add_argument("command", choices=["serve", "relay", "consume", "expire-listings", "migrate", "downgrade"], nargs="?", default="serve")
    parser.add_argument("--revision", default=None, help="target revision (migrate: head, downgrade: base)")
    args = parser.parse_args()
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
    else:
        serve(settings)


def serve(settings: Settings) -> None:
    import uvicorn

    from registry.bootstrap import create_app
    from registry.observability import configure_logging

    configure_logging(settings.log_level)
    uvicorn.run(create_app(settings), host=settings.http_host, port=settings.http_port, log_config=None, access_log=False)


def relay(settings: Settings) -> None:
    import asyncio
    import signal

    from registry.bootstrap import run_relay_alone
    from registry.observability import configure_logging

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
    from registry.observability import configure_logging

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
    from registry.observability import configure_logging

    configure_logging(settings.log_level)
    done = asyncio.run(expire_once(settings))
    print(json.dumps({"closed": done.closed, "reminded": done.reminded}))


if __name__ == "__main__":
    main()
