"""python -m web [serve]"""

from __future__ import annotations

import argparse
import logging

import uvicorn

from web.config import Settings


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m web")
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("serve", help="serve the pages (the default)")
    parser.parse_args()
    settings = Settings()
    from eventkit.published_secrets import refuse_published_secrets

    refuse_published_secrets({"WEB_SESSION_SECRET": settings.session_secret}, demo_mode=settings.demo_mode, demo_setting="WEB_DEMO_MODE")
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    from web.bootstrap import create_app

    # Behind a proxy, uvicorn takes the visitor's address from X-Forwarded-For only from the peers
    # in WEB_FORWARDED_ALLOW_IPS (none unless set); the gateway is then told that address.
    trusted = settings.forwarded_allow_ips.strip()
    uvicorn.run(create_app(settings), host=settings.http_host, port=settings.http_port, log_level=settings.log_level.lower(),
                proxy_headers=bool(trusted), forwarded_allow_ips=trusted or None)


if __name__ == "__main__":
    main()
