from __future__ import annotations

import json

import pytest
from django.test import Client

from cchc.api.models import ApiToken


class Api:
    """A client for one persona (Bearer token), or anonymous."""

    def __init__(self, user=None):
        self.client = Client()
        self.headers = {}
        if user is not None:
            _token, key = ApiToken.issue(user, "test")
            self.headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"}

    def get(self, url, **params):
        return self.client.get(url, params, **self.headers)

    def put(self, url, data):
        return self.client.put(url, json.dumps(data), content_type="application/json", **self.headers)

    def post(self, url, data):
        return self.client.post(url, json.dumps(data), content_type="application/json", **self.headers)


@pytest.fixture
def api_as(people):
    def make(name):
        return Api(None if name == "anonymous" else getattr(people, name))

    return make


@pytest.fixture
def assessments(opened_round, province):
    from cchc.assessments.models import Assessment

    return {a.unit.code: a for a in Assessment.objects.filter(round=opened_round).select_related("unit")}
