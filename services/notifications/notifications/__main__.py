"""python -m notifications [serve|migrate|downgrade|resend-dead]"""

import argparse
import asyncio
import uuid
from datetime import datetime

from notifications.config import Settings
from servicekit.cli import Command, run_service_cli
from servicekit.migrations import alembic_config_of

alembic_config = alembic_config_of("notifications")


def main() -> None:
    run_service_cli("notifications", settings=Settings, commands=COMMANDS)


def _resend_dead_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--template", default=None, help="only this kind of email (welcome, suggestion, ...)"
    )
    parser.add_argument(
        "--enterprise-id", type=uuid.UUID, default=None, help="only this enterprise's emails"
    )
    parser.add_argument(
        "--since",
        type=datetime.fromisoformat,
        default=None,
        help="only emails created since (ISO 8601)",
    )


def _resend_dead(settings: Settings, args: argparse.Namespace) -> None:
    count = asyncio.run(
        resend_dead(
            settings, template=args.template, enterprise_id=args.enterprise_id, since=args.since
        )
    )
    print(f"{count} dead emails queued again")


async def resend_dead(
    settings: Settings,
    *,
    template: str | None,
    enterprise_id: uuid.UUID | None,
    since: datetime | None,
) -> int:
    """Queues the dead emails again; a running sender picks them up within its poll interval."""
    from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

    from notifications.domain.deliveries import DeliveryFilter
    from notifications.service_layer import deliveries
    from notifications.service_layer.unit_of_work import UnitOfWork

    engine = create_async_engine(settings.database_url, hide_parameters=True)
    try:
        selection = DeliveryFilter(
            template=template, enterprise_id=enterprise_id, created_from=since
        )
        return await deliveries.resend_dead(
            uow=UnitOfWork(async_sessionmaker(engine, expire_on_commit=False)), selection=selection
        )
    finally:
        await engine.dispose()


# The notifications service's own commands, beside serve, migrate and downgrade.
COMMANDS = [Command("resend-dead", "queue the dead emails again", _resend_dead, _resend_dead_flags)]


if __name__ == "__main__":
    main()
