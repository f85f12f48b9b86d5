"""Campaigns, answering, replays, invitations, exclusion and questionnaire versions (services)."""

import pytest

from cchc.surveys.models import Answer, CampaignStatus, Question, QuestionnaireStatus, Response
from cchc.surveys.services import (
    AlreadyAnswered,
    CampaignClosed,
    InvalidAnswers,
    create_campaign,
    create_invitations,
    exclude_response,
    new_version,
    restore_response,
    submit_response,
)

pytestmark = pytest.mark.django_db

FULL = {"KENH": "truc_tiep", "SO_LAN": "2", "TC1": 5, "TT1": "4", "CC1": "na", "MD1": ["thai_do", "giam_phi"]}


@pytest.fixture
def campaign(sipas, province):
    return create_campaign(sipas, 2024, [province.A, province.B], target=150, channels=["web", "paper"])


def cu_of(campaign, unit):
    return campaign.campaign_units.get(unit=unit)


def test_create_campaign_sets_units_targets_and_distinct_public_keys(campaign, province, sipas):
    cus = list(campaign.campaign_units.order_by("unit__code"))
    assert [(cu.unit.code, cu.target_sample) for cu in cus] == [("A", 150), ("B", 150)]
    assert len({cu.public_key for cu in cus}) == 2 and all(len(cu.public_key) >= 10 for cu in cus)
    again = create_campaign(sipas, 2024, [province.A, province.P], target={province.A.pk: 200})
    assert again.pk == campaign.pk
    assert {cu.unit.code: cu.target_sample for cu in again.campaign_units.all()} == {
        "A": 200,
        "B": 150,
        "P": 0,
    }
    with pytest.raises(ValueError, match="unknown channel"):
        create_campaign(sipas, 2025, [province.A], channels=["fax"])


def test_submit_response_stores_normalised_answers(campaign, province):
    response = submit_response(cu_of(campaign, province.A), FULL, channel="web", client_token="t-1")
    values = {a.question.code: a for a in response.answers.select_related("question")}
    assert set(values) == {"KENH", "SO_LAN", "TC1", "TT1", "CC1", "MD1"}
    assert values["TC1"].value_int == 5 and values["TT1"].value_int == 4
    assert values["CC1"].is_na and values["CC1"].value_int is None
    assert values["SO_LAN"].value_int == 2
    assert values["MD1"].choices == ["giam_phi", "thai_do"]  # in the questionnaire's option order
    assert response.unit == province.A and response.channel == "web"


def test_a_replayed_client_token_returns_the_stored_response(campaign, province):
    first = submit_response(cu_of(campaign, province.A), FULL, client_token="same")
    second = submit_response(cu_of(campaign, province.A), {**FULL, "TC1": 1}, client_token="same")
    assert second.pk == first.pk
    assert Response.objects.count() == 1
    assert Answer.objects.get(question__code="TC1").value_int == 5


def test_an_invitation_answers_once(campaign, province):
    cu = cu_of(campaign, province.A)
    invitation = create_invitations(cu, 3)[0]
    response = submit_response(cu, FULL, channel="invitation", invitation=invitation)
    invitation.refresh_from_db()
    assert invitation.used_at is not None and response.invitation == invitation
    with pytest.raises(AlreadyAnswered) as err:
        submit_response(cu, FULL, channel="invitation", invitation=invitation)
    assert err.value.response == response
    assert Response.objects.count() == 1
    other_unit = cu_of(campaign, province.B)
    with pytest.raises(ValueError, match="another unit"):
        submit_response(other_unit, FULL, channel="invitation", invitation=create_invitations(cu, 1)[0])


@pytest.mark.parametrize(
    "answers, errors",
    [
        ({"TC1": 6}, {"TC1": "cần 1–5 hoặc na, nhận được 6"}),
        ({"TC1": "4.5"}, {"TC1": "cần 1–5 hoặc na, nhận được '4.5'"}),
        (
            {"KENH": "fax"},
            {"KENH": "không có lựa chọn 'fax' (chọn một trong: truc_tiep, buu_chinh, truc_tuyen)"},
        ),
        ({"KENH": "truc_tiep;buu_chinh"}, {"KENH": "chỉ được chọn một phương án"}),
        ({"SO_LAN": "hai"}, {"SO_LAN": "không phải số: 'hai'"}),
        ({"XX": "1"}, {"XX": "không có câu hỏi này"}),
        # skip logic: SO_LAN is only asked of those who came in person or by post
        (
            {"KENH": "truc_tuyen", "SO_LAN": "3"},
            {"SO_LAN": "có trả lời nhưng câu hỏi bị ẩn theo điều kiện (show_if)"},
        ),
        ({"SO_LAN": "3"}, {"SO_LAN": "có trả lời nhưng câu hỏi bị ẩn theo điều kiện (show_if)"}),
    ],
)
def test_invalid_answers_are_refused_with_a_reason_per_question(campaign, province, answers, errors):
    with pytest.raises(InvalidAnswers) as err:
        submit_response(cu_of(campaign, province.A), answers)
    assert err.value.errors == errors
    assert Response.objects.count() == 0


def test_required_and_na_rules(campaign, province):
    question = Question.objects.get(questionnaire=campaign.questionnaire, code="TC1")
    question.required, question.allow_na = True, False
    question.save()
    with pytest.raises(InvalidAnswers) as err:
        submit_response(cu_of(campaign, province.A), {"TC2": 4})
    assert err.value.errors == {"TC1": "bắt buộc trả lời"}
    with pytest.raises(InvalidAnswers) as err:
        submit_response(cu_of(campaign, province.A), {"TC1": "na"})
    assert err.value.errors == {"TC1": "câu hỏi này không cho chọn 'na' (không áp dụng)"}


def test_a_closed_campaign_takes_paper_forms_only(campaign, province):
    campaign.status = CampaignStatus.CLOSED
    campaign.save()
    with pytest.raises(CampaignClosed):
        submit_response(cu_of(campaign, province.A), FULL, channel="web")
    assert submit_response(cu_of(campaign, province.A), FULL, channel="paper", form_no="P-1").form_no == "P-1"


def test_exclude_needs_a_reason_and_restore_undoes_it(campaign, province, people):
    response = submit_response(cu_of(campaign, province.A), FULL)
    with pytest.raises(ValueError, match="reason"):
        exclude_response(response, people.sec, "  ")
    exclude_response(response, people.sec, "Phiếu điền trùng")
    response.refresh_from_db()
    assert response.excluded and response.exclusion_reason == "Phiếu điền trùng"
    assert response.excluded_by == people.sec and response.excluded_at is not None
    restore_response(response, people.sec)
    response.refresh_from_db()
    assert not response.excluded and response.excluded_by is None and response.exclusion_reason == ""


def test_new_version_copies_sections_questions_and_archives_the_old_one(sipas, campaign, province):
    submit_response(cu_of(campaign, province.A), FULL)
    assert sipas.in_use
    copy = new_version(sipas)
    sipas.refresh_from_db()
    assert (copy.code, copy.version, copy.previous) == ("SIPAS-DV", 2, sipas)
    assert sipas.status == QuestionnaireStatus.ARCHIVED and copy.status == QuestionnaireStatus.ACTIVE
    assert list(copy.questions.values_list("code", flat=True)) == list(
        sipas.questions.values_list("code", flat=True)
    )
    assert copy.sections.count() == sipas.sections.count() == 7
    so_lan = copy.questions.get(code="SO_LAN")
    assert so_lan.section.questionnaire == copy and so_lan.show_if == {
        "question": "KENH",
        "in": ["truc_tiep", "buu_chinh"],
    }
    assert not copy.in_use
