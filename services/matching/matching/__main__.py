"""python -m matching [serve|migrate|downgrade|rematch|rebuild-funnel]"""

from matching.config import Settings
from servicekit.cli import Command, run_service_cli
from servicekit.migrations import alembic_config_of

alembic_config = alembic_config_of("matching")


def main() -> None:
    run_service_cli("matching", settings=Settings, commands=COMMANDS)


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


# The matching service's own commands, beside serve, migrate and downgrade.
COMMANDS = [
    Command(
        "rematch",
        "re-score every active listing with the current weights and taxonomy",
        lambda settings, args: rematch(settings, workers=args.workers),
        lambda parser: parser.add_argument(
            "--workers",
            type=int,
            default=None,
            help="processes finding partners (default: the CPUs)",
        ),
    ),
    Command(
        "rebuild-funnel",
        "derive the funnel's roll-up again from match_history",
        lambda settings, _: rebuild_funnel(settings),
    ),
]


if __name__ == "__main__":
    main()
