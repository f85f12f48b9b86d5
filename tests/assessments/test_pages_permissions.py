"""Permission matrix: each persona × each page and action. Objects outside a user's scope are
404 (nothing leaks); actions the user's role does not allow are 403."""

import pytest
from django.urls import reverse

from cchc.assessments.models import Assessment, Evidence, Score
from cchc.frameworks.models import Node

PERSONAS = ["sec", "boss", "appraiser", "officer_a", "officer_b", "outsider", "anonymous"]


@pytest.fixture
def world(opened_round, province, framework, people, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from cchc.assessments.services import add_evidence

    a = Assessment.objects.get(round=opened_round, unit=province.A)
    b = Assessment.objects.get(round=opened_round, unit=province.B)
    leaf = Node.objects.get(framework=framework, code="1.1")
    evidence = add_evidence(
        b, leaf, SimpleUploadedFile("b.pdf", b"%PDF-1.4 secret of B"), user=people.officer_b
    )
    return {"a": a, "b": b, "leaf": leaf, "evidence_b": evidence, "round": opened_round}


def login(client, people, persona):
    if persona != "anonymous":
        client.force_login(getattr(people, persona))


# page → expected status per persona
GET_MATRIX = {
    "detail_a": {
        "sec": 200,
        "boss": 200,
        "appraiser": 200,
        "officer_a": 200,
        "officer_b": 404,
        "outsider": 404,
    },
    "detail_b": {
        "sec": 200,
        "boss": 200,
        "appraiser": 404,
        "officer_a": 404,
        "officer_b": 200,
        "outsider": 404,
    },
    "evidence_b": {
        "sec": 200,
        "boss": 200,
        "appraiser": 404,
        "officer_a": 404,
        "officer_b": 200,
        "outsider": 404,
    },
    "overview": {
        "sec": 200,
        "boss": 200,
        "appraiser": 200,
        "officer_a": 200,
        "officer_b": 200,
        "outsider": 404,
    },
    "results": {
        "sec": 200,
        "boss": 200,
        "appraiser": 200,
        "officer_a": 200,
        "officer_b": 200,
        "outsider": 404,
    },
    "round_new": {
        "sec": 200,
        "boss": 403,
        "appraiser": 403,
        "officer_a": 403,
        "officer_b": 403,
        "outsider": 403,
    },
    "frameworks": {
        "sec": 200,
        "boss": 403,
        "appraiser": 403,
        "officer_a": 403,
        "officer_b": 403,
        "outsider": 403,
    },
}


def url_for(name, w):
    return {
        "detail_a": reverse("assessments:detail", args=[w["a"].pk]),
        "detail_b": reverse("assessments:detail", args=[w["b"].pk]),
        "evidence_b": reverse("assessments:evidence", args=[w["evidence_b"].pk]),
        "overview": reverse("assessments:round_overview", args=[w["round"].pk]),
        "results": reverse("assessments:results", args=[w["round"].pk]),
        "round_new": reverse("assessments:round_new"),
        "frameworks": reverse("frameworks:list"),
    }[name]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("page_name", list(GET_MATRIX))
def test_get_pages(client, people, world, persona, page_name):
    login(client, people, persona)
    response = client.get(url_for(page_name, world))
    if persona == "anonymous":
        assert response.status_code == 302 and "/login/" in response.url
        return
    assert response.status_code == GET_MATRIX[page_name][persona]
    if response.status_code == 404 and page_name in {"detail_b", "evidence_b"}:
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert b"secret of B" not in body and "Huyện Bình".encode() not in body


# POST actions on district B's assessment (status draft): only officer_b may self-score; the
# rest are 404 when B is out of their scope, 403 when in scope but not allowed (a draft
# cannot be finalised, even by the secretariat).
POST_MATRIX = {
    "self_score_b": {
        "sec": 403,
        "boss": 403,
        "appraiser": 404,
        "officer_a": 404,
        "officer_b": 302,
        "outsider": 404,
    },
    "submit_b": {
        "sec": 403,
        "boss": 403,
        "appraiser": 404,
        "officer_a": 404,
        "officer_b": 302,
        "outsider": 404,
    },
    "finalise_b": {
        "sec": 403,
        "boss": 403,
        "appraiser": 404,
        "officer_a": 404,
        "officer_b": 403,
        "outsider": 404,
    },
    "bulk": {"sec": 302, "boss": 403, "appraiser": 403, "officer_a": 403, "officer_b": 403, "outsider": 404},
}


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("action", list(POST_MATRIX))
def test_post_actions(client, people, world, persona, action):
    login(client, people, persona)
    b = world["b"]
    url, data = {
        "self_score_b": (
            reverse("assessments:leaf_save", args=[b.pk, world["leaf"].pk]),
            {"self_score": "1"},
        ),
        "submit_b": (reverse("assessments:action", args=[b.pk]), {"action": "submit", "confirm": "1"}),
        "finalise_b": (reverse("assessments:action", args=[b.pk]), {"action": "finalise", "confirm": "1"}),
        "bulk": (reverse("assessments:round_bulk", args=[world["round"].pk]), {"action": "remind"}),
    }[action]
    response = client.post(url, data)
    if persona == "anonymous":
        assert response.status_code == 302 and "/login/" in response.url
        assert not Score.objects.filter(assessment=b, self_score__isnull=False).exists()
        return
    assert response.status_code == POST_MATRIX[action][persona]
    if POST_MATRIX[action][persona] != 302:
        assert not Score.objects.filter(assessment=b, self_score__isnull=False).exists()
        assert Evidence.objects.count() == 1
