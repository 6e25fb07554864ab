"""The address the limits count is the peer's, unless the peer is a proxy the gateway was told to
trust: anybody can write X-Forwarded-For, so from anybody else it means nothing."""

import pytest

from gateway.domain.client_address import client_address, trusted_networks

WEB = trusted_networks(["127.0.0.1", "10.0.0.0/8"])


def test_with_no_trusted_proxy_forwarding_headers_are_ignored():
    headers = {
        "x-forwarded-for": "192.0.2.1",
        "forwarded": "for=192.0.2.2",
        "x-real-ip": "192.0.2.3",
    }

    assert client_address("203.0.113.66", headers, ()) == "203.0.113.66"


def test_a_client_that_is_not_a_trusted_proxy_cannot_pose_as_another():
    assert client_address("203.0.113.66", {"x-forwarded-for": "192.0.2.1"}, WEB) == "203.0.113.66"


def test_a_trusted_proxy_names_its_visitor():
    assert client_address("127.0.0.1", {"x-forwarded-for": "192.0.2.1"}, WEB) == "192.0.2.1"


def test_entries_a_client_wrote_at_the_front_of_the_chain_are_not_believed():
    # The visitor sent "X-Forwarded-For: 192.0.2.99"; the trusted proxy appended the real peer.
    assert (
        client_address("10.1.2.3", {"x-forwarded-for": "192.0.2.99, 198.51.100.7"}, WEB)
        == "198.51.100.7"
    )


def test_a_chain_of_trusted_proxies_is_walked_back_to_the_first_untrusted_hop():
    assert (
        client_address("127.0.0.1", {"x-forwarded-for": "198.51.100.7, 10.0.0.5"}, WEB)
        == "198.51.100.7"
    )


@pytest.mark.parametrize(
    "forwarded",
    ["for=198.51.100.7;proto=https", 'for="198.51.100.7:4711"', 'for="[2001:db8::7]:80"'],
)
def test_the_standard_forwarded_header_is_read(forwarded):
    assert client_address("127.0.0.1", {"forwarded": forwarded}, WEB) in {
        "198.51.100.7",
        "2001:db8::7",
    }


def test_x_real_ip_is_read_from_a_trusted_proxy():
    assert client_address("127.0.0.1", {"x-real-ip": "198.51.100.7"}, WEB) == "198.51.100.7"


@pytest.mark.parametrize(
    "garbage", ["", "unknown", "not-an-address", "\x00", "192.0.2.1.5", "for=_hidden"]
)
def test_something_that_is_no_address_leaves_the_proxy_s_own(garbage):
    assert client_address("127.0.0.1", {"x-forwarded-for": garbage}, WEB) == "127.0.0.1"


def test_a_trusted_proxy_that_forwards_nothing_is_the_client():
    assert client_address("127.0.0.1", {}, WEB) == "127.0.0.1"


def test_a_proxy_setting_that_is_no_address_is_refused():
    with pytest.raises(ValueError):
        trusted_networks(["the web server"])
