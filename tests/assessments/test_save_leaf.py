"""One rule for saving a leaf (``services.save_leaf``): the assessment page's autosave and the
API's score endpoint give the same result, or the same refusal, for the same input."""

from __future__ import annotations

import html
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from cchc.assessments import services
from cchc.assessments.models import Assessment, Score, ScoreChange, Status
from cchc.frameworks.models import Node
from tests.api.conftest import Api

pytestmark = pytest.mark.django_db


@pytest.fixture
def a(opened_round, province):
    return Assessment.objects.get(round=opened_round, unit=province.A)


def node(a, code):
    return Node.objects.get(framework=a.round.framework, code=code)


def through_the_page(client, user, a, code, data):
    """The autosave (HTMX): (status, stored score row, the messages shown beside the field)."""
    client.force_login(user)
    r = client.post(
        reverse("assessments:leaf_save", args=[a.pk, node(a, code).pk]), data, HTTP_HX_REQUEST="true"
    )
    errors = [
        html.unescape(e).strip()
        for e in re.findall(r'class="field-error"[^>]*>(.*?)<span class="muted">', r.content.decode(), re.S)
    ]
    return r.status_code, errors


def through_the_api(user, a, code, payload):
    r = Api(user).put(f"/api/assessments/{a.pk}/scores/{code}", payload)
    detail = r.json().get("detail") if r.status_code != 200 else None
    return r.status_code, detail


def stored(a, code):
    s = Score.objects.filter(assessment=a, node__code=code).first()
    return (s.self_score, s.appraised_score, s.not_applicable) if s else None


def history(a):
    return list(
        ScoreChange.objects.filter(score__assessment=a)
        .order_by("id")
        .values_list("score__node__code", "field", "old_value", "new_value", "by__username")
    )


def reset(a):
    Score.objects.filter(assessment=a).delete()


@pytest.mark.parametrize(
    "code,typed,saved",
    [
        ("1.2", "0,75", Decimal("0.75")),  # the Vietnamese form, as on the page
        ("1.2", "0.75", Decimal("0.75")),
        ("2.1", " 2,5 ", Decimal("2.5")),
        ("2.1", "", None),  # empty clears
    ],
)
def test_the_same_self_score_is_saved_the_same_way(client, people, a, code, typed, saved):
    page_status, page_errors = through_the_page(client, people.officer_a, a, code, {"self_score": typed})
    page_result, page_history = stored(a, code), history(a)
    reset(a)
    api_status, api_errors = through_the_api(people.officer_a, a, code, {"score": typed})
    assert (page_status, page_errors) == (200, []) and (api_status, api_errors) == (200, None)
    assert stored(a, code) == page_result == (saved, None, False)
    assert history(a) == page_history  # the same ScoreChange rows


@pytest.mark.parametrize(
    "code,typed,reason",
    [
        ("1.2", "abc", "Điểm “abc” không phải là số (ví dụ 0,75)."),
        ("1.2", "1,2,3", "Điểm “1,2,3” không phải là số (ví dụ 0,75)."),
        ("1.2", "5", "Tiêu chí 1.2: điểm 5,00 vượt điểm tối đa 1,00."),
        ("1.2", "-1", "Tiêu chí 1.2: điểm không được âm."),
        ("2.2", "1", "Tiêu chí 2.2: tiêu chí đạt/không đạt chỉ nhận 0 hoặc 4,00 điểm."),
        ("1.2", "NaN", "Điểm “NaN” không phải là số (ví dụ 0,75)."),
    ],
)
def test_the_same_bad_score_is_refused_with_the_same_message(client, people, a, code, typed, reason):
    page = through_the_page(client, people.officer_a, a, code, {"self_score": typed})
    api = through_the_api(people.officer_a, a, code, {"score": typed})
    assert page == (422, [reason])
    assert api == (422, [reason])
    assert stored(a, code) is None or stored(a, code)[0] is None
    assert history(a) == []


def test_a_json_number_is_read_like_the_typed_text(people, a):
    assert through_the_api(people.officer_a, a, "2.1", {"score": 2.5}) == (200, None)
    assert stored(a, "2.1") == (Decimal("2.5"), None, False)


def test_the_first_appraised_score_starts_the_appraisal_through_either_entry(client, people, a):
    services.submit(a, force=True)
    assert through_the_page(client, people.appraiser, a, "2.1", {"appraised_score": "1,5"}) == (200, [])
    a.refresh_from_db()
    page = (a.status, stored(a, "2.1"), history(a), list(a.transitions.values_list("to_status", "note")))
    Score.objects.filter(assessment=a).delete()
    a.transitions.filter(to_status=Status.UNDER_APPRAISAL).delete()
    Assessment.objects.filter(pk=a.pk).update(status=Status.SUBMITTED)
    assert through_the_api(people.appraiser, a, "2.1", {"score": "1,5"}) == (200, None)
    a.refresh_from_db()
    api = (a.status, stored(a, "2.1"), history(a), list(a.transitions.values_list("to_status", "note")))
    assert page == api
    assert page[0] == Status.UNDER_APPRAISAL and page[1] == (None, Decimal("1.5"), False)
    assert page[3][-1] == (Status.UNDER_APPRAISAL, "Bắt đầu thẩm định")


def test_the_appraisers_not_applicable_flag_is_saved_through_either_entry(client, people, a):
    services.submit(a, force=True)
    data = {"not_applicable": "on", "na_present": "1"}
    assert through_the_page(client, people.appraiser, a, "2.1", data) == (200, [])
    page = stored(a, "2.1"), history(a)
    reset(a)
    assert through_the_api(people.appraiser, a, "2.1", {"not_applicable": True}) == (200, None)
    assert (stored(a, "2.1"), history(a)) == page
    assert page[0] == (None, None, True)


@pytest.fixture
def returned(a, people):
    services.set_self_score(a, node(a, "2.1"), user=people.officer_a, score=Decimal("2.5"))
    services.submit(a, force=True)
    services.set_appraised_score(
        a, node(a, "2.1"), user=people.appraiser, score=Decimal("2"), comment="Thiếu"
    )
    services.return_for_explanation(a, user=people.appraiser)
    a.refresh_from_db()
    return a


@pytest.mark.parametrize("typed", ["3", "abc"])
def test_while_returned_a_changed_self_score_is_refused_through_either_entry(client, people, returned, typed):
    before = stored(returned, "2.1"), history(returned)
    page_status, _errors = through_the_page(
        client, people.officer_a, returned, "2.1", {"self_score": typed, "unit_response": "Đã bổ sung"}
    )
    api = through_the_api(people.officer_a, returned, "2.1", {"score": typed, "response": "Đã bổ sung"})
    assert page_status == 403
    assert api == (403, "Khi giải trình, đơn vị không sửa được điểm tự đánh giá.")
    assert (stored(returned, "2.1"), history(returned)) == before
    assert Score.objects.get(assessment=returned, node__code="2.1").unit_response == ""


def test_while_returned_the_score_as_it_stands_is_no_change(client, people, returned):
    """A page opened before the return sends the score it shows with the explanation: saved
    (the explanation), as through the API."""
    status, errors = through_the_page(
        client,
        people.officer_a,
        returned,
        "2.1",
        {
            "self_score": "2,50",
            "na_present": "1",
            "explanation": "Bổ sung kế hoạch",
            "unit_response": "Đã bổ sung",
        },
    )
    assert (status, errors) == (200, [])
    page = Score.objects.filter(assessment=returned, node__code="2.1").values_list(
        "self_score", "explanation", "unit_response"
    )[0]
    Score.objects.filter(assessment=returned, node__code="2.1").update(explanation="", unit_response="")
    api = through_the_api(
        people.officer_a,
        returned,
        "2.1",
        {
            "score": "2.5",
            "not_applicable": False,
            "explanation": "Bổ sung kế hoạch",
            "response": "Đã bổ sung",
        },
    )
    assert api == (200, None)
    assert (
        Score.objects.filter(assessment=returned, node__code="2.1").values_list(
            "self_score", "explanation", "unit_response"
        )[0]
        == page
        == (Decimal("2.5"), "Bổ sung kế hoạch", "Đã bổ sung")
    )
    assert [c[1] for c in history(returned)] == ["self_score", "appraised_score"]  # no new change


def test_nobody_else_writes_a_leaf_through_either_entry(client, people, a):
    """The leader sees the draft and writes nothing: 403 on both."""
    status, _errors = through_the_page(client, people.boss, a, "1.2", {"self_score": "1"})
    api = through_the_api(people.boss, a, "1.2", {"score": "1"})
    assert status == 403
    assert api == (403, "Bạn không có quyền sửa điểm của bản đánh giá này ở trạng thái hiện tại.")
    assert stored(a, "1.2") is None
