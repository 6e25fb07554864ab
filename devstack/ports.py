import socket

from devstack.errors import StackError


def is_free(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def require_free(ports: dict[str, int]) -> None:
    taken = [f"{name} ({port})" for name, port in ports.items() if not is_free(port)]
    if taken:
        raise StackError(
            f"port already taken: {', '.join(taken)}; stop what uses it (`make down`, or `ss "
            "-ltnp`) "
            "or choose other ports (see `python -m devstack up --help`)"
        )


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
