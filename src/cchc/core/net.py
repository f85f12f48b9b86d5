"""The client's address, for throttling and rate limits."""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings


@lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(e, strict=False) for e in entries)


def _trusted(address: str) -> bool:
    networks = _networks(tuple(getattr(settings, "CCHC_TRUSTED_PROXIES", ()) or ()))
    if not networks:
        return False
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in net for net in networks)


def client_ip(request) -> str:
    """``REMOTE_ADDR``, unless it is a trusted reverse proxy (``CCHC_TRUSTED_PROXIES``): then the
    right-most ``X-Forwarded-For`` address that is not itself a trusted proxy. The header is
    ignored when the peer is not trusted, since any client can send it."""
    remote = request.META.get("REMOTE_ADDR", "")
    if not _trusted(remote):
        return remote
    forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()]
    for address in reversed(forwarded):
        if not _trusted(address):
            try:
                return str(ipaddress.ip_address(address))
            except ValueError:
                return remote  # garbage in the header: count the proxy itself
    return remote


def address_group(address: str) -> str:
    """The key a per-address limit counts under: an IPv4 address as is; an IPv6 address by its
    /64 network (one household, phone or cloud host holds a whole /64 and can pick any address
    in it); an IPv4-mapped IPv6 address as its IPv4 address. Anything else (empty, garbage) as is."""
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return address
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((int(ip) >> 64 << 64, 64)))
    return str(ip)


def address_group_member(address: str) -> str:
    """The group of :func:`address_group` written as one address (the first of an IPv6 /64), for
    stores that take an IP address only (django-axes' ``ip_address`` column)."""
    group = address_group(address)
    return group.split("/", 1)[0]


def client_group(request) -> str:
    """``AXES_CLIENT_IP_CALLABLE``: the client's address grouped as the per-address limits count
    it (an IPv6 client by its /64: the log-in lockout cannot be dodged by walking the /64)."""
    return address_group_member(client_ip(request))
