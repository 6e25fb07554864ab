"""python -m registry [serve|relay|consume|expire-listings|republish-enterprises|republish-listings|
migrate|downgrade]"""

import argparse
import uuid

from registry.config import Settings
from servicekit.cli import Command, UsageError, run_service_cli
from servicekit.migrations import alembic_config_of

alembic_config = alembic_config_of("registry")


def main() -> None:
    run_service_cli("registry", settings=Settings, commands=COMMANDS)


def relay(settings: Settings) -> int:
    """A relay still waiting for Kafka after the grace period is cancelled, and exits with 1."""
    from registry.bootstrap import run_relay_alone
    from servicekit.observability import configure_logging
    from servicekit.runner import run_until_signalled

    configure_logging(settings.log_level)
    return 0 if run_until_signalled(lambda stop: run_relay_alone(settings, stop)) else 1


def consume(settings: Settings) -> None:
    """The consumer of matching's events alone; run it beside `serve` with
    REGISTRY_CONSUMER_ENABLED=false."""
    from registry.bootstrap import run_consumer_alone
    from servicekit.observability import configure_logging
    from servicekit.runner import run_until_signalled

    configure_logging(settings.log_level)
    run_until_signalled(lambda stop: run_consumer_alone(settings, stop))


def _which_enterprises(parser: argparse.ArgumentParser) -> None:
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--all", action="store_true", help="every live enterprise")
    which.add_argument(
        "--enterprise", type=uuid.UUID, default=None, metavar="ID", help="this enterprise only"
    )


def _republish_listings_flags(parser: argparse.ArgumentParser) -> None:
    _which_enterprises(parser)
    parser.add_argument(
        "--include-closed", action="store_true", help="closed listings too (default: active only)"
    )


def _one_of_all_or_enterprise(args: argparse.Namespace) -> None:
    if not args.all and args.enterprise is None:
        raise UsageError(f"{args.command} needs --all or --enterprise ID")


def _republish_listings(settings: Settings, args: argparse.Namespace) -> None:
    republish(
        settings, "listings", enterprise_id=args.enterprise, include_closed=args.include_closed
    )


def _republish_enterprises(settings: Settings, args: argparse.Namespace) -> None:
    republish(settings, "enterprises", enterprise_id=args.enterprise)


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


def republish(settings: Settings, what: str, *, enterprise_id: uuid.UUID | None, **options) -> None:
    """Writes each live enterprise's profile (`what` = "enterprises": one enterprise.updated) or
    each listing (`what` = "listings": one listing.changed, same version) to the outbox again, with
    what the tables hold now; the relay publishes them. For a consumer rebuilt after the topics'
    retention (enterprises first, then listings), or data changed without events (revision 0006's
    unit codes, a hand-made fix). Prints {"republished": N}; an unknown or deleted --enterprise
    exits with 1."""
    import asyncio
    import json
    import sys

    from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

    from registry.domain.errors import NotFound
    from registry.service_layer import republish as announcing
    from registry.service_layer.unit_of_work import UnitOfWork
    from servicekit.observability import configure_logging

    configure_logging(settings.log_level)
    use_case = {
        "enterprises": announcing.republish_enterprises,
        "listings": announcing.republish_listings,
    }[what]

    async def run() -> int:
        engine = create_async_engine(settings.database_url, hide_parameters=True, pool_size=2)
        try:
            factory = async_sessionmaker(engine, expire_on_commit=False)
            return await use_case(
                unit_of_work=lambda: UnitOfWork(factory), enterprise_id=enterprise_id, **options
            )
        finally:
            await engine.dispose()

    try:
        done = asyncio.run(run())
    except NotFound as error:
        print(json.dumps({"error": str(error)}), file=sys.stderr)
        raise SystemExit(1) from None
    print(json.dumps({"republished": done}))


# The registry service's own commands, beside serve, migrate and downgrade.
COMMANDS = [
    Command("relay", "the outbox relay alone", lambda settings, _: relay(settings)),
    Command(
        "consume",
        "the consumer of matching's events alone",
        lambda settings, _: consume(settings),
    ),
    Command(
        "expire-listings",
        "one pass of the expiry sweep `serve` runs",
        lambda settings, _: expire_listings(settings),
    ),
    Command(
        "republish-enterprises",
        "one enterprise.updated per live enterprise, written to the outbox",
        _republish_enterprises,
        _which_enterprises,
        _one_of_all_or_enterprise,
    ),
    Command(
        "republish-listings",
        "one listing.changed per listing, written to the outbox",
        _republish_listings,
        _republish_listings_flags,
        _one_of_all_or_enterprise,
    ),
]


if __name__ == "__main__":
    main()
