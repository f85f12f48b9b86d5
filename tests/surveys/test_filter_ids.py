"""Survey filters: an id that is not a database id (30 digits, "²", text) is ignored, not a 500."""

import pytest
from django.urls import reverse

from tests.surveys import web_fixtures

pytestmark = pytest.mark.django_db
_clear_cache = web_fixtures._clear_cache
survey = web_fixtures.survey
HUGE = "1" * 30


@pytest.mark.parametrize("value", [HUGE, "²", "-1", "12a"])
def test_a_filter_id_that_is_not_an_id_is_ignored(client, people, survey, value):
    client.force_login(people.sec)
    c = survey.campaign.pk
    pages = [
        (reverse("surveys:responses", args=[c]), {"unit": value}),
        (reverse("surveys:responses", args=[c]), {"q": value}),
        (reverse("surveys:texts", args=[c]), {"question": value, "unit": value}),
        (reverse("surveys:published"), {"unit": value}),
    ]
    for url, params in pages:
        assert client.get(url, params).status_code < 500, (url, params)
