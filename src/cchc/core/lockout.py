"""Log-in lockout with django-axes, configured for this platform (settings ``AXES_*``).

Two limits, both over the cool-down window (``CCHC_LOGIN_FAILURE_WINDOW``, counted from the last
failure):

* one username from one address: ``CCHC_LOGIN_MAX_FAILURES`` failures lock that pair only, so a
  stranger guessing from elsewhere never locks the owner out;
* one address, whatever the usernames: ``CCHC_LOGIN_MAX_FAILURES_PER_ADDRESS`` (default four times
  the first) locks the address.

A success clears only the failures of that username from that address, never the address budget.
Usernames are counted as Django's log-in compares them (NFKC, surrounding spaces stripped), and the
address is the client behind the trusted proxies, an IPv6 client by its /64 (:func:`cchc.core.net.client_group`).
"""

from __future__ import annotations

import unicodedata
from datetime import timedelta

from axes.attempts import get_cool_off_threshold
from axes.backends import AxesStandaloneBackend
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.forms import AuthenticationForm
from django.db.models import Sum
from django.shortcuts import render
from django.utils.translation import gettext as _


def normalise_username(username: str | None) -> str:
    """The username the log-in form hands to the backends: NFKC, stripped (Django's
    ``UsernameField`` and ``AbstractBaseUser.normalize_username``)."""
    return unicodedata.normalize("NFKC", str(username or "")).strip()[:150]


def username_for_lockout(request, credentials: dict | None) -> str:
    """``AXES_USERNAME_CALLABLE``: the normalised username, from the credentials or the POST."""
    field = get_username_field()
    if credentials and credentials.get(field) is not None:
        return normalise_username(credentials.get(field))
    data = getattr(request, "POST", None) or {}
    return normalise_username(data.get(field))


def get_username_field() -> str:
    from django.contrib.auth import get_user_model

    return get_user_model().USERNAME_FIELD


def failure_limit(request, credentials) -> int:
    """``AXES_FAILURE_LIMIT``: failures of one username from one address (read at each call)."""
    return settings.LOGIN_MAX_FAILURES


def cool_off(request=None) -> timedelta:
    """``AXES_COOLOFF_TIME``: how long failures count after the last one."""
    return timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS)


class LockoutBackend(AxesStandaloneBackend):
    """Axes' check before the password is tried. A call without a request (``Client.login`` in
    tests, a script) is no log-in over HTTP and has no address to count (axes records no failure
    for it either): it goes on to the next backend instead of raising."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


class LoginAttemptHandler(AxesDatabaseHandler):
    """Axes' database handler with the two limits above (axes itself compares one count with one
    limit: the address total is scaled onto the pair's limit, so either reaching its own limit
    locks)."""

    def _recent(self, request):
        return AccessAttempt.objects.filter(attempt_time__gte=get_cool_off_threshold(request))

    def get_failures(self, request, credentials: dict | None = None) -> int:
        recent = self._recent(request).filter(ip_address=request.axes_ip_address)
        username = get_client_username(request, credentials)

        def total(qs) -> int:
            return qs.aggregate(n=Sum("failures_since_start"))["n"] or 0

        pair = total(recent.filter(username=username))
        address = total(recent)
        limit = settings.LOGIN_MAX_FAILURES
        budget = max(settings.LOGIN_MAX_FAILURES_PER_ADDRESS, 1)
        # floor(address * limit / budget) >= limit exactly when address >= budget
        return max(pair, address * limit // budget)

    def reset_user_attempts(self, request, credentials: dict | None = None) -> int:
        """On success: only this username from this address (never the address budget)."""
        username = get_client_username(request, credentials)
        count, _ = AccessAttempt.objects.filter(
            username=username, ip_address=request.axes_ip_address
        ).delete()
        return count


def lockout_response(request, original_response=None, credentials=None):
    """``AXES_LOCKOUT_CALLABLE``: the log-in page again, with HTTP 429 and a translated message."""
    minutes = max(1, round(settings.LOGIN_FAILURE_WINDOW_SECONDS / 60))
    messages.error(
        request,
        _("Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau %(minutes)s phút.") % {"minutes": minutes},
    )
    form = AuthenticationForm(request)
    return render(request, "registration/login.html", {"form": form}, status=429)
