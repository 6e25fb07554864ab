"""The Kubernetes manifests probe and expose what the applications serve."""

import yaml

from devstack.stack import ROOT


def test_kubernetes_probes_readiness_on_the_operations_port_the_service_does_not_expose():
    documents = list(yaml.safe_load_all((ROOT / "deploy" / "k8s" / "50-gateway.yaml").read_text()))
    deployment = next(d for d in documents if d["kind"] == "Deployment")
    service = next(d for d in documents if d["kind"] == "Service")
    container = next(
        c for c in deployment["spec"]["template"]["spec"]["containers"] if c["name"] == "gateway"
    )

    assert container["readinessProbe"]["httpGet"]["port"] == "ops"
    assert [port["targetPort"] for port in service["spec"]["ports"]] == ["http"]
