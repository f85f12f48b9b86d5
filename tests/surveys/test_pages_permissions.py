"""Permission matrix of the survey pages: each persona × each page and action.

Secretariat (whole province): everything. Leader (whole province): progress, results, texts,
published indices; no quality control, posters or invitations (403). Unit officer of A: its own
unit's progress, results and texts; 403 on management pages of its unit, 404 on unit B's.
Appraiser and outsider: no survey role (404 on a campaign; 403 on the lists). Anonymous: log in.
"""

import pytest
from django.urls import reverse

from cchc.surveys.models import Response
from cchc.surveys.services import submit_response
from tests.surveys import web_fixtures

pytestmark = pytest.mark.django_db
_clear_cache = web_fixtures._clear_cache
survey = web_fixtures.survey

ANSWERS = {"TC1": 4, "CC1": 5, "GY": "khong"}


@pytest.fixture
def world(survey):
    ra = submit_response(survey.cu_a, ANSWERS, channel="web", client_token="t-a")
    rb = submit_response(survey.cu_b, ANSWERS, channel="web", client_token="t-b")
    return {"s": survey, "ra": ra, "rb": rb}


def urls(w):
    c = w["s"].campaign
    a, b = w["s"].cu_a.unit_id, w["s"].cu_b.unit_id
    return {
        "campaigns": reverse("surveys:campaigns"),
        "progress": reverse("surveys:progress", args=[c.pk]),
        "results": reverse("surveys:results", args=[c.pk]),
        "results_xlsx": reverse("surveys:results", args=[c.pk]) + "?format=xlsx",
        "texts": reverse("surveys:texts", args=[c.pk]),
        "qc": reverse("surveys:responses", args=[c.pk]),
        "poster_a": reverse("surveys:poster", args=[c.pk, a]),
        "poster_b": reverse("surveys:poster", args=[c.pk, b]),
        "invitations_a": reverse("surveys:invitations", args=[c.pk, a]),
        "invitations_b": reverse("surveys:invitations", args=[c.pk, b]),
        "published": reverse("surveys:published"),
    }


GET_MATRIX = {
    #                sec  boss appraiser officer_a officer_b outsider
    "campaigns": (200, 200, 403, 200, 200, 403),
    "progress": (200, 200, 404, 200, 200, 404),
    "results": (200, 200, 404, 200, 200, 404),
    "results_xlsx": (200, 200, 404, 200, 200, 404),
    "texts": (200, 200, 404, 200, 200, 404),
    "qc": (200, 403, 404, 403, 403, 404),
    "poster_a": (200, 403, 404, 403, 404, 404),
    "poster_b": (200, 403, 404, 404, 403, 404),
    "invitations_a": (200, 403, 404, 403, 404, 404),
    "invitations_b": (200, 403, 404, 404, 403, 404),
    "published": (200, 200, 403, 403, 403, 403),
}
PERSONAS = ["sec", "boss", "appraiser", "officer_a", "officer_b", "outsider"]
CASES = [
    (name, persona, codes[i]) for name, codes in GET_MATRIX.items() for i, persona in enumerate(PERSONAS)
]


# Not "page": that name is pytest-playwright's fixture, and using it would group these tests with
# the (transactional) browser tests, whose database flush then runs in the middle of the suite.
@pytest.mark.parametrize(("page_name", "persona", "expected"), CASES)
def test_get_matrix(client, people, world, page_name, persona, expected):
    client.force_login(getattr(people, persona))
    assert client.get(urls(world)[page_name]).status_code == expected


@pytest.mark.parametrize("page_name", list(GET_MATRIX))
def test_anonymous_is_sent_to_log_in(client, world, page_name):
    response = client.get(urls(world)[page_name])
    assert response.status_code == 302 and response["Location"].startswith("/login/")


# action → expected per persona (exclude a response of unit A)
EXCLUDE = {"sec": 302, "boss": 403, "appraiser": 404, "officer_a": 403, "officer_b": 404, "outsider": 404}


@pytest.mark.parametrize(("persona", "expected"), EXCLUDE.items())
def test_exclude_matrix(client, people, world, persona, expected):
    client.force_login(getattr(people, persona))
    url = reverse("surveys:response_exclude", args=[world["ra"].pk])
    assert client.post(url, {"reason": "Phiếu trùng"}).status_code == expected
    assert Response.objects.get(pk=world["ra"].pk).excluded is (expected == 302)


@pytest.mark.parametrize(("persona", "expected"), EXCLUDE.items())
def test_restore_and_invitation_creation_matrix(client, people, world, persona, expected):
    from cchc.surveys.services import exclude_response

    exclude_response(world["ra"], people.sec, "Phiếu trùng")
    client.force_login(getattr(people, persona))
    assert client.post(reverse("surveys:response_restore", args=[world["ra"].pk])).status_code == expected
    assert Response.objects.get(pk=world["ra"].pk).excluded is (expected != 302)
    url = reverse("surveys:invitations", args=[world["s"].campaign.pk, world["s"].cu_a.unit_id])
    assert client.post(url, {"count": "3"}).status_code == expected
    assert world["s"].cu_a.invitations.count() == (3 if expected == 302 else 0)


def test_a_unit_officer_sees_only_its_own_unit(client, people, world):
    client.force_login(people.officer_a)
    html = client.get(urls(world)["progress"]).content.decode()
    assert "Huyện An" in html and "Huyện Bình" not in html
    html = client.get(urls(world)["results"]).content.decode()
    assert "Huyện An" in html and "Huyện Bình" not in html
    assert 'href="/s/' not in client.get(urls(world)["progress"]).content.decode()  # no management links


def test_get_requests_never_change_anything(client, people, world):
    client.force_login(people.sec)
    client.get(reverse("surveys:response_exclude", args=[world["ra"].pk]))
    assert client.get(reverse("surveys:response_exclude", args=[world["ra"].pk])).status_code == 405
    assert not Response.objects.get(pk=world["ra"].pk).excluded
