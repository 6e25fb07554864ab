"""python -m notifications [serve|migrate|downgrade]"""

import argparse
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
    parser.add_argument("command", choices=["serve", "migrate", "downgrade"], nargs="?", default="serve")
    parser.add_argument("--revision", default=None, help="target revision (migrate: head, downgrade: base)")
    args = parser.parse_args()
    settings = Settings()
    if args.command == "migrate":
        command.upgrade(alembic_config(settings.database_url), args.revision or "head")
    elif args.command == "downgrade":
        command.downgrade(alembic_config(settings.database_url), args.revision or "base")
    else:
        serve(settings)


def serve(settings: Settings) -> None:
    import uvicorn

    from notifications.bootstrap import create_app
    from notifications.observability import configure_logging

    configure_logging(settings.log_level)
    uvicorn.run(create_app(settings), host=settings.http_host, port=settings.http_port, log_config=None, access_log=False)


if __name__ == "__main__":
    main()
