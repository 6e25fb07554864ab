"""python -m notifications [serve|migrate|downgrade|resend-dead]"""

import argparse
import asyncio
import uuid
from datetime import datetime
from pathlib import Path

from alembic import command
from alembic.config import Config

from notifications.config import Settings


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m notifications")
    parser.add_argument(
        "command",
        choices=["serve", "migrate", "downgrade", "resend-dead"],
        nargs="?",
        default="serve",
    )
    parser.add_argument(
        "--revision", default=None, help="target revision (migrate: head, downgrade: base)"
    )
    parser.add_argument(
        "--template",
        default=None,
        help="resend-dead: only this kind of email (welcome, suggestion, ...)",
    )
    parser.add_argument(
        "--enterprise-id",
        type=uuid.UUID,
        default=None,
        help="resend-dead: only this enterprise's emails",
    )
    parser.add_argument(
        "--since",
        type=datetime.fromisoformat,
        default=None,
        help="resend-dead: only emails created since (ISO 8601)",
    )
    args = parser.parse_args()
    settings = Settings()
    if args.command == "migrate":
        command.upgrade(alembic_config(settings.database_url), args.revision or "head")
    elif args.command == "downgrade":
        command.downgrade(alembic_config(settings.database_url), args.revision or "base")
    elif args.command == "resend-dead":
        count = asyncio.run(
            resend_dead(
                settings, template=args.template, enterprise_id=args.enterprise_id, since=args.since
            )
        )
        print(f"{count} dead emails queued again")
    else:
        serve(settings)


async def resend_dead(
    settings: Settings,
    *,
    template: str | None,
    enterprise_id: uuid.UUID | None,
    since: datetime | None,
) -> int:
    """Queues the dead emails again; a running sender picks them up within its poll interval."""
    from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

    from notifications.adapters.repository import DeliveryFilter
    from notifications.service_layer import handlers
    from notifications.service_layer.unit_of_work import UnitOfWork

    engine = create_async_engine(settings.database_url, hide_parameters=True)
    try:
        selection = DeliveryFilter(
            template=template, enterprise_id=enterprise_id, created_from=since
        )
        return await handlers.resend_dead(
            selection, uow=UnitOfWork(async_sessionmaker(engine, expire_on_commit=False))
        )
    finally:
        await engine.dispose()


def serve(settings: Settings) -> None:
    from eventkit.published_secrets import refuse_published_secrets

    refuse_published_secrets(
        {"NOTIFICATIONS_INTERNAL_TOKEN_SECRET": settings.internal_token_secret},
        demo_mode=settings.demo_mode,
        demo_setting="NOTIFICATIONS_DEMO_MODE",
    )
    import uvicorn

    from notifications.bootstrap import create_app
    from servicekit.observability import configure_logging

    configure_logging(settings.log_level)
    uvicorn.run(
        create_app(settings),
        host=settings.http_host,
        port=settings.http_port,
        log_config=None,
        access_log=False,
    )


if __name__ == "__main__":
    main()
