from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from cchc.assessments import services
from cchc.assessments.models import Assessment, ScoreChange, Status, Transition
from cchc.assessments.results import assessment_result
from cchc.frameworks.models import Node


def leaf(framework, code):
    return Node.objects.get(framework=framework, code=code)


@pytest.fixture
def assessment_a(opened_round, province):
    return Assessment.objects.get(round=opened_round, unit=province.A)


def test_open_round_creates_one_draft_per_district(opened_round, province):
    units = set(Assessment.objects.filter(round=opened_round).values_list("unit__code", flat=True))
    assert units == {"A", "B"}
    assert Transition.objects.filter(to_status=Status.DRAFT).count() == 2


def test_whole_year_through_the_services(assessment_a, framework, people):
    a = assessment_a
    for code, points in [("1.1", "2"), ("1.2", "1"), ("2.1", "2.5"), ("2.2", "4")]:
        services.set_self_score(a, leaf(framework, code), user=people.officer_a, score=Decimal(points))
    with pytest.raises(services.WorkflowError):  # 1.1 needs evidence or an explanation
        services.submit(a, user=people.officer_a)
    services.set_self_score(
        a, leaf(framework, "1.1"), user=people.officer_a, explanation="Kế hoạch số 11/KH-UBND"
    )
    services.submit(a, user=people.officer_a)
    services.set_appraised_score(
        a, leaf(framework, "2.1"), user=people.appraiser, score=Decimal("2"), comment="Thiếu tài liệu"
    )
    a.refresh_from_db()
    assert a.status == Status.UNDER_APPRAISAL
    services.return_for_explanation(a, user=people.appraiser)
    services.respond_to_comment(a, leaf(framework, "2.1"), user=people.officer_a, response="Đã bổ sung")
    services.answer_explanation(a, user=people.officer_a)
    services.finalise(a, user=people.sec, override_reason="Các tiêu chí khác giữ điểm tự chấm")
    services.publish(a, user=people.sec)
    a.refresh_from_db()
    assert a.status == Status.PUBLISHED
    result = assessment_result(a)
    assert result.total == Decimal("9") and result.max_points == Decimal("10")
    assert result.index == Decimal("90.00") and result.band.code == "xuat_sac"
    assert result.fields_at_max == 1 and result.leaves_at_max == 3
    assert list(a.transitions.values_list("to_status", flat=True)) == [
        "draft",
        "submitted",
        "under_appraisal",
        "returned",
        "under_appraisal",
        "finalised",
        "published",
    ]
    change = ScoreChange.objects.get(field="appraised_score")
    assert (change.by, change.old_value, change.new_value) == (people.appraiser, "", "2")


def test_officer_cannot_score_another_unit(opened_round, province, framework, people):
    b = Assessment.objects.get(round=opened_round, unit=province.B)
    with pytest.raises(PermissionDenied):
        services.set_self_score(b, leaf(framework, "1.2"), user=people.officer_a, score=Decimal(1))


def test_published_assessment_is_locked_until_reopened_with_reason(assessment_a, framework, people):
    services.submit(assessment_a, force=True)
    services.finalise(assessment_a, user=people.sec, override_reason="Chưa thẩm định, thử khoá")
    services.publish(assessment_a, user=people.sec)
    with pytest.raises(services.WorkflowError):
        services.set_appraised_score(assessment_a, leaf(framework, "1.2"), score=Decimal(1))
    with pytest.raises(services.WorkflowError):
        services.reopen(assessment_a, user=people.sec, reason=" ")
    with pytest.raises(PermissionDenied):
        services.reopen(assessment_a, user=people.appraiser, reason="Sai sót")
    services.reopen(assessment_a, user=people.sec, reason="Sai sót số liệu")
    assert assessment_a.transitions.last().note == "Sai sót số liệu"
