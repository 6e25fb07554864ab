"""python -m web [serve]"""

from __future__ import annotations

import argparse
import copy
import logging

import uvicorn
import uvicorn.config

from servicekit.cli import Command, run_cli
from web.config import Settings


class PathsWithoutQuery(logging.Filter):
    """Cuts each access line's path at its query: the emailed links carry their tokens there."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and len(record.args) == 5:
            client, method, path, version, status = record.args
            record.args = (client, method, str(path).split("?", 1)[0], version, status)
        return True


def logging_config() -> dict:
    config = copy.deepcopy(uvicorn.config.LOGGING_CONFIG)
    config["filters"] = {"paths_without_query": {"()": PathsWithoutQuery}}
    config["handlers"]["access"]["filters"] = ["paths_without_query"]
    return config


def main() -> None:
    run_cli(
        prog="python -m web",
        settings=Settings,
        commands=[Command("serve", "serve the pages (the default)", serve)],
    )


def serve(settings: Settings, args: argparse.Namespace) -> None:
    from eventkit.published_secrets import previous_secrets_named, refuse_published_secrets

    refuse_published_secrets(
        {
            "WEB_SESSION_SECRET": settings.session_secret,
            **previous_secrets_named(
                "WEB_SESSION_PREVIOUS_SECRETS", settings.session_previous_secrets
            ),
        },
        demo_mode=settings.demo_mode,
        demo_setting="WEB_DEMO_MODE",
    )
    logging.basicConfig(
        level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s %(message)s"
    )
    from web.bootstrap import create_app

    # Behind a proxy, uvicorn takes the visitor's address from X-Forwarded-For only from the peers
    # in WEB_FORWARDED_ALLOW_IPS (none unless set); the gateway is then told that address.
    trusted = settings.forwarded_allow_ips.strip()
    uvicorn.run(
        create_app(settings),
        host=settings.http_host,
        port=settings.http_port,
        log_level=settings.log_level.lower(),
        proxy_headers=bool(trusted),
        forwarded_allow_ips=trusted or None,
        log_config=logging_config(),
    )


if __name__ == "__main__":
    main()
