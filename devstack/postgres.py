"""A PostgreSQL server from the binaries the `pgserver` package installs, listening on loopback TCP.

pgserver's own launcher listens on a Unix socket only; the services and docker-compose speak TCP
URLs, so the same binaries are driven here with initdb and pg_ctl directly.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import pwd
import signal
import subprocess
import tempfile
from pathlib import Path

from devstack.errors import StackError
from devstack.processes import poll, process_exists

# How long a fast shutdown asked directly may take before the postmaster is told to quit at once.
_STOP_TIMEOUT_SECONDS = 60.0

_SYSTEM_USER = "pgserver"  # PostgreSQL refuses to run as root


def _binaries() -> Path:
    # Found without importing pgserver, whose import starts its own machinery.
    spec = importlib.util.find_spec("pgserver")
    if spec is None or not spec.submodule_search_locations:
        raise StackError("the pgserver package is missing; run `make deps`")
    return Path(spec.submodule_search_locations[0]) / "pginstall" / "bin"


class LocalPostgres:
    def __init__(self, *, data_dir: Path, port: int, durable: bool = True) -> None:
        self.data_dir = data_dir
        self.port = port
        self.durable = durable
        self._bin = _binaries()
        self._user = _ensure_system_user() if os.geteuid() == 0 else None

    def url(self, database: str, *, driver: str = "postgresql+asyncpg") -> str:
        return f"{driver}://postgres@127.0.0.1:{self.port}/{database}"

    def start(self) -> None:
        self._prepare_data_dir()
        if not (self.data_dir / "PG_VERSION").exists():
            self._run(
                "initdb",
                "-D",
                str(self.data_dir),
                "-U",
                "postgres",
                "--auth=trust",
                "--encoding=UTF8",
                "--locale=C.UTF-8",
            )
        options = f"-h 127.0.0.1 -p {self.port} -k {self.data_dir}"
        if not self.durable:
            options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        options += " -c max_connections=300"
        # A unique violation's DETAIL line quotes the value ("Key (email)=(…) already exists"): the
        # server's log keeps the error without it, so contacts never reach that log either.
        options += " -c log_error_verbosity=terse"
        log = self.log_path
        try:
            self._run(
                "pg_ctl",
                "-D",
                str(self.data_dir),
                "-o",
                options,
                "-l",
                str(log),
                "-w",
                "-t",
                "60",
                "start",
            )
        except StackError as error:
            tail = log.read_text(errors="replace").splitlines()[-3:] if log.exists() else []
            raise StackError(
                f"PostgreSQL did not start on port {self.port}: {' | '.join(tail) or error}"
            ) from error

    @property
    def log_path(self) -> Path:
        return self.data_dir / "server.log"

    def pid(self) -> int | None:
        """The postmaster's process id, from the file it keeps while it runs."""
        try:
            return int((self.data_dir / "postmaster.pid").read_text().split()[0])
        except (FileNotFoundError, IndexError, ValueError):
            return None

    def alive(self) -> bool:
        pid = self.pid()
        if pid is None:
            return False
        try:
            # pg_ctl detaches the server: not our child, so a zombie of it is seen, not reaped.
            return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
        except (FileNotFoundError, IndexError):
            return False

    def restart(self) -> None:
        """Starts a server that died again, once its old postmaster is gone: until its parent
        reaps it, it still owns the lock file and the new server refuses to start."""
        pid = self.pid()
        if pid is not None:
            poll(lambda: not process_exists(pid), timeout=10, interval=0.05)
        self.start()

    def stop(self) -> None:
        pid = self.pid()
        if pid is None:
            return
        self._run("pg_ctl", "-D", str(self.data_dir), "-m", "fast", "-w", "stop", check=False)
        if self.alive():
            # pg_ctl could not reach the server: its wait ran out on a busy machine, or the server's
            # user can no longer read the folder (another pytest session closes the permissions of
            # /tmp/pytest-of-<user>). A fast shutdown is then asked of the postmaster directly.
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGINT)
            if not poll(lambda: not self.alive(), timeout=_STOP_TIMEOUT_SECONDS, interval=0.1):
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGQUIT)  # immediate shutdown: recovery at next start

    def create_databases(self, names: list[str]) -> None:
        for name in names:
            exists = self._psql("postgres", f"SELECT 1 FROM pg_database WHERE datname = '{name}'")
            if exists.strip() != "1":
                self._psql("postgres", f'CREATE DATABASE "{name}"')

    def drop_database(self, name: str) -> None:
        self._psql("postgres", f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def _psql(self, database: str, sql: str) -> str:
        return self._run(
            "psql",
            "-h",
            "127.0.0.1",
            "-p",
            str(self.port),
            "-U",
            "postgres",
            "-d",
            database,
            "-tAc",
            sql,
        )

    def _prepare_data_dir(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        if self._user is None:
            return
        _open_path_for_traversal(self.data_dir)
        os.chown(self.data_dir, self._user.pw_uid, self._user.pw_gid)
        self.data_dir.chmod(0o700)

    def _run(self, program: str, *args: str, check: bool = True) -> str:
        # Files, not pipes: the postmaster pg_ctl leaves behind would hold a pipe open forever.
        with tempfile.TemporaryFile("w+") as out:
            result = subprocess.run(
                [str(self._bin / program), *args],
                user=self._user.pw_uid if self._user else None,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                text=True,
                timeout=120,
                cwd="/",
            )
            out.seek(0)
            output = out.read()
        if check and result.returncode != 0:
            last_line = (output.strip().splitlines() or ["no output"])[-1]
            raise StackError(f"{program} failed: {last_line}")
        return output


def _ensure_system_user() -> pwd.struct_passwd:
    try:
        return pwd.getpwnam(_SYSTEM_USER)
    except KeyError:
        subprocess.run(
            ["useradd", "--system", "--no-create-home", _SYSTEM_USER],
            check=True,
            capture_output=True,
        )
        return pwd.getpwnam(_SYSTEM_USER)


def _open_path_for_traversal(path: Path) -> None:
    """The server's user must be able to reach its data directory through every parent."""
    for parent in path.resolve().parents:
        mode = parent.stat().st_mode
        if mode & 0o011 != 0o011:
            parent.chmod(mode | 0o011)
