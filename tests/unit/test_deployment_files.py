"""A Docker user gets the same topics and settings the code uses: docker-compose.yml creates exactly
the topics of eventkit/topics.py, and every service setting it passes is one the code reads."""

import re

import yaml

from devstack.stack import ROOT
from eventkit.topics import PARTITIONS


def _compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_compose_creates_exactly_the_topics_the_services_use():
    script = _compose()["services"]["kafka-init"]["command"][0]

    created = {name: int(count) for name, count in re.findall(r"--topic (\S+) --partitions (\d+)", script)}

    assert created == PARTITIONS


def test_every_setting_compose_passes_to_a_service_is_one_it_reads():
    from gateway.config import Settings as GatewaySettings
    from matching.config import Settings as MatchingSettings
    from notifications.config import Settings as NotificationsSettings
    from registry.config import Settings as RegistrySettings
    from web.config import Settings as WebSettings

    known = {
        prefix: {name.upper() for name in settings.model_fields}
        for prefix, settings in (("GATEWAY", GatewaySettings), ("MATCHING", MatchingSettings),
                                 ("NOTIFICATIONS", NotificationsSettings), ("REGISTRY", RegistrySettings), ("WEB", WebSettings))
    }
    unknown = []
    for service in ("gateway", "registry", "matching", "notifications", "web"):
        for variable in _compose()["services"][service].get("environment", {}):
            prefix, _, field = variable.partition("_")
            if prefix in known and field.split("__")[0] not in known[prefix]:
                unknown.append(f"{service}: {variable}")

    assert unknown == []
