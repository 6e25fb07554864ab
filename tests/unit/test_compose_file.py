"""A Docker user gets a platform that is safe by default and matches the code: docker-compose.yml
publishes only the web application and the gateway, on loopback unless told otherwise; the demo is
an opt-in profile; the override runs two instances of the consumers; every topic and every setting
it passes is one the code has."""

from __future__ import annotations

import json
import re

import pytest
import yaml

from devstack.stack import ROOT
from eventkit.published_secrets import PUBLISHED_SECRETS
from eventkit.topics import PARTITIONS

APPLICATIONS = ("registry", "matching", "notifications", "gateway", "web")
MIGRATED = ("registry", "matching", "notifications", "gateway")
CONSUMERS = ("matching", "notifications")


def _compose(name: str = "docker-compose.yml") -> dict:
    return yaml.safe_load((ROOT / name).read_text())


def _services() -> dict[str, dict]:
    return _compose()["services"]


def _default_profile() -> dict[str, dict]:
    """What `docker compose up` starts without --profile."""
    return {name: service for name, service in _services().items() if not service.get("profiles")}


def _with_defaults(value: str) -> str:
    """A compose value with each ${VAR:-default} replaced by its default."""
    return re.sub(r"\$\{[A-Z_]+:-([^}]*)\}", r"\1", value)


def test_compose_creates_exactly_the_topics_the_services_use():
    script = _services()["kafka-init"]["command"][0]

    created = {
        name: int(count) for name, count in re.findall(r"--topic (\S+) --partitions (\d+)", script)
    }

    assert created == PARTITIONS


def _settings_fields() -> dict[str, set[str]]:
    from gateway.config import Settings as GatewaySettings
    from matching.config import Settings as MatchingSettings
    from notifications.config import Settings as NotificationsSettings
    from registry.config import Settings as RegistrySettings
    from web.config import Settings as WebSettings

    return {
        prefix: {name.upper() for name in settings.model_fields}
        for prefix, settings in (
            ("GATEWAY", GatewaySettings),
            ("MATCHING", MatchingSettings),
            ("NOTIFICATIONS", NotificationsSettings),
            ("REGISTRY", RegistrySettings),
            ("WEB", WebSettings),
        )
    }


def test_every_setting_compose_passes_to_an_application_is_one_it_reads():
    known = _settings_fields()
    passed = [
        (name, variable)
        for name, service in _services().items()
        if name.split("-")[0] in APPLICATIONS
        for variable in service.get("environment", {})
    ]
    unknown = []
    for name, variable in passed:
        prefix, _, field = variable.partition("_")
        if prefix not in known or field.split("__")[0] not in known[prefix]:
            unknown.append(f"{name}: {variable}")

    assert len(passed) > 30
    assert unknown == []


def test_only_the_web_application_and_the_gateway_are_published_on_loopback_by_default():
    published = {
        name: [_with_defaults(str(port)) for port in service["ports"]]
        for name, service in _default_profile().items()
        if service.get("ports")
    }

    assert published == {"gateway": ["127.0.0.1:8000:8000"], "web": ["127.0.0.1:8080:8080"]}


def test_every_published_port_is_bound_to_an_address():
    """A port without an address would be published on every interface of the machine."""
    for name, service in _services().items():
        for port in service.get("ports", []):
            assert _with_defaults(str(port)).startswith("127.0.0.1:"), f"{name}: {port}"


def test_the_demo_is_an_opt_in_profile_with_its_mail_inbox_and_data():
    in_demo = {
        name for name, service in _services().items() if "demo" in service.get("profiles", [])
    }

    assert in_demo == {"mailpit", "demo-data"}
    assert _services()["demo-data"]["command"][:4] == ["python", "-m", "devstack", "load-demo"]
    # The default profile must not need them: a dependency on a demo part is optional.
    for name, service in _default_profile().items():
        for needed, how in (service.get("depends_on") or {}).items():
            if needed in in_demo:
                assert how.get("required") is False, f"{name} needs {needed} outside the demo"


def test_outside_the_demo_emails_go_to_the_operators_smtp_server():
    environment = _services()["notifications"]["environment"]

    assert environment["NOTIFICATIONS_SMTP_HOST"] == "${SMTP_HOST:-mailpit}"
    assert environment["NOTIFICATIONS_SMTP_PORT"] == "${SMTP_PORT:-1025}"


@pytest.mark.parametrize("service", MIGRATED)
def test_each_database_is_migrated_once_before_any_instance_starts(service):
    migrate = _services()[f"{service}-migrate"]
    serve = _services()[service]

    assert migrate["command"] == ["python", "-m", service, "migrate"]
    assert migrate["restart"] == "no"
    assert migrate["environment"] == serve["environment"]
    assert serve["command"] == ["python", "-m", service, "serve"]
    assert serve["depends_on"][f"{service}-migrate"] == {
        "condition": "service_completed_successfully"
    }


def test_the_override_runs_two_instances_of_each_consumer_and_nothing_else():
    override = _compose("docker-compose.two-instances.yml")["services"]

    assert {name: service["deploy"]["replicas"] for name, service in override.items()} == {
        "matching": 2,
        "notifications": 2,
    }
    for name in CONSUMERS:
        # Copies of a service cannot share a published port or a container name.
        assert "ports" not in _services()[name] and "container_name" not in _services()[name]


def test_compose_carries_no_secret_and_refuses_to_start_without_one():
    secrets = {
        f"{name}: {variable}": str(value)
        for name, service in _services().items()
        for variable, value in service.get("environment", {}).items()
        if "SECRET" in variable
    }

    assert secrets, "the services' secrets are passed by compose"
    for where, value in secrets.items():
        assert re.fullmatch(r"\$\{[A-Z_]+:\?[^}]+\}", value), (
            f"{where} must be ${{VAR:?...}}, not {value!r}"
        )


def test_the_demo_env_file_is_the_only_opt_in_and_its_secrets_are_refused_outside_demo_mode():
    demo = dict(
        line.split("=", 1)
        for line in (ROOT / "deploy" / "demo.env").read_text().splitlines()
        if line and not line.startswith("#")
    )

    assert demo["DEMO_MODE"] == "true"
    assert {
        demo["INTERNAL_TOKEN_SECRET"],
        demo["JWT_SECRET"],
        demo["WEB_SESSION_SECRET"],
    } <= PUBLISHED_SECRETS
    for name in APPLICATIONS:
        environment = _services()[name]["environment"]
        assert environment[f"{name.upper()}_DEMO_MODE"] == "${DEMO_MODE:-false}", name


def test_compose_probes_the_gateway_on_its_operations_listener_and_trusts_only_the_web():
    gateway = _services()["gateway"]
    web = _services()["web"]

    assert f"127.0.0.1:{gateway['environment']['GATEWAY_OPS_PORT']}/readyz" in " ".join(
        gateway["healthcheck"]["test"]
    )
    assert gateway["environment"]["GATEWAY_OPS_HOST"] == "127.0.0.1"
    assert json.loads(gateway["environment"]["GATEWAY_TRUSTED_PROXIES"]) == [
        web["networks"]["default"]["ipv4_address"]
    ]
