"""python -m gateway [serve]"""

import argparse

from gateway.config import Settings


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m gateway")
    parser.add_argument("command", choices=["serve"], nargs="?", default="serve")
    parser.parse_args()
    settings = Settings()

    import uvicorn

    from gateway.bootstrap import create_app
    from gateway.observability import configure_logging

    configure_logging(settings.log_level)
    uvicorn.run(create_app(settings), host=settings.http_host, port=settings.http_port, log_config=None, access_log=False)


if __name__ == "__main__":
    main()
