"""Every app can reach a Kafka cluster that asks for SASL (SCRAM) and TLS, as the Strimzi
KafkaUsers of deploy/k8s do: its <APP>_KAFKA_* settings become the options of each of its
aiokafka clients."""

import ssl

import pytest
from pydantic import ValidationError

from eventkit.kafka import PLAINTEXT, EventConsumer, idempotent_producer
from gateway.config import Settings as GatewaySettings
from matching.config import Settings as MatchingSettings
from notifications.config import Settings as NotificationsSettings
from registry.config import Settings as RegistrySettings

SECRET = "s" * 32
APPS = {
    "GATEWAY_": GatewaySettings,
    "REGISTRY_": RegistrySettings,
    "MATCHING_": MatchingSettings,
    "NOTIFICATIONS_": NotificationsSettings,
}


def settings(monkeypatch, prefix: str, **variables: str):
    monkeypatch.setenv(f"{prefix}INTERNAL_TOKEN_SECRET", SECRET)
    for name, value in variables.items():
        monkeypatch.setenv(f"{prefix}{name}", value)
    return APPS[prefix]()


@pytest.mark.parametrize("prefix", APPS)
def test_by_default_an_app_connects_without_authentication(monkeypatch, prefix):
    options = settings(monkeypatch, prefix).kafka_security().client_options()

    assert options == {"security_protocol": "PLAINTEXT"}


@pytest.mark.parametrize("prefix", APPS)
def test_an_app_given_a_scram_user_over_tls_passes_it_to_its_clients(monkeypatch, prefix):
    options = (
        settings(
            monkeypatch,
            prefix,
            KAFKA_SECURITY_PROTOCOL="SASL_SSL",
            KAFKA_SASL_USERNAME="union-match-app",
            KAFKA_SASL_PASSWORD="scram-password",
        )
        .kafka_security()
        .client_options()
    )

    assert {k: v for k, v in options.items() if k != "ssl_context"} == {
        "security_protocol": "SASL_SSL",
        "sasl_mechanism": "SCRAM-SHA-512",
        "sasl_plain_username": "union-match-app",
        "sasl_plain_password": "scram-password",
    }
    assert isinstance(options["ssl_context"], ssl.SSLContext)


def test_a_sasl_protocol_without_its_user_is_refused_at_start_up(monkeypatch):
    with pytest.raises(ValidationError, match="KAFKA_SASL_USERNAME"):
        settings(monkeypatch, "REGISTRY_", KAFKA_SECURITY_PROTOCOL="SASL_PLAINTEXT")


def test_a_plaintext_app_sends_no_credentials_it_may_have_been_given(monkeypatch):
    security = settings(
        monkeypatch, "MATCHING_", KAFKA_SASL_USERNAME="u", KAFKA_SASL_PASSWORD="p"
    ).kafka_security()

    assert security == PLAINTEXT


async def test_the_producer_and_the_consumer_are_built_with_the_apps_security():
    security = GatewaySettings(
        internal_token_secret=SECRET,
        kafka_security_protocol="SASL_PLAINTEXT",
        kafka_sasl_username="union-match-gateway",
        kafka_sasl_password="scram-password",
    ).kafka_security()
    producer = idempotent_producer("127.0.0.1:9", client_id="t", security=security)
    consumer = EventConsumer(
        bootstrap_servers="127.0.0.1:9",
        group_id="g",
        topics=["registry.enterprises"],
        handle=lambda envelope, payload: None,
        dead_letters=producer,
        security=security,
    )

    for client in (producer.client, consumer._consumer._client):
        assert client._security_protocol == "SASL_PLAINTEXT"
        assert client._sasl_mechanism == "SCRAM-SHA-512"
        assert client._sasl_plain_username == "union-match-gateway"
