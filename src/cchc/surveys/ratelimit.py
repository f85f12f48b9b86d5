"""Rate limits on public survey submissions, per client address and per surveyed unit.

Counts live in the Django cache (the database cache by default, shared by every worker) in fixed
windows. Limits come from settings when present (tests override them there), else from the
environment:

    CCHC_SURVEY_RATE_PER_IP      accepted forms per address and window (default 30)
    CCHC_SURVEY_RATE_PER_UNIT    accepted forms per unit and window (default 2000)
    CCHC_SURVEY_RATE_WINDOW      window length in seconds (default 3600)

A one-stop desk behind one address (a kiosk, a commune's office network) sends many forms an
hour: raise the per-address limit for such deployments rather than disabling it.
"""

from __future__ import annotations

import hashlib
import os
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.utils.crypto import salted_hmac

from cchc.core import net


def _limit(setting: str, env: str, default: int) -> int:
    value = getattr(settings, setting, None)
    if value is None:
        value = os.environ.get(env) or default
    return int(value)


def per_ip() -> int:
    return _limit("SURVEY_RATE_PER_IP", "CCHC_SURVEY_RATE_PER_IP", 30)


def per_unit() -> int:
    return _limit("SURVEY_RATE_PER_UNIT", "CCHC_SURVEY_RATE_PER_UNIT", 2000)


def window() -> int:
    return max(1, _limit("SURVEY_RATE_WINDOW", "CCHC_SURVEY_RATE_WINDOW", 3600))


client_ip = net.client_ip  # the address behind trusted reverse proxies (CCHC_TRUSTED_PROXIES)


def ip_hash(ip: str) -> str:
    """A salted, keyed hash of an address: lets forensics group forms from one address without
    ever storing the address itself."""
    return salted_hmac("cchc.surveys.ip", ip).hexdigest()[:32]


def _key(kind: str, value: str, slot: int) -> str:
    if kind == "ip":
        value = net.address_group(value)  # an IPv6 /64 is one address
    digest = hashlib.sha256(value.encode()).hexdigest()[:24]
    return f"survey-rate:{kind}:{digest}:{slot}"


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after: int = 0


def _now() -> float:
    return time.time()


def _slot() -> tuple[int, int]:
    w = window()
    now = int(_now())
    return now // w, w - now % w


def check(ip: str, unit_key: str) -> Verdict:
    """Whether one more form from ``ip`` for the unit ``unit_key`` is within the limits."""
    slot, remaining = _slot()
    counts = cache.get_many([_key("ip", ip, slot), _key("unit", unit_key, slot)])
    if (
        counts.get(_key("ip", ip, slot), 0) >= per_ip()
        or counts.get(_key("unit", unit_key, slot), 0) >= per_unit()
    ):
        return Verdict(False, remaining)
    return Verdict(True)


def record(ip: str, unit_key: str) -> None:
    """Count one accepted form."""
    slot, _remaining = _slot()
    timeout = window() + 60
    for kind, value in (("ip", ip), ("unit", unit_key)):
        key = _key(kind, value, slot)
        if cache.add(key, 1, timeout):
            continue
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout)
