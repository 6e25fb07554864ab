"""`make up` (python -m devstack up): the platform comes up and goes down leaving nothing behind;
what cannot work fails with one line that says what to do, and stops whatever it started."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import jwt

from devstack.ports import free_port
from devstack.stack import ROOT
from eventkit.published_secrets import PUBLISHED_SECRETS
from tests.e2e.conftest import Mailbox, _open_company_account
from tests.e2e.profiles import housing_operator_profile


def _port_flags() -> list[str]:
    names = [
        "--web-port",
        "--gateway-port",
        "--gateway-ops-port",
        "--registry-port",
        "--matching-port",
        "--notifications-port",
        "--kafka-port",
        "--kafka-controller-port",
        "--postgres-port",
        "--smtp-port",
        "--smtp-http-port",
    ]
    return [item for name in names for item in (name, str(free_port()))]


def _up(
    state_dir: Path,
    *extra: str,
    env: dict | None = None,
    flags: list[str] | None = None,
    output=subprocess.PIPE,
) -> subprocess.Popen:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "devstack",
            "up",
            "--state-dir",
            str(state_dir),
            *(flags or _port_flags()),
            *extra,
        ],
        cwd=ROOT,
        env=env,
        stdout=output,
        stderr=output,
        text=True,
    )


def _processes_mentioning(text: str) -> list[str]:
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            cmdline = (
                Path(f"/proc/{pid}/cmdline")
                .read_bytes()
                .replace(b"\0", b" ")
                .decode(errors="replace")
            )
            state = Path(f"/proc/{pid}/stat").read_text().split()[2]
        except OSError:
            continue
        if text in cmdline and state != "Z":
            found.append(cmdline)
    return found


def _processes_left(text: str, grace: float = 5.0) -> list[str]:
    """What still runs after a short grace for processes that were already told to stop."""
    deadline = time.monotonic() + grace
    left = _processes_mentioning(text)
    while left and time.monotonic() < deadline:
        time.sleep(0.2)
        left = _processes_mentioning(text)
    return left


def test_a_taken_port_is_named_in_one_line_before_anything_starts(tmp_path):
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        taken = squatter.getsockname()[1]
        flags = _port_flags()
        flags[flags.index("--gateway-port") + 1] = str(taken)
        result = _up(tmp_path, flags=flags)
        _, stderr = result.communicate(timeout=60)

    assert result.returncode == 1, stderr
    [line] = stderr.strip().splitlines()
    assert f"port already taken: gateway ({taken})" in line
    assert "make down" in line


def test_missing_java_is_reported_with_what_to_install(tmp_path):
    result = _up(tmp_path, env={**os.environ, "PATH": "/nonexistent"})
    _, stderr = result.communicate(timeout=60)

    assert result.returncode == 1, stderr
    [line] = stderr.strip().splitlines()
    assert "`java` is not on PATH" in line and "install" in line


def test_a_kafka_that_does_not_come_up_in_time_stops_everything_it_started(tmp_path):
    result = _up(tmp_path, "--kafka-timeout", "0.01", "--no-demo")
    _, stderr = result.communicate(timeout=120)

    assert result.returncode == 1, stderr
    [line] = stderr.strip().splitlines()
    assert "Kafka did not come up" in line
    assert _processes_left(str(tmp_path)) == []


def test_up_runs_the_platform_with_demo_data_and_down_leaves_no_process(tmp_path):
    flags = _port_flags()
    gateway = f"http://127.0.0.1:{flags[flags.index('--gateway-port') + 1]}"
    operations = f"http://127.0.0.1:{flags[flags.index('--gateway-ops-port') + 1]}"
    # A file, not a pipe: a long-running `up` whose pipe nobody reads would block on a full buffer.
    output_path = tmp_path / "up-output.txt"
    output = output_path.open("w")
    platform = _up(tmp_path, flags=flags, output=output)
    try:
        deadline = time.monotonic() + 400  # the demo load hashes 98 passwords with Argon2
        while time.monotonic() < deadline and platform.poll() is None:
            if (tmp_path / "up.pid").exists() and _ready(operations) and _has_demo(gateway):
                break
            time.sleep(1)
        assert platform.poll() is None, platform.stderr.read()
        listing = httpx.get(f"{gateway}/api/v1/enterprises", params={"limit": 1}).json()
        assert listing["total"] >= 80, "the demo data did not load in time"
        # Its secrets were made on this first run and kept in the state folder; tokens are signed
        # with them.
        kept = json.loads((tmp_path / "secrets.json").read_text())
        signed_in = httpx.post(
            f"{gateway}/api/v1/auth/token",
            data={"username": "agency@demo.local", "password": "demo-agency"},
        )
        jwt.decode(
            signed_in.json()["access_token"],
            kept["jwt_secret"],
            algorithms=["HS256"],
            options={"verify_aud": False},
        )
        assert not set(kept.values()) & PUBLISHED_SECRETS
        # The first address a visitor opens is the web's, and the reviewer's console is behind it.
        web = f"http://127.0.0.1:{flags[flags.index('--web-port') + 1]}"
        assert "Union Match" in httpx.get(web + "/").text
        assert httpx.get(web + "/console/queue").headers["location"].startswith("/sign-in")
        printed = time.monotonic() + 120
        while "is up" not in output_path.read_text() and time.monotonic() < printed:
            time.sleep(0.5)
        assert f"web (open this)       {web}/" in output_path.read_text()
    finally:
        down = subprocess.run(
            [sys.executable, "-m", "devstack", "down", "--state-dir", str(tmp_path)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=300,
        )
        platform.wait(timeout=60)
        output.close()
    assert down.returncode == 0, down.stderr
    assert "stopped" in down.stdout
    assert "stopped everything." in output_path.read_text()
    assert _processes_left(str(tmp_path)) == []


def _ready(operations: str) -> bool:
    try:
        return httpx.get(f"{operations}/readyz", timeout=2).status_code == 200
    except httpx.TransportError:
        return False


def _has_demo(gateway: str) -> bool:
    try:
        return (
            httpx.get(f"{gateway}/api/v1/enterprises", params={"limit": 1}, timeout=5).json()[
                "total"
            ]
            >= 80
        )
    except (httpx.TransportError, KeyError, ValueError):
        return False


def _up_without_demo(tmp_path: Path):
    """`up --no-demo` on free ports, once it says it is up: the process, its ports by flag, its
    output file (open for it to write) and that file's path."""
    flags = _port_flags()
    port = dict(zip(flags[::2], flags[1::2], strict=True))
    output_path = tmp_path / "up-output.txt"
    output = output_path.open("w")
    platform = _up(tmp_path, "--no-demo", flags=flags, output=output)
    try:
        _wait_for(lambda: "is up" in output_path.read_text(), platform, timeout=300)
    except AssertionError:
        _devstack("down", tmp_path)  # nothing left behind by a start that did not finish
        raise
    return platform, port, output, output_path


def test_notifications_killed_mid_burst_comes_back_and_every_email_arrives_once(tmp_path):
    platform, port, output, output_path = _up_without_demo(tmp_path)
    gateway_url = f"http://127.0.0.1:{port['--gateway-port']}"
    notifications_ready = f"http://127.0.0.1:{port['--notifications-port']}/readyz"
    try:
        mail_api = f"http://127.0.0.1:{port['--smtp-http-port']}"
        # This one confirms each enterprise's address when asked, so that its welcome follows.
        mailbox = Mailbox(mail_api, gateway_url=gateway_url)
        with httpx.Client(base_url=gateway_url, timeout=30) as gateway:
            addresses, seconds = _register_while_killing_notifications(
                gateway, tmp_path, notifications_ready, count=16
            )
        for address in addresses:
            mailbox.wait_for(address, timeout=120)
        time.sleep(5)  # room for a duplicate to arrive, were one to be sent
        everything = Mailbox(mail_api)  # the confirmations too
        copies = {address: everything.messages_to(address) for address in addresses}

        for address, messages in copies.items():
            subjects = {m["Subject"] for m in messages}
            # One email per reason: the address's confirmation and the welcome, each once.
            assert len(subjects) == 2, (address, subjects)
            assert len({m["MessageID"] for m in messages}) == 2, (address, messages)
        resent = sum(len(messages) - 2 for messages in copies.values())
        assert resent <= 1  # the known resend, same Message-ID, of an email cut mid-send
        shown = output_path.read_text()
        assert "notifications was killed by SIGKILL; restarting it in 0.5s" in shown
        assert "health: all 9 parts up; restarts: notifications 1" in shown
        status = _devstack("status", tmp_path)
        [row] = [line.split() for line in status.stdout.splitlines() if line.startswith("notif")]
        assert row[2:] == ["up", "1"], status.stdout
        print(f"notifications answered again {seconds:.2f}s after SIGKILL; resent: {resent}")
    finally:
        down = _devstack("down", tmp_path)
        platform.wait(timeout=60)
        output.close()
    assert down.returncode == 0, down.stderr
    assert _processes_left(str(tmp_path)) == []


def _register_while_killing_notifications(
    gateway: httpx.Client, state_dir: Path, notifications_ready: str, *, count: int
) -> tuple[list[str], float]:
    """Registers `count` enterprises, each by its own company, and kills notifications with SIGKILL
    halfway; their addresses and how long notifications took to answer again."""
    addresses = []
    seconds = 0.0
    for number in range(count):
        if number == count // 2:
            seconds = _kill_and_time_return("notifications", state_dir, notifications_ready)
        profile = housing_operator_profile()
        company = _open_company_account(gateway)
        response = gateway.post("/api/v1/enterprises", json=profile, headers=company)
        assert response.status_code == 201, response.text
        addresses.append(profile["email"])
    return addresses, seconds


def _kill_and_time_return(name: str, state_dir: Path, ready_url: str) -> float:
    recorded = json.loads((state_dir / "run" / "processes.json").read_text())
    [pid] = [entry["pid"] for entry in recorded if entry["name"] == name]
    os.kill(pid, signal.SIGKILL)
    killed = time.monotonic()
    deadline = killed + 60
    while time.monotonic() < deadline:
        if _ready_at(ready_url):
            return time.monotonic() - killed
        time.sleep(0.05)
    raise AssertionError(f"{name} did not answer again within 60s of its SIGKILL")


def _ready_at(url: str) -> bool:
    try:
        return httpx.get(url, timeout=1).status_code == 200
    except httpx.TransportError:
        return False


def _wait_for(done, platform: subprocess.Popen, *, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and platform.poll() is None:
        if done():
            return
        time.sleep(0.5)
    raise AssertionError(f"not done within {timeout:.0f}s (up exited: {platform.poll()})")


def _devstack(command: str, state_dir: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "devstack", command, "--state-dir", str(state_dir)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_kafka_killed_comes_back_and_a_part_that_keeps_failing_stops_everything(tmp_path):
    """The broker killed under `make up` is restarted and a registration made after it reaches the
    company's inbox; then a part killed again and again (the SMTP sink, six times within a
    minute) is given up on: `up` stops everything and says which part kept failing."""
    platform, port, output, output_path = _up_without_demo(tmp_path)
    gateway_url = f"http://127.0.0.1:{port['--gateway-port']}"
    try:
        _kill_recorded("kafka", tmp_path)
        _wait_for(lambda: "kafka restarted" in output_path.read_text(), platform, timeout=120)
        mailbox = Mailbox(f"http://127.0.0.1:{port['--smtp-http-port']}", gateway_url=gateway_url)
        with httpx.Client(base_url=gateway_url, timeout=30) as gateway:
            address = _registered_once_the_platform_answers(gateway)
        mailbox.wait_for(address, timeout=120)  # its welcome: the events flowed through Kafka

        for _ in range(6):
            _kill_recorded("smtp-sink", tmp_path)
            if platform.poll() is None:
                _wait_for_new_pid("smtp-sink", tmp_path, platform)
        platform.wait(timeout=120)
    finally:
        down = _devstack("down", tmp_path)
        if platform.poll() is None:
            platform.wait(timeout=60)
        output.close()
    shown = output_path.read_text()
    assert platform.returncode != 0
    assert "smtp-sink was killed by SIGKILL and keeps failing" in shown, shown[-2000:]
    assert "stopping everything" in shown
    assert "restarts: kafka 1" in shown
    assert down.returncode == 0, down.stderr
    assert _processes_left(str(tmp_path)) == []


def _recorded_pid(name: str, state_dir: Path) -> int | None:
    try:
        recorded = json.loads((state_dir / "run" / "processes.json").read_text())
    except (OSError, ValueError):
        return None
    return next((entry["pid"] for entry in recorded if entry["name"] == name), None)


def _kill_recorded(name: str, state_dir: Path) -> None:
    pid = _recorded_pid(name, state_dir)
    assert pid is not None, f"{name} is not recorded as running"
    try:
        os.killpg(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def _wait_for_new_pid(name: str, state_dir: Path, platform: subprocess.Popen) -> None:
    """Until the supervisor records a new process of the part, or `up` has exited."""
    killed = _recorded_pid(name, state_dir)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and platform.poll() is None:
        if _recorded_pid(name, state_dir) not in (killed, None):
            return
        time.sleep(0.1)
    assert platform.poll() is not None, f"{name} was not restarted within 60s"


def _registered_once_the_platform_answers(gateway: httpx.Client) -> str:
    """Registers one enterprise; a 503 while the broker's clients reconnect is retried as the
    gateway asks (bounded)."""
    profile = housing_operator_profile()
    company = _open_company_account(gateway)
    deadline = time.monotonic() + 90
    while True:
        response = gateway.post("/api/v1/enterprises", json=profile, headers=company)
        if response.status_code != 503 or time.monotonic() > deadline:
            break
        time.sleep(float(response.headers.get("retry-after", "1")))
    assert response.status_code == 201, response.text
    return profile["email"]
