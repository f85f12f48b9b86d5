"""A whole year through the API, validation errors (422) and token handling."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from cchc.api.models import ApiToken, digest

pytestmark = pytest.mark.django_db


def test_whole_year_through_the_api(api_as, assessments, framework):
    a = assessments["A"]
    unit, appraiser, sec = api_as("officer_a"), api_as("appraiser"), api_as("sec")
    base = f"/api/assessments/{a.pk}"
    for code, score in [("1.1", "2"), ("1.2", "1"), ("2.1", "2.5"), ("2.2", "4")]:
        r = unit.put(f"{base}/scores/{code}", {"score": score, "explanation": "Đã thực hiện"})
        assert r.status_code == 200, r.content
    assert unit.post(f"{base}/transitions", {"action": "submit"}).json()["status"] == "submitted"
    r = appraiser.put(f"{base}/scores/2.1", {"score": "2", "comment": "Thiếu minh chứng"})
    assert r.status_code == 200 and float(r.json()["appraised_score"]) == 2
    assert appraiser.post(f"{base}/transitions", {"action": "return"}).json()["status"] == "returned"
    # While returned the unit may answer, not change its score.
    assert unit.put(f"{base}/scores/2.1", {"score": "3", "response": "x"}).status_code == 403
    assert unit.put(f"{base}/scores/2.1", {"response": "Đã bổ sung"}).status_code == 200
    assert unit.post(f"{base}/transitions", {"action": "answer"}).json()["status"] == "under_appraisal"
    r = sec.post(f"{base}/transitions", {"action": "finalise", "reason": "Giữ điểm tự chấm"})
    assert r.json()["status"] == "finalised"
    assert sec.post(f"{base}/transitions", {"action": "publish"}).json()["status"] == "published"
    # Published: officer_a now sees its own row, with the total computed from appraised scores.
    rows = unit.get("/api/results", framework=framework.code, year=2021).json()["results"]
    assert [r["unit_code"] for r in rows] == ["A"]
    assert float(rows[0]["total"]) == 9 and rows[0]["rank"] == 1
    detail = unit.get(base).json()
    leaf = {x["code"]: x for x in detail["leaves"]}["2.1"]
    assert leaf["comment"] == "Thiếu minh chứng" and leaf["unit_response"] == "Đã bổ sung"
    # Reopen needs a reason (422), only the secretariat may (403 for the unit).
    assert sec.post(f"{base}/transitions", {"action": "reopen"}).status_code == 422
    assert unit.post(f"{base}/transitions", {"action": "reopen", "reason": "x"}).status_code == 403
    r = sec.post(f"{base}/transitions", {"action": "reopen", "reason": "Khiếu nại"})
    assert r.json()["status"] == "under_appraisal"


def test_validation_errors_are_422_with_messages(api_as, assessments):
    a = assessments["A"]
    api = api_as("officer_a")
    r = api.put(f"/api/assessments/{a.pk}/scores/1.1", {"score": "5"})
    assert r.status_code == 422
    assert any("1.1" in m for m in r.json()["detail"])
    r = api.put(f"/api/assessments/{a.pk}/scores/1.1", {"score": "0.3"})
    assert r.status_code == 422
    r = api.put(f"/api/assessments/{a.pk}/scores/1.1", {"score": "abc"})
    assert r.status_code == 422
    # A parent node is not a leaf; an unknown node is 404.
    assert api.put(f"/api/assessments/{a.pk}/scores/1", {"score": "1"}).status_code == 422
    assert api.put(f"/api/assessments/{a.pk}/scores/9.9", {"score": "1"}).status_code == 404
    # Submitting with missing items lists them.
    r = api.post(f"/api/assessments/{a.pk}/transitions", {"action": "submit"})
    assert r.status_code == 422 and any("1.1" in m for m in r.json()["detail"])
    r = api.post(f"/api/assessments/{a.pk}/transitions", {"action": "fly"})
    assert r.status_code == 422


def test_create_api_token_command_prints_key_once(people, capsys):
    call_command("create_api_token", "officer_a", "--name", "script")
    key = capsys.readouterr().out.strip()
    token = ApiToken.objects.get(user=people.officer_a)
    assert token.name == "script" and token.key_hash == digest(key) and key not in token.key_hash
    assert token.last_used is None
    from django.test import Client

    r = Client().get("/api/units", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert r.status_code == 200 and [u["code"] for u in r.json()] == ["A"]
    token.refresh_from_db()
    assert token.last_used is not None


def test_create_api_token_unknown_user(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="no user"):
        call_command("create_api_token", "ghost")


def test_inactive_user_token_rejected(people):
    from django.test import Client

    _t, key = ApiToken.issue(people.officer_a)
    people.officer_a.is_active = False
    people.officer_a.save()
    assert Client().get("/api/units", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 401


def test_session_auth_for_the_browser(people, client):
    client.force_login(people.officer_b)
    r = client.get("/api/units")
    assert r.status_code == 200 and [u["code"] for u in r.json()] == ["B"]


def test_openapi_docs(client):
    assert client.get("/api/openapi.json").status_code == 200
    assert client.get("/api/docs").status_code == 200


def test_session_writes_need_the_csrf_token(people, assessments):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(people.officer_a)
    a = assessments["A"]
    r = browser.put(f"/api/assessments/{a.pk}/scores/1.2", '{"score": "1"}', content_type="application/json")
    assert r.status_code == 403
    browser.get("/")  # sets the CSRF cookie
    token = browser.cookies["csrftoken"].value
    r = browser.put(
        f"/api/assessments/{a.pk}/scores/1.2",
        '{"score": "1"}',
        content_type="application/json",
        HTTP_X_CSRFTOKEN=token,
    )
    assert r.status_code == 200


def test_the_transition_action_is_an_enum_of_the_workflow_table(client):
    """The OpenAPI schema names the actions (from ``workflow.STEPS``), not a free string."""
    from cchc.assessments import workflow

    schema = client.get("/api/openapi.json").json()
    components = schema["components"]["schemas"]
    action = components["TransitionIn"]["properties"]["action"]
    if "$ref" in action:
        action = components[action["$ref"].rsplit("/", 1)[1]]
    assert action["type"] == "string"
    assert action["enum"] == list(workflow.OFFERED_ACTIONS)
    assert action["enum"] == ["submit", "return", "answer", "finalise", "publish", "reopen"]
    # the score is typed as a person types it, or a number
    score = components["ScoreIn"]["properties"]["score"]
    assert {"type": "string"} in score["anyOf"] and {"type": "number"} in score["anyOf"]


def test_an_action_outside_the_enum_is_refused_before_anything_changes(api_as, assessments):
    a = assessments["A"]
    for action in ["fly", "start_appraisal", "SUBMIT", ""]:
        r = api_as("officer_a").post(f"/api/assessments/{a.pk}/transitions", {"action": action})
        assert r.status_code == 422, action
    a.refresh_from_db()
    assert a.status == "draft" and a.transitions.count() == 1
