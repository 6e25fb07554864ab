"""An operator can trust deploy/k8s: both profiles render with kustomize, every object passes the
Kubernetes, KEDA and Strimzi schemas, and what the manifests say agrees with the code (settings,
commands, probes, topics, consumer groups, Kafka ACLs)."""

from __future__ import annotations

import functools
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import PurePosixPath

import pytest
import yaml
from fastapi import FastAPI
from fastapi.testclient import TestClient

from devstack.stack import ROOT
from eventkit import replay
from eventkit.topics import CONSUMED_BY, PARTITIONS, PRODUCED_BY, RETENTION_MS, dead_letter
from gateway.config import Settings as GatewaySettings
from gateway.entrypoints.operations import create_operations_app
from gateway.entrypoints.proxy import health as gateway_public_health
from matching.config import Settings as MatchingSettings
from notifications.config import Settings as NotificationsSettings
from registry.config import Settings as RegistrySettings
from servicekit.health import health_routes
from web.config import Settings as WebSettings
from web.entrypoints.public_pages import router as web_pages

K8S = ROOT / "deploy" / "k8s"
PROFILES = ("overlays/demo", "overlays/production", "overlays/production/migrations")
IMAGE = "registry.example.org/union-match"
SETTINGS = {
    "GATEWAY_": GatewaySettings,
    "WEB_": WebSettings,
    "REGISTRY_": RegistrySettings,
    "MATCHING_": MatchingSettings,
    "NOTIFICATIONS_": NotificationsSettings,
}
# Where each app says it is ready: the gateway on its operations listener, which its Service does
# not expose; the web application has no readiness of its own (the gateway answers for the rest).
READINESS = {"gateway": ("ops", "/readyz"), "web": ("http", "/healthz")}
KAFKA_USERS = ("gateway", "registry", "matching", "notifications")


# --- the tools -----------------------------------------------------------------------------------


def kustomize() -> str:
    found = K8S.parent.parent / ".cache" / "tools" / "bin" / "kustomize"
    path = str(found) if found.exists() else shutil.which("kustomize")
    if path is None:
        pytest.fail("kustomize is missing: run scripts/k8s_tools.sh (it installs .cache/tools/bin)")
    return path


def node() -> str:
    path = shutil.which("node")
    if path is None:
        pytest.fail("node is missing: install Node.js (.ci/run installs npm and node)")
    if not (ROOT / "node_modules" / "kubernetes-models").is_dir():
        pytest.fail("the schema packages are missing: run `npm ci` (make test-tools)")
    return path


@functools.cache
def rendered(profile: str) -> str:
    result = subprocess.run(
        [kustomize(), "build", str(K8S / profile)], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, f"kustomize build {profile} failed:\n{result.stderr}"
    return result.stdout


@functools.cache
def documents(profile: str) -> list[dict]:
    return [d for d in yaml.load_all(rendered(profile), Loader=yaml.CSafeLoader) if d]


def of_kind(profile: str, kind: str) -> dict[str, dict]:
    return {d["metadata"]["name"]: d for d in documents(profile) if d["kind"] == kind}


def workloads(profile: str) -> dict[str, dict]:
    return of_kind(profile, "Deployment") | of_kind(profile, "Job")


def containers(workload: dict) -> Iterator[dict]:
    spec = workload["spec"]["template"]["spec"]
    yield from spec.get("initContainers", [])
    yield from spec["containers"]


def config_data(profile: str) -> dict[str, str]:
    return of_kind(profile, "ConfigMap")["union-match-config"]["data"]


# --- settings ------------------------------------------------------------------------------------


def settings_of(variable: str) -> tuple[type, str]:
    prefix = next((p for p in SETTINGS if variable.startswith(p)), None)
    assert prefix is not None, f"{variable} has no app's prefix"
    return SETTINGS[prefix], variable.removeprefix(prefix).lower()


def setting_exists(variable: str) -> bool:
    model, name = settings_of(variable)
    *parents, leaf = name.split("__")  # env_nested_delimiter (MATCHING_WEIGHTS__TEXT)
    for parent in parents:
        if parent not in model.model_fields:
            return False
        model = model.model_fields[parent].annotation
    return leaf in model.model_fields


def template_keys(secret: str) -> set[str]:
    """The keys of a Secret's template, the optional ones written as comments included."""
    text = (K8S / "secrets" / f"{secret.removesuffix('-secrets')}.env.example").read_text()
    return set(re.findall(r"^(?:# )?([A-Z][A-Z0-9_]+)=", text, flags=re.MULTILINE))


def secret_keys(profile: str, name: str) -> set[str]:
    generated = {
        n.rsplit("-", 1)[0]: d for n, d in of_kind(profile, "Secret").items() if "-secrets-" in n
    }
    if generated:
        return set(generated[name.rsplit("-", 1)[0]]["data"])
    return template_keys(name)


def environment(profile: str, container: dict) -> dict[str, str | None]:
    """Every variable the container gets, with its value when the manifests give one."""
    env: dict[str, str | None] = {}
    for source in container.get("envFrom", []):
        if "configMapRef" in source:
            env |= config_data(profile)
        else:
            env |= dict.fromkeys(secret_keys(profile, source["secretRef"]["name"]))
    env |= {item["name"]: item.get("value") for item in container.get("env", [])}
    return env


def own_variables(app: str, env: dict[str, str | None]) -> dict[str, str | None]:
    prefix = f"{app.upper()}_"
    return {k: v for k, v in env.items() if k.startswith(prefix)}


def required_settings(app: str) -> set[str]:
    model = SETTINGS[f"{app.upper()}_"]
    return {f"{app.upper()}_{n.upper()}" for n, f in model.model_fields.items() if f.is_required()}


def python_module_command(container: dict) -> tuple[str, str]:
    command = container["command"]
    assert command[:2] == ["python", "-m"] and len(command) == 4, command
    return command[2], command[3]


@functools.cache
def cli_commands() -> dict[str, set[str]]:
    """Each app's commands, as `python -m <app> --help` lists them (the apps side by side)."""
    python = str(ROOT / ".venv" / "bin" / "python")
    helps = {
        app: subprocess.Popen([python, "-m", app, "--help"], stdout=subprocess.PIPE, text=True)
        for app in ("gateway", "web", "registry", "matching", "notifications")
    }
    commands = {}
    for app, process in helps.items():
        out, _ = process.communicate(timeout=120)
        match = re.search(r"\{([a-z,-]+)\}", out)
        assert match, f"python -m {app} --help: {out}"
        commands[app] = set(match.group(1).split(","))
    return commands


# --- rendering and schemas -----------------------------------------------------------------------


@pytest.mark.parametrize("profile", PROFILES)
def test_each_profile_renders_and_every_object_passes_its_schema(profile):
    result = subprocess.run(
        [node(), str(K8S / "validate.mjs")],
        input=rendered(profile),
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert f"{len(documents(profile))} documents, 0 failed" in result.stdout


def test_the_validator_refuses_a_kind_it_has_no_schema_for_and_a_wrong_field_type():
    unknown = "apiVersion: example.org/v1\nkind: Gadget\nmetadata: {name: x}\n"
    wrong = "apiVersion: kafka.strimzi.io/v1beta2\nkind: KafkaTopic\nmetadata: {name: t}\n"
    wrong += "spec: {partitions: six}\n"
    result = subprocess.run(
        [node(), str(K8S / "validate.mjs")],
        input=unknown + "---\n" + wrong,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )

    assert result.returncode == 1
    assert "FAIL Gadget x: unknown kind" in result.stdout
    assert "FAIL KafkaTopic t: data/spec/partitions must be integer" in result.stdout


# --- the workloads agree with the code -----------------------------------------------------------


@pytest.mark.parametrize("profile", PROFILES)
def test_every_variable_passed_to_an_app_is_one_of_its_settings(profile):
    passed = set(config_data(profile))
    for workload in workloads(profile).values():
        for container in containers(workload):
            passed |= {item["name"] for item in container.get("env", [])}
            for source in container.get("envFrom", []):
                if "secretRef" in source:
                    passed |= secret_keys(profile, source["secretRef"]["name"])

    assert sorted(v for v in passed if not setting_exists(v)) == []


def test_each_secret_template_holds_only_its_own_apps_settings():
    for template in (K8S / "secrets").glob("*.env.example"):
        app = template.name.removesuffix(".env.example")
        keys = template_keys(f"{app}-secrets")

        assert keys and all(k.startswith(f"{app.upper()}_") for k in keys), template.name
        assert all(setting_exists(k) for k in keys), template.name


@pytest.mark.parametrize("profile", PROFILES)
def test_each_container_runs_an_existing_command_of_the_image_with_its_required_settings(profile):
    for name, workload in workloads(profile).items():
        for container in containers(workload):
            app, command = python_module_command(container)
            env = environment(profile, container)

            assert container["image"].rsplit(":", 1)[0] == IMAGE, name
            assert command in cli_commands()[app], (name, command)
            assert required_settings(app) <= set(own_variables(app, env)), name
            for source in container.get("envFrom", []):
                if "secretRef" in source:  # a part reads its own app's Secret only
                    assert source["secretRef"]["name"].startswith(f"{app}-secrets"), name


@pytest.mark.parametrize("profile", PROFILES)
def test_every_pod_runs_non_root_read_only_without_privileges_and_within_limits(profile):
    uid = int(re.search(r"useradd .*--uid (\d+)", (ROOT / "deploy" / "Dockerfile").read_text())[1])
    for name, workload in workloads(profile).items():
        pod = workload["spec"]["template"]["spec"]
        assert pod["securityContext"]["runAsNonRoot"] is True, name
        assert pod["securityContext"]["runAsUser"] == uid, name
        assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}, name
        volumes = {v["name"]: v for v in pod["volumes"]}
        for container in containers(workload):
            security = container["securityContext"]
            assert security["allowPrivilegeEscalation"] is False, name
            assert security["readOnlyRootFilesystem"] is True, name
            assert security["capabilities"] == {"drop": ["ALL"]}, name
            tmp = next(m for m in container["volumeMounts"] if m["mountPath"] == "/tmp")
            assert "emptyDir" in volumes[tmp["name"]], name
            assert set(container["resources"]) == {"requests", "limits"}, name
            assert {"cpu", "memory"} <= set(container["resources"]["limits"]), name


def answers(app: str, port_name: str, path: str) -> bool:
    """Whether the app has a route at that path on that listener (any answer but 404/405: readiness
    may say 503 here, with no database behind it)."""
    if app == "gateway":
        router = create_operations_app(FastAPI()) if port_name == "ops" else gateway_public_health
    else:
        router = web_pages if app == "web" else health_routes()
    listener = router if isinstance(router, FastAPI) else FastAPI()
    if listener is not router:
        listener.include_router(router)
    with TestClient(listener, raise_server_exceptions=False) as client:
        return client.get(path).status_code not in (404, 405)


def listener_port(app: str, port_name: str, env: dict[str, str | None]) -> int:
    setting = f"{app.upper()}_{'OPS' if port_name == 'ops' else 'HTTP'}_PORT"
    model, field = settings_of(setting)
    return int(env.get(setting) or model.model_fields[field].default)


@pytest.mark.parametrize("profile", ["overlays/demo", "overlays/production"])
def test_probes_ask_routes_the_apps_serve_on_the_ports_they_listen_on(profile):
    for name, deployment in of_kind(profile, "Deployment").items():
        container = deployment["spec"]["template"]["spec"]["containers"][0]
        app, command = python_module_command(container)
        if command == "relay":  # no HTTP listener: nothing to probe
            assert "ports" not in container and "readinessProbe" not in container
            continue
        ports = {p["name"]: p["containerPort"] for p in container["ports"]}
        env = environment(profile, container)
        probes = {"readinessProbe": READINESS.get(app, ("http", "/readyz")),
                  "livenessProbe": ("http", "/healthz")}  # fmt: skip
        for probe, (port_name, path) in probes.items():
            get = container[probe]["httpGet"]

            assert (get["port"], get["path"]) == (port_name, path), (name, probe)
            assert answers(app, port_name, path), (name, probe)
            assert ports[port_name] == listener_port(app, port_name, env), (name, probe)


@pytest.mark.parametrize("profile", ["overlays/demo", "overlays/production"])
def test_each_service_reaches_the_port_its_app_listens_on_and_the_gateway_calls(profile):
    config = config_data(profile)
    for name, service in of_kind(profile, "Service").items():
        container = of_kind(profile, "Deployment")[name]["spec"]["template"]["spec"]
        ports = {p["name"]: p["containerPort"] for p in container["containers"][0]["ports"]}
        (port,) = service["spec"]["ports"]

        assert port["targetPort"] == "http" and ports["http"] == port["port"], name
        if name in ("registry", "matching", "notifications"):
            assert config[f"GATEWAY_{name.upper()}_URL"] == f"http://{name}:{port['port']}"
    assert config["WEB_GATEWAY_URL"] == "http://gateway:8000"


def test_the_registry_serves_without_its_relay_which_runs_as_its_own_deployment():
    deployments = of_kind("overlays/production", "Deployment")
    serve = deployments["registry"]["spec"]["template"]["spec"]["containers"][0]
    relay = deployments["registry-relay"]["spec"]["template"]["spec"]["containers"][0]

    assert environment("overlays/production", serve)["REGISTRY_RELAY_ENABLED"] == "false"
    assert relay["command"] == ["python", "-m", "registry", "relay"]


# --- the profiles --------------------------------------------------------------------------------


def test_the_demo_runs_one_of_each_part_in_demo_mode_migrating_in_its_pods():
    deployments = of_kind("overlays/demo", "Deployment")
    config = config_data("overlays/demo")

    assert {d["spec"]["replicas"] for d in deployments.values()} == {1}
    assert all(config[f"{prefix}DEMO_MODE"] == "true" for prefix in SETTINGS)
    for app in ("gateway", "registry", "matching", "notifications"):
        (init,) = deployments[app]["spec"]["template"]["spec"]["initContainers"]
        assert init["command"] == ["python", "-m", app, "migrate"]


def test_production_keeps_demo_mode_off_and_generates_no_secret():
    config = config_data("overlays/production")

    assert not any(config.get(f"{prefix}DEMO_MODE", "false") != "false" for prefix in SETTINGS)
    assert of_kind("overlays/production", "Secret") == {}
    assert of_kind("overlays/production/migrations", "Secret") == {}


def test_production_runs_two_of_each_part_each_with_a_budget_keeping_one():
    deployments = of_kind("overlays/production", "Deployment")
    budgets = of_kind("overlays/production", "PodDisruptionBudget")

    assert all(d["spec"]["replicas"] >= 2 for d in deployments.values())
    assert set(budgets) == set(deployments)
    for name, budget in budgets.items():
        labels = deployments[name]["spec"]["template"]["metadata"]["labels"]
        assert budget["spec"] == {"minAvailable": 1, "selector": {"matchLabels": labels}}


def test_production_migrates_in_one_job_per_database_before_the_pods_which_do_not():
    jobs = of_kind("overlays/production/migrations", "Job")
    deployments = of_kind("overlays/production", "Deployment")

    assert {python_module_command(j["spec"]["template"]["spec"]["containers"][0]) for j in
            jobs.values()} == {(a, "migrate") for a in ("gateway", "registry", "matching",
                                                        "notifications")}  # fmt: skip
    assert all("initContainers" not in d["spec"]["template"]["spec"] for d in deployments.values())
    images = {
        c["image"]
        for profile in ("overlays/production", "overlays/production/migrations")
        for w in workloads(profile).values()
        for c in containers(w)
    }
    assert len(images) == 1  # the Jobs migrate to the version being rolled out


def test_the_http_parts_scale_on_cpu():
    autoscalers = of_kind("overlays/production", "HorizontalPodAutoscaler")

    assert set(autoscalers) == {"gateway", "web", "registry"}
    for name, hpa in autoscalers.items():
        assert hpa["apiVersion"] == "autoscaling/v2"
        assert hpa["spec"]["scaleTargetRef"] == {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "name": name,
        }
        assert hpa["spec"]["minReplicas"] >= 2
        (metric,) = hpa["spec"]["metrics"]
        assert metric["resource"]["name"] == "cpu"


def test_the_consumers_scale_on_their_groups_lag_up_to_their_topics_partition_count():
    scaled = of_kind("overlays/production", "ScaledObject")
    config = config_data("overlays/production")

    assert set(scaled) == {"matching", "notifications"}
    for app, scaled_object in scaled.items():
        spec = scaled_object["spec"]
        group = SETTINGS[f"{app.upper()}_"].model_fields["consumer_group"].default
        triggers = [t["metadata"] for t in spec["triggers"] if t["type"] == "kafka"]

        assert spec["scaleTargetRef"] == {"name": app}
        assert spec["maxReplicaCount"] == max(PARTITIONS[t] for t in CONSUMED_BY[app])
        assert sorted(t["topic"] for t in triggers) == sorted(CONSUMED_BY[app])
        assert {t["consumerGroup"] for t in triggers} == {group}
        assert {t["bootstrapServers"] for t in triggers} == {
            config[f"{app.upper()}_KAFKA_BOOTSTRAP_SERVERS"]
        }
        assert all(int(t["lagThreshold"]) > 0 for t in triggers)


# --- Kafka as Strimzi resources ------------------------------------------------------------------


def test_there_is_one_kafka_topic_per_topic_of_the_code_with_its_partitions_and_retention():
    topics = of_kind("overlays/production", "KafkaTopic")

    assert {t["spec"]["topicName"] for t in topics.values()} == set(PARTITIONS)
    for topic in topics.values():
        name = topic["spec"]["topicName"]
        assert topic["spec"]["partitions"] == PARTITIONS[name]
        assert int(topic["spec"]["config"]["retention.ms"]) == RETENTION_MS[name]
        assert topic["metadata"]["labels"]["strimzi.io/cluster"] == "union-match"


def expected_acls(app: str) -> set[tuple[str, str, str]]:
    """What the code does with Kafka: reads its topics in its group, publishes its own topics,
    and dead-letters beside each topic it reads."""
    reads = CONSUMED_BY.get(app, ())
    writes = [t for t, producer in PRODUCED_BY.items() if producer == app]
    writes += [dead_letter(t) for t in reads]
    acls = {("topic", t, op) for t in reads for op in ("Read", "Describe")}
    acls |= {("topic", t, op) for t in writes for op in ("Write", "Describe")}
    if reads:
        group = SETTINGS[f"{app.upper()}_"].model_fields["consumer_group"].default
        acls.add(("group", group, "Read"))
    return acls


def test_each_app_has_a_kafka_user_allowed_exactly_what_its_code_reads_and_writes():
    users = of_kind("overlays/production", "KafkaUser")

    assert set(users) == {f"union-match-{app}" for app in (*KAFKA_USERS, "keda", "dlq-replay")}
    for app in KAFKA_USERS:
        spec = users[f"union-match-{app}"]["spec"]
        granted = granted_acls(users[f"union-match-{app}"])

        assert spec["authentication"]["type"] in ("scram-sha-512", "tls")
        assert {acl["resource"]["patternType"] for acl in spec["authorization"]["acls"]} == {
            "literal"
        }
        assert granted == expected_acls(app), app


def test_the_dead_letter_replay_may_read_each_dead_letter_topic_of_events_and_write_its_source():
    user = of_kind("overlays/production", "KafkaUser")["union-match-dlq-replay"]
    replayable = []
    for topic in PARTITIONS:
        try:
            replayable.append((topic, replay.source_topic_of(topic)))
        except replay.RefusedTopic:
            continue  # not a dead-letter topic, or the deliveries' one

    expected = {("group", replay.DEFAULT_GROUP, "Read")}
    for dead_letters, source in replayable:
        expected |= {("topic", dead_letters, op) for op in ("Read", "Describe")}
        expected |= {("topic", source, op) for op in ("Write", "Describe")}
    assert len(replayable) == 3
    assert granted_acls(user) == expected


# --- network policies ----------------------------------------------------------------------------


def selected_parts(selector: dict, parts: set[str]) -> set[str]:
    if not selector:
        return parts
    if "matchLabels" in selector:
        return {selector["matchLabels"]["app.kubernetes.io/name"]} & parts
    (expression,) = selector["matchExpressions"]
    return set(expression["values"]) & parts


def allowed_ingress(profile: str) -> dict[str, set[str]]:
    """Part -> the parts of this namespace allowed to open connections to it."""
    parts = set(of_kind(profile, "Deployment")) | set(of_kind(profile, "Job"))
    allowed: dict[str, set[str]] = {part: set() for part in parts}
    for policy in of_kind(profile, "NetworkPolicy").values():
        for target in selected_parts(policy["spec"]["podSelector"], parts):
            for rule in policy["spec"].get("ingress", []):
                for peer in rule["from"]:
                    if set(peer) == {"podSelector"}:
                        allowed[target] |= selected_parts(peer["podSelector"], parts)
    return allowed


def egress_to_namespace(profile: str, namespace: str) -> set[str]:
    parts = set(of_kind(profile, "Deployment")) | set(of_kind(profile, "Job"))
    reaching: set[str] = set()
    for policy in of_kind(profile, "NetworkPolicy").values():
        for rule in policy["spec"].get("egress", []):
            names = {
                peer.get("namespaceSelector", {})
                .get("matchLabels", {})
                .get("kubernetes.io/metadata.name")
                for peer in rule["to"]
            }
            if namespace in names:
                reaching |= selected_parts(policy["spec"]["podSelector"], parts)
    return reaching


@pytest.mark.parametrize("profile", ["overlays/demo", "overlays/production"])
def test_only_the_gateway_reaches_the_services_and_only_web_reaches_the_gateway(profile):
    default_deny = of_kind(profile, "NetworkPolicy")["default-deny"]["spec"]
    allowed = allowed_ingress(profile)

    assert default_deny == {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}
    assert allowed["gateway"] == {"web"}
    for service in ("registry", "matching", "notifications"):
        assert allowed[service] == {"gateway"}
    assert allowed["web"] == set() and allowed["registry-relay"] == set()


def test_only_the_parts_that_own_a_database_reach_postgresql_and_only_kafka_clients_kafka():
    profile = "overlays/production"
    owners = {"gateway", "registry", "registry-relay", "matching", "notifications"}
    policies = of_kind(profile, "NetworkPolicy")
    (to_postgres,) = policies["database-clients-to-postgres"]["spec"]["podSelector"][
        "matchExpressions"
    ]
    jobs = of_kind("overlays/production/migrations", "Job").values()

    assert egress_to_namespace(profile, "databases") == owners
    assert egress_to_namespace(profile, "kafka") == owners
    # The migration Jobs' pods (applied apart, before the apps) are let through by name.
    assert set(to_postgres["values"]) == owners | {
        j["spec"]["template"]["metadata"]["labels"]["app.kubernetes.io/name"] for j in jobs
    }


def granted_acls(user: dict) -> set[tuple[str, str, str]]:
    acls = user["spec"]["authorization"]["acls"]
    return {
        (a["resource"]["type"], a["resource"]["name"], op) for a in acls for op in a["operations"]
    }


def test_production_apps_log_in_to_kafka_as_their_user_over_tls_trusting_the_mounted_ca():
    profile = "overlays/production"
    users = of_kind(profile, "KafkaUser")
    for name, deployment in of_kind(profile, "Deployment").items():
        container = deployment["spec"]["template"]["spec"]["containers"][0]
        app, _ = python_module_command(container)
        if app == "web":
            continue
        env = own_variables(app, environment(profile, container))
        prefix = f"{app.upper()}_KAFKA_"
        mounts = {m["mountPath"] for m in container["volumeMounts"]}

        assert env[f"{prefix}SECURITY_PROTOCOL"] == "SASL_SSL", name
        assert users[env[f"{prefix}SASL_USERNAME"]]["spec"]["authentication"]["type"] == (
            env[f"{prefix}SASL_MECHANISM"].lower()
        ), name
        assert f"{prefix}SASL_PASSWORD" in env, name  # from the app's Secret
        assert str(PurePosixPath(env[f"{prefix}SSL_CAFILE"]).parent) in mounts, name


def test_keda_reads_the_lag_as_a_user_that_may_only_describe_what_it_watches():
    profile = "overlays/production"
    scaled = of_kind(profile, "ScaledObject").values()
    watched = {
        (kind, name, "Describe")
        for s in scaled
        for trigger in s["spec"]["triggers"]
        for kind, name in (
            ("topic", trigger["metadata"]["topic"]),
            ("group", trigger["metadata"]["consumerGroup"]),
        )
    }
    (authentication,) = of_kind(profile, "TriggerAuthentication").values()
    template = (K8S / "secrets" / "keda" / "kafka.env.example").read_text()

    assert granted_acls(of_kind(profile, "KafkaUser")["union-match-keda"]) == watched
    assert all(
        t["authenticationRef"] == {"name": authentication["metadata"]["name"]}
        for s in scaled
        for t in s["spec"]["triggers"]
    )
    assert "username=union-match-keda" in template
    for ref in authentication["spec"]["secretTargetRef"]:  # the CA comes --from-file
        assert ref["key"] == "ca" or f"{ref['key']}=" in template
