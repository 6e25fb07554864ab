"""A service's command line is built from its package and its settings: `serve` by default, its own
commands, `migrate` and `downgrade`; outside demo mode `serve` refuses a published secret and names
it by the service's own environment prefix."""

from __future__ import annotations

import json
import sys

import pytest
from pydantic_settings import SettingsConfigDict

from eventkit.published_secrets import PUBLISHED_SECRETS
from servicekit.cli import Command, ServiceSettings, run_service_cli
from servicekit.migrations import revisions_of


class _ExampleSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="EXAMPLE_")

    database_url: str = "postgresql+asyncpg://postgres@127.0.0.1:5432/example"
    http_port: int = 8099


def _run(monkeypatch, tmp_path, *argv: str, **environment: str) -> int:
    (tmp_path / "example_app").mkdir(exist_ok=True)
    (tmp_path / "example_app" / "__init__.py").touch()
    monkeypatch.syspath_prepend(tmp_path)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(sys, "argv", ["prog", *argv])
    own = Command("hello", "say hello", lambda settings, args: print(f"hello {settings.http_port}"))
    with pytest.raises(SystemExit) as exit_:
        run_service_cli("example_app", settings=_ExampleSettings, commands=[own])
    return exit_.value.code


def test_the_commands_are_serve_its_own_then_the_migrations(monkeypatch, tmp_path, capsys):
    assert _run(monkeypatch, tmp_path, "--help") == 0
    assert "{serve,hello,migrate,downgrade}" in capsys.readouterr().out


def test_the_migrations_are_those_in_the_package_folder(monkeypatch, tmp_path, capsys):
    assert _run(monkeypatch, tmp_path, "--help") == 0
    said = " ".join(capsys.readouterr().out.split())  # argparse wraps its help at any width
    assert "bring the example_app's database to the newest revision" in said
    assert revisions_of("example_app") == tmp_path / "example_app" / "migrations"


def test_its_own_command_runs_with_its_settings(monkeypatch, tmp_path, capsys):
    secret = "s" * 40
    assert _run(monkeypatch, tmp_path, "hello", EXAMPLE_INTERNAL_TOKEN_SECRET=secret) == 0
    assert capsys.readouterr().out == "hello 8099\n"


def test_serve_refuses_a_published_secret_by_the_services_own_names(monkeypatch, tmp_path, capsys):
    published = sorted(PUBLISHED_SECRETS)[0]
    assert _run(monkeypatch, tmp_path, EXAMPLE_INTERNAL_TOKEN_SECRET=published) == 2
    error = capsys.readouterr().err
    assert "EXAMPLE_INTERNAL_TOKEN_SECRET still has the value published" in error
    assert "EXAMPLE_DEMO_MODE=true" in error


def test_serve_refuses_a_published_previous_secret_by_its_place(monkeypatch, tmp_path, capsys):
    previous = json.dumps(["s" * 40, sorted(PUBLISHED_SECRETS)[0]])
    environment = {
        "EXAMPLE_INTERNAL_TOKEN_SECRET": "n" * 40,
        "EXAMPLE_INTERNAL_TOKEN_PREVIOUS_SECRETS": previous,
    }
    assert _run(monkeypatch, tmp_path, **environment) == 2
    error = capsys.readouterr().err
    assert "EXAMPLE_INTERNAL_TOKEN_PREVIOUS_SECRETS[1] still has the value published" in error
