"""Whose request this is, for limits and throttles: the peer that connected, unless that peer is a
proxy this gateway was told to trust; only then do `Forwarded`, `X-Forwarded-For` or `X-Real-IP`
name the client. Anybody else can write those headers, so from anybody else they mean nothing."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def trusted_networks(proxies: Iterable[str]) -> tuple[Network, ...]:
    """`proxies` are addresses or networks ("10.0.0.5", "10.0.0.0/8", "::1")."""
    return tuple(
        ipaddress.ip_network(proxy.strip(), strict=False) for proxy in proxies if proxy.strip()
    )


def client_address(peer: str, headers: dict[str, str], trusted: tuple[Network, ...]) -> str:
    """`headers` by lower-case name. Walks the proxies' chain from the nearest hop back and returns
    the first address that is not a trusted proxy: a client cannot pose as another by writing its
    own entries at the front of the chain."""
    if not _is_trusted(peer, trusted):
        return peer
    nearest = peer
    for hop in reversed(_forwarded_chain(headers)):
        if hop is None:
            return nearest  # a trusted proxy passed on something that is no address
        if not _is_trusted(hop, trusted):
            return hop
        nearest = hop
    return nearest  # only trusted proxies on the way: the farthest is all that is known


def _forwarded_chain(headers: dict[str, str]) -> list[str | None]:
    if forwarded := headers.get("forwarded"):
        return [_address(_for_of(element)) for element in forwarded.split(",")]
    if x_forwarded_for := headers.get("x-forwarded-for"):
        return [_address(hop) for hop in x_forwarded_for.split(",")]
    if real_ip := headers.get("x-real-ip"):
        return [_address(real_ip)]
    return []


def _for_of(element: str) -> str:
    """The `for=` of one element of RFC 7239's Forwarded header."""
    for pair in element.split(";"):
        name, _, value = pair.strip().partition("=")
        if name.strip().lower() == "for":
            return value.strip()
    return ""


def _address(value: str) -> str | None:
    """A plain IP address from `1.2.3.4`, `1.2.3.4:5678`, `"[2001:db8::1]:80"` or `2001:db8::1`;
    None otherwise."""
    value = value.strip().strip('"')
    if value.startswith("["):
        value = value[1:].partition("]")[0]
    elif value.count(":") == 1:
        value = value.partition(":")[0]
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def _is_trusted(address: str, trusted: tuple[Network, ...]) -> bool:
    if not trusted:
        return False
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in trusted)
