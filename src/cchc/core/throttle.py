"""Login throttling: too many failures for a username or from an address locks it out for a while.

Counts live in the cache (the database cache by default, shared by every worker process).
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import cache

from cchc.core import net


def _key(kind: str, value: str) -> str:
    digest = hashlib.sha256(value.lower().encode()).hexdigest()[:32]
    return f"login-fail:{kind}:{digest}"


client_ip = net.client_ip  # the address behind trusted reverse proxies (CCHC_TRUSTED_PROXIES)


def is_locked(username: str, ip: str) -> bool:
    limit = settings.LOGIN_MAX_FAILURES
    return (cache.get(_key("user", username), 0) >= limit) or (cache.get(_key("ip", ip), 0) >= limit * 4)


def record_failure(username: str, ip: str) -> None:
    window = settings.LOGIN_FAILURE_WINDOW_SECONDS
    for kind, value in (("user", username), ("ip", ip)):
        key = _key(kind, value)
        if cache.add(key, 1, window):
            continue
        try:
            cache.incr(key)
        except ValueError:
            cache.set(key, 1, window)


def reset(username: str, ip: str) -> None:
    cache.delete_many([_key("user", username), _key("ip", ip)])
