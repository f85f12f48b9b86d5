"""API authentication: ``Authorization: Bearer <key>`` (an ApiToken) or the browser session."""

from __future__ import annotations

from ninja.security import HttpBearer, django_auth

from cchc.api.models import ApiToken


class BearerToken(HttpBearer):
    def authenticate(self, request, token):
        user = ApiToken.authenticate(token)
        if user is not None:
            request.user = user
        return user


AUTH = [BearerToken(), django_auth]
