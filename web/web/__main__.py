"""python -m web [serve]"""

from __future__ import annotations

import argparse
import socket

import uvicorn

from servicekit.cli import Command, run_cli
from web.config import Settings


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
    from servicekit.observability import configure_logging
    from web.bootstrap import create_app
    from web.entrypoints.operations import serve_operations_beside

    # One JSON line per request, written by servicekit's middleware with the request's id and its
    # path without the query (the emailed links carry their tokens there); a line per call to the
    # gateway would double the log.
    configure_logging(settings.log_level, quiet=["httpx"])
    app = create_app(settings)
    if settings.ops_port is not None:
        app = serve_operations_beside(app, operations_port=settings.ops_port)
    # Behind a proxy, uvicorn takes the visitor's address from X-Forwarded-For only from the peers
    # in WEB_FORWARDED_ALLOW_IPS (none unless set); the gateway is then told that address.
    trusted = settings.forwarded_allow_ips.strip()
    config = uvicorn.Config(
        app,
        host=settings.http_host,
        port=settings.http_port,
        log_config=None,
        access_log=False,
        proxy_headers=bool(trusted),
        forwarded_allow_ips=trusted or None,
    )
    uvicorn.Server(config).run(sockets=_listeners(config, settings))


def _listeners(config: uvicorn.Config, settings: Settings) -> list[socket.socket] | None:
    """The public socket and the operations one, bound here so that one server serves both; none
    (uvicorn binds the public address itself) without an operations listener."""
    if settings.ops_port is None:
        return None
    # A configuration of the same app on the operations address, only to bind that socket the way
    # uvicorn binds its own (the address reuse, IPv6, the line saying where it listens).
    operations = uvicorn.Config(config.app, host=settings.ops_host, port=settings.ops_port)
    return [config.bind_socket(), operations.bind_socket()]


if __name__ == "__main__":
    main()
