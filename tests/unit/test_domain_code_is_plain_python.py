"""Each application's domain rules are plain Python: importing every module of a `domain` package
loads no web framework, database toolkit or Kafka client, even through the shared plumbing it
names (servicekit's Caller, eventkit's contracts)."""

import json
import subprocess
import sys

import pytest

DOMAIN_PACKAGES = [
    "gateway.domain",
    "registry.domain",
    "matching.domain",
    "notifications.domain",
    "web.domain",
]
FRAMEWORKS = ["fastapi", "starlette", "sqlalchemy", "asyncpg", "aiokafka", "httpx", "aiosmtplib"]

_PROBE = """
import importlib, json, pkgutil, sys
package = importlib.import_module(sys.argv[1])
for module in pkgutil.walk_packages(package.__path__, sys.argv[1] + "."):
    importlib.import_module(module.name)
print(json.dumps(sorted(name for name in sys.argv[2:] if name in sys.modules)))
"""


@pytest.mark.parametrize("package", DOMAIN_PACKAGES)
def test_a_domain_package_loads_no_framework(package):
    probe = subprocess.run(
        [sys.executable, "-c", _PROBE, package, *FRAMEWORKS],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )

    assert json.loads(probe.stdout) == [], f"{package} loads {probe.stdout.strip()}"
