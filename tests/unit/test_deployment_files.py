"""A Docker user gets the same topics and settings the code uses: docker-compose.yml creates exactly
the topics of eventkit/topics.py, and every service setting it passes is one the code reads."""

import json
import re

import yaml

from devstack.stack import ROOT
from eventkit.topics import PARTITIONS


def _compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_compose_creates_exactly_the_topics_the_services_use():
    script = _compose()["services"]["kafka-init"]["command"][0]

    created = {
        name: int(count) for name, count in re.findall(r"--topic (\S+) --partitions (\d+)", script)
    }

    assert created == PARTITIONS


def test_every_setting_compose_passes_to_a_service_is_one_it_reads():
    from gateway.config import Settings as GatewaySettings
    from matching.config import Settings as MatchingSettings
    from notifications.config import Settings as NotificationsSettings
    from registry.config import Settings as RegistrySettings
    from web.config import Settings as WebSettings

    known = {
        prefix: {name.upper() for name in settings.model_fields}
        for prefix, settings in (
            ("GATEWAY", GatewaySettings),
            ("MATCHING", MatchingSettings),
            ("NOTIFICATIONS", NotificationsSettings),
            ("REGISTRY", RegistrySettings),
            ("WEB", WebSettings),
        )
    }
    unknown = []
    for service in ("gateway", "registry", "matching", "notifications", "web"):
        for variable in _compose()["services"][service].get("environment", {}):
            prefix, _, field = variable.partition("_")
            if prefix in known and field.split("__")[0] not in known[prefix]:
                unknown.append(f"{service}: {variable}")

    assert unknown == []


# --- Demo mode is safe by default ---------------------------------------------------------------


def _published_ports() -> dict[str, list[str]]:
    return {
        name: [str(port) for port in service.get("ports", [])]
        for name, service in _compose()["services"].items()
    }


def test_compose_publishes_every_port_on_loopback_only():
    exposed = [
        f"{name}: {port}"
        for name, ports in _published_ports().items()
        for port in ports
        if not port.startswith("127.0.0.1:")
    ]

    assert exposed == []


def test_compose_carries_no_secret_and_refuses_to_start_without_one():
    secrets = {
        f"{name}: {variable}": str(value)
        for name, service in _compose()["services"].items()
        for variable, value in service.get("environment", {}).items()
        if "SECRET" in variable
    }

    assert secrets, "the services' secrets are passed by compose"
    for where, value in secrets.items():
        assert re.fullmatch(r"\$\{[A-Z_]+:\?[^}]+\}", value), (
            f"{where} must be ${{VAR:?...}}, not {value!r}"
        )


def test_the_demo_env_file_is_the_only_opt_in_and_its_secrets_are_refused_outside_demo_mode():
    from eventkit.published_secrets import PUBLISHED_SECRETS

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
    for name in ("registry", "matching", "notifications", "gateway", "web"):
        environment = _compose()["services"][name]["environment"]
        assert environment[f"{name.upper()}_DEMO_MODE"] == "${DEMO_MODE:-false}", name


def test_compose_probes_the_gateway_on_its_operations_listener_and_trusts_only_the_web():
    gateway = _compose()["services"]["gateway"]
    web = _compose()["services"]["web"]

    assert f"127.0.0.1:{gateway['environment']['GATEWAY_OPS_PORT']}/readyz" in " ".join(
        gateway["healthcheck"]["test"]
    )
    assert gateway["environment"]["GATEWAY_OPS_HOST"] == "127.0.0.1"
    assert json.loads(gateway["environment"]["GATEWAY_TRUSTED_PROXIES"]) == [
        web["networks"]["default"]["ipv4_address"]
    ]


def test_kubernetes_probes_readiness_on_the_operations_port_the_service_does_not_expose():
    documents = list(yaml.safe_load_all((ROOT / "deploy" / "k8s" / "50-gateway.yaml").read_text()))
    deployment = next(d for d in documents if d["kind"] == "Deployment")
    service = next(d for d in documents if d["kind"] == "Service")
    container = next(
        c for c in deployment["spec"]["template"]["spec"]["containers"] if c["name"] == "gateway"
    )

    assert container["readinessProbe"]["httpGet"]["port"] == "ops"
    assert [port["targetPort"] for port in service["spec"]["ports"]] == ["http"]
