"""The workflow declared once (``workflow.EDITS`` and ``workflow.STEPS``): the capabilities of
``access_for``, the services, "waiting for me", the page's buttons and the API all read it.

Each persona × each state is checked against the table itself; then one entry of the table is
changed and every entry point follows."""

from __future__ import annotations

import dataclasses
import re

import pytest
from django.urls import reverse

from cchc.assessments import services, workflow
from cchc.assessments.access import access_for
from cchc.assessments.models import Assessment, Status
from cchc.orgs.access import scope_for
from cchc.orgs.models import Role
from tests.api.conftest import Api
from tests.assessments.test_visibility import STATES, bring_to

pytestmark = pytest.mark.django_db

# The workflow roles each persona holds on district A (the secretariat of the province covers
# it; the appraiser appraises A; the leader holds none).
HELD = {
    "officer_a": {Role.UNIT_OFFICER},
    "appraiser": {Role.APPRAISER},
    "sec": {Role.SECRETARIAT},
    "boss": set(),
}


def allowed_by_table(held, status):
    """The offered actions the table grants: a role of the step held, the state a from-state."""
    return [s.action for s in workflow.STEPS.values() if s.offered and held & s.roles and status in s.sources]


def buttons(html):
    actions = re.search(r'<div class="actions">.*?</div>', html, re.S).group(0)
    return re.findall(r'<button[^>]* name="action" value="([a-z_]+)"', actions)


@pytest.mark.parametrize("state", STATES)
def test_buttons_capabilities_and_the_api_follow_the_table(client, people, opened_round, state):
    a = bring_to(Assessment.objects.get(round=opened_round, unit__code="A"), state, people)
    for persona, held in HELD.items():
        user = getattr(people, persona)
        expected = allowed_by_table(held, state)
        client.force_login(user)
        page = client.get(reverse("assessments:detail", args=[a.pk])).content.decode()
        assert buttons(page) == expected, persona
        granted = {e.capability for e in workflow.EDITS if held & e.roles and state in e.states} | {
            s.capability for s in workflow.STEPS.values() if held & s.roles and state in s.sources
        }
        access = access_for(scope_for(user), a)
        assert {c for c in workflow.CAPABILITIES if getattr(access, c)} == granted, persona
        can = Api(user).get(f"/api/assessments/{a.pk}").json()["can"]
        assert {k for k, v in can.items() if v} == {"view", *granted}, persona


def test_the_page_refuses_an_action_the_table_does_not_grant(client, people, opened_round):
    a = bring_to(Assessment.objects.get(round=opened_round, unit__code="A"), "finalised", people)
    client.force_login(people.appraiser)
    url = reverse("assessments:action", args=[a.pk])
    assert client.post(url, {"action": "publish", "confirm": "1"}).status_code == 403
    assert client.post(url, {"action": "start_appraisal"}).status_code == 404  # not offered
    a.refresh_from_db()
    assert a.status == Status.FINALISED


def test_waiting_for_me_follows_the_table(client, people, opened_round):
    a = Assessment.objects.get(round=opened_round, unit__code="A")
    b = Assessment.objects.get(round=opened_round, unit__code="B")
    bring_to(a, "under_appraisal", people)
    services.submit(b, force=True)
    services.finalise(b, user=people.sec, override_reason="Giữ điểm tự chấm")

    def lists(persona):
        client.force_login(getattr(people, persona))
        html = client.get("/").content.decode()
        return {
            role: re.findall(r"/assessments/(\d+)/", items)
            for role, items in re.findall(r'<ul class="plain" data-role="(\w+)">(.*?)</ul>', html, re.S)
        }

    assert lists("officer_a") == {Role.UNIT_OFFICER: []}
    assert lists("appraiser") == {Role.APPRAISER: [str(a.pk)]}
    assert lists("sec") == {Role.APPRAISER: [str(a.pk)], Role.SECRETARIAT: [str(b.pk)]}
    assert lists("boss") == {}


def test_one_change_of_the_table_is_followed_everywhere(client, people, opened_round, monkeypatch):
    """Reopen only from "finalised" (not "published"): the capability, the page's button, the
    page's action, the API and the service's reason all change with that one entry."""
    a = bring_to(Assessment.objects.get(round=opened_round, unit__code="A"), "published", people)
    reopen = workflow.step(workflow.Action.REOPEN)
    client.force_login(people.sec)
    assert "reopen" in buttons(client.get(reverse("assessments:detail", args=[a.pk])).content.decode())
    monkeypatch.setitem(
        workflow.STEPS,
        workflow.Action.REOPEN,
        dataclasses.replace(reopen, sources=frozenset({Status.FINALISED})),
    )
    assert access_for(scope_for(people.sec), a).reopen is False
    assert buttons(client.get(reverse("assessments:detail", args=[a.pk])).content.decode()) == []
    url = reverse("assessments:action", args=[a.pk])
    assert client.post(url, {"action": "reopen", "note": "Khiếu nại", "confirm": "1"}).status_code == 403
    r = Api(people.sec).post(
        f"/api/assessments/{a.pk}/transitions", {"action": "reopen", "reason": "Khiếu nại"}
    )
    assert r.status_code == 422
    assert r.json()["detail"] == ["Không thể mở lại: đã công bố kết quả."]
    a.refresh_from_db()
    assert a.status == Status.PUBLISHED


def test_a_new_waiting_list_entry_is_followed_by_the_home_page(client, people, opened_round, monkeypatch):
    """Had the table put published assessments in the secretariat's list (reopen), the home
    page would list them."""
    a = bring_to(Assessment.objects.get(round=opened_round, unit__code="A"), "published", people)
    client.force_login(people.sec)
    assert f"/assessments/{a.pk}/" not in client.get("/").content.decode()
    reopen = workflow.step(workflow.Action.REOPEN)
    monkeypatch.setitem(
        workflow.STEPS, workflow.Action.REOPEN, dataclasses.replace(reopen, waiting_list=Role.SECRETARIAT)
    )
    assert f"/assessments/{a.pk}/" in client.get("/").content.decode()


@pytest.mark.parametrize(
    "state,persona,action,body,status,detail",
    [
        # the state first, with its real reason (422), then the role (403)
        ("draft", "sec", "finalise", {"reason": "r"}, 422, "Không thể chốt kết quả: đơn vị chưa nộp bản tự đánh giá."),
        ("draft", "sec", "submit", {}, 403, None),
        ("finalised", "sec", "finalise", {}, 422, "Không thể chốt kết quả: đã hoàn thành thẩm định (đã chốt kết quả)."),
        ("submitted", "sec", "publish", {}, 422, "Không thể công bố: đã nộp, chưa thẩm định."),
        ("under_appraisal", "sec", "reopen", {"reason": "r"}, 422, "Không thể mở lại: đang thẩm định, chưa chốt kết quả."),
        ("published", "sec", "reopen", {}, 422, "Phải ghi lý do mở lại bản đánh giá."),
        # return and answer: the role and the state together (403)
        ("draft", "appraiser", "return", {"note": "n"}, 403, None),
        ("under_appraisal", "officer_a", "answer", {}, 403, None),
        # the guards
        ("submitted", "appraiser", "return", {}, 422,
         "Hãy ghi ý kiến thẩm định ở ít nhất một tiêu chí (hoặc ghi chú chung) trước khi trả lại."),
        ("returned", "officer_a", "answer", {}, 422, "Còn ý kiến thẩm định chưa được giải trình: 2.1"),
    ],
)  # fmt: skip
def test_refusals_keep_their_messages(people, opened_round, state, persona, action, body, status, detail):
    a = bring_to(Assessment.objects.get(round=opened_round, unit__code="A"), state, people)
    r = Api(getattr(people, persona)).post(f"/api/assessments/{a.pk}/transitions", {"action": action, **body})
    assert r.status_code == status
    if detail:
        assert r.json()["detail"] == [detail]
    a.refresh_from_db()
    assert a.status == state


def test_the_system_is_refused_by_the_state_messages(people, opened_round):
    """Without a user (the CLI, the demo), return, answer and start are refused by their own
    state messages."""
    a = Assessment.objects.get(round=opened_round, unit__code="A")
    for fn, message in [
        (services.return_for_explanation, "Chỉ trả lại để giải trình khi đang thẩm định."),
        (services.answer_explanation, "Bản đánh giá không chờ giải trình."),
        (services.start_appraisal, "Chỉ thẩm định được bản đánh giá đã nộp."),
    ]:
        with pytest.raises(services.WorkflowError) as exc:
            fn(a, note="x")
        assert exc.value.messages == [message]
    services.submit(a, force=True)
    services.start_appraisal(a, user=people.appraiser)
    with pytest.raises(services.WorkflowError, match="Chỉ thẩm định được bản đánh giá đã nộp."):
        services.start_appraisal(a, user=people.appraiser)
