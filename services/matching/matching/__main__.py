"""python -m matching [serve|migrate|downgrade|rematch|rebuild-funnel]"""

import argparse
from pathlib import Path

from alembic import command
from alembic.config import Config

from matching.config import Settings


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m matching")
    parser.add_argument(
        "command",
        choices=["serve", "migrate", "downgrade", "rematch", "rebuild-funnel"],
        nargs="?",
        default="serve",
    )
    parser.add_argument(
        "--revision", default=None, help="target revision (migrate: head, downgrade: base)"
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=None,
        help="rematch: processes finding partners (default: the CPUs)",
    )
    args = parser.parse_args()
    settings = Settings()
    if args.command == "migrate":
        command.upgrade(alembic_config(settings.database_url), args.revision or "head")
    elif args.command == "downgrade":
        command.downgrade(alembic_config(settings.database_url), args.revision or "base")
    elif args.command == "rematch":
        rematch(settings, workers=args.workers)
    elif args.command == "rebuild-funnel":
        rebuild_funnel(settings)
    else:
        serve(settings)


def serve(settings: Settings) -> None:
    from eventkit.published_secrets import refuse_published_secrets

    refuse_published_secrets(
        {"MATCHING_INTERNAL_TOKEN_SECRET": settings.internal_token_secret},
        demo_mode=settings.demo_mode,
        demo_setting="MATCHING_DEMO_MODE",
    )
    import uvicorn

    from matching.bootstrap import create_app
    from servicekit.observability import configure_logging

    configure_logging(settings.log_level)
    uvicorn.run(
        create_app(settings),
        host=settings.http_host,
        port=settings.http_port,
        log_config=None,
        access_log=False,
    )


def rematch(settings: Settings, *, workers: int | None = None) -> None:
    """Re-scores every active listing with the current weights and taxonomy; the running service's
    relay publishes the resulting events from the outbox. The partners of each batch of needs are
    found in `workers` processes (by default one per CPU), the writes stay in this one."""
    import asyncio
    import os

    from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

    from matching.bootstrap import build_matcher
    from matching.service_layer.matches import rematch_all
    from matching.service_layer.unit_of_work import UnitOfWork

    async def run() -> int:
        engine = create_async_engine(settings.database_url, hide_parameters=True)
        factory = async_sessionmaker(engine, expire_on_commit=False)
        try:
            return await rematch_all(
                uow_factory=lambda: UnitOfWork(factory),
                matcher=build_matcher(settings),
                workers=workers or os.cpu_count() or 1,
            )
        finally:
            await engine.dispose()

    print(f"re-matched {asyncio.run(run())} needs")


def rebuild_funnel(settings: Settings) -> None:
    """Derives the funnel's roll-up again from match_history, after history was loaded or
    corrected by other means than the service (a bulk load, a restore, a hand-made fix)."""
    import asyncio

    from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

    from matching.service_layer.matches import rebuild_funnel as rebuild
    from matching.service_layer.unit_of_work import UnitOfWork

    async def run() -> int:
        engine = create_async_engine(settings.database_url, hide_parameters=True)
        try:
            return await rebuild(uow=UnitOfWork(async_sessionmaker(engine, expire_on_commit=False)))
        finally:
            await engine.dispose()

    print(f"the funnel's roll-up has {asyncio.run(run())} rows")


if __name__ == "__main__":
    main()
