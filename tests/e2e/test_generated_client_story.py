"""A client generated from the committed public OpenAPI document with openapi-python-client tells
the design's whole story against the platform (tests/e2e/generated_client_story.py): mypy, in a
mode that refuses any untyped value, accepts the story, and the introduction email reaches both
companies at the SMTP sink."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from gateway.entrypoints import openapi
from tests.e2e.conftest import DEMO_AGENCY
from tests.e2e.waiting import exactly_one_email
from tests.identifiers import fresh_inn, fresh_marker, fresh_unp

STORY = Path(__file__).with_name("generated_client_story.py")
BIN = Path(sys.executable).parent
PACKAGE = "union_match_client"
# Any expression of type Any is an error: an answer documented without its schema is one.
MYPY = ["--strict", "--disallow-any-expr", "--follow-imports=silent", "--no-incremental"]
# Reading the answer of an operation that documents no body (a 204) is refused in that mode,
# which shows the story's own answers are typed rather than unchecked.
UNTYPED_PROBE = """
from union_match_client import AuthenticatedClient
from union_match_client.api.accounts import logout_everywhere


def probe(client: AuthenticatedClient) -> None:
    print(logout_everywhere.sync_detailed(client=client).parsed)
"""


@pytest.fixture(scope="module")
def generated_client(tmp_path_factory) -> Path:
    """The directory holding the generated `union_match_client` package."""
    root = tmp_path_factory.mktemp("generated-client")
    # No post hooks: the generated code is only imported, never formatted.
    config = f"package_name_override: {PACKAGE}\npost_hooks: []\n"
    (root / "config.yaml").write_text(config, encoding="utf-8")
    generated = subprocess.run(
        [
            BIN / "openapi-python-client",
            "generate",
            "--path",
            openapi.PUBLIC_DOCUMENT,
            "--meta",
            "none",
            "--output-path",
            root / PACKAGE,
            "--config",
            root / "config.yaml",
            "--fail-on-warning",
        ],
        capture_output=True,
        text=True,
        cwd=root,
        timeout=300,
    )
    assert generated.returncode == 0, generated.stdout + generated.stderr
    return root


def _mypy(client: Path, *files: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [BIN / "mypy", *MYPY, f"--cache-dir={client / '.mypy_cache'}", *files],
        capture_output=True,
        text=True,
        env=os.environ | {"MYPYPATH": str(client)},
        timeout=600,
    )


def test_mypy_accepts_the_story_and_refuses_an_untyped_answer(generated_client):
    probe = generated_client / "untyped_probe.py"
    probe.write_text(UNTYPED_PROBE, encoding="utf-8")

    checked = _mypy(generated_client, STORY, probe)

    errors = [line for line in checked.stdout.splitlines() if ": error:" in line]
    assert errors, checked.stdout  # the probe must be refused, or the mode checks nothing
    assert all(line.startswith(str(probe)) for line in errors), checked.stdout
    assert any('"Any"' in line for line in errors), checked.stdout


def test_the_whole_story_through_the_generated_client(generated_client, platform, mailbox):
    marker = fresh_marker(8)

    told = subprocess.run(
        [
            sys.executable,
            STORY,
            platform.gateway_url,
            *DEMO_AGENCY,
            marker,
            fresh_inn(),
            fresh_unp(),
        ],
        capture_output=True,
        text=True,
        env=os.environ | {"PYTHONPATH": str(generated_client)},
        timeout=300,
    )

    assert told.returncode == 0, told.stderr[-3000:]
    story = json.loads(told.stdout)
    assert story["status"] == "introduced"
    to_buyer = exactly_one_email(mailbox, story["buyer_email"], "Знакомство с партнёром")
    to_seller = exactly_one_email(mailbox, story["seller_email"], "Знакомство с партнёром")
    assert story["seller_email"] in to_buyer["Text"] and story["seller_phone"] in to_buyer["Text"]
    assert story["buyer_email"] in to_seller["Text"]
