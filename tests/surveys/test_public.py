"""Public answering through the real pages (Django test client = a browser without JavaScript)."""

import pytest
from django.urls import reverse

from cchc.surveys import tokens
from cchc.surveys.models import Answer, CampaignStatus, Invitation, Question, Response
from cchc.surveys.results import compute_results
from cchc.surveys.services import create_invitations
from tests.surveys import web_fixtures
from tests.surveys.web_fixtures import HAPPY, answer_all, form_state

pytestmark = pytest.mark.django_db
_clear_cache = web_fixtures._clear_cache
survey = web_fixtures.survey


def url_of(cu, name="surveys:public"):
    return reverse(name, args=[cu.public_key])


def test_the_first_screen_is_vietnamese_accessible_and_light(client, survey):
    page = client.get(url_of(survey.cu_a))
    html = page.content.decode()
    assert page.status_code == 200
    assert '<html lang="vi">' in html
    assert "Phần 1/3" in html
    assert "Huyện An" in html
    assert "<fieldset" in html and "<legend>Nơi tiếp nhận hồ sơ dễ tìm" in html
    assert "Rất không hài lòng" in html and "Rất hài lòng" in html
    assert "csrfmiddlewaretoken" in html
    assert 'name="website"' in html  # the honeypot
    assert "htmx" not in html and "chart" not in html.lower()
    assert "no-store" in page["Cache-Control"] or "no-cache" in page["Cache-Control"]


def test_answering_every_screen_stores_one_response_that_results_count(client, survey):
    done = answer_all(client, url_of(survey.cu_a))
    assert done.status_code == 302 and done["Location"] == url_of(survey.cu_a, "surveys:public_thanks")
    thanks = client.get(done["Location"])
    assert "Cảm ơn" in thanks.content.decode()

    response = Response.objects.get()
    assert response.unit == survey.cu_a.unit and response.channel == "web"
    assert response.client_token and response.ip_hash and "127.0.0.1" not in response.ip_hash
    values = {a.question.code: a.display_value() for a in Answer.objects.filter(response=response)}
    assert values == {
        "TC1": "5",
        "TC2": "4",
        "CC1": "4",
        "GY": "co",
        "GY1": "5",
        "SOLAN": "2",
        "MD": "tg;tt",
        "YK": "Cán bộ tận tình, nhưng chờ hơi lâu",
    }
    rows = {r.group_key: r for r in compute_results(survey.campaign, by="unit")}
    assert rows["A"].forms == 1 and rows["B"].forms == 0
    assert rows["A"].satisfied_share == 100


def test_skip_logic_hides_a_section_server_side(client, survey):
    url = url_of(survey.cu_a)
    page = client.get(url)
    token, step = form_state(page)
    after = client.post(
        url, {"token": token, "step": step, "action": "next", "q_TC1": "2", "q_CC1": "3", "q_GY": "khong"}
    )
    page = client.get(after["Location"])
    html = page.content.decode()
    assert "Phần 3/3" in html  # section B (only for those who gave feedback) is skipped
    assert "Hài lòng với việc tiếp nhận góp ý" not in html
    token, step = form_state(page)
    done = client.post(url, {"token": token, "step": step, "action": "next"})
    assert "cam-on" in done["Location"]
    codes = set(Answer.objects.values_list("question__code", flat=True))
    assert codes == {"TC1", "CC1", "GY"}


def test_back_then_changing_an_answer_drops_the_now_hidden_answers(client, survey):
    url = url_of(survey.cu_a)
    page = client.get(url)
    token, _ = form_state(page)
    client.post(url, {"token": token, "step": "0", "action": "next", **HAPPY[0]})
    client.post(url, {"token": token, "step": "1", "action": "next", **HAPPY[1]})
    back = client.post(url, {"token": token, "step": "2", "action": "back"})
    assert back.status_code == 302
    assert "Phần 2/3" in client.get(url).content.decode()
    client.post(url, {"token": token, "step": "1", "action": "back", **HAPPY[1]})
    client.post(url, {"token": token, "step": "0", "action": "next", **{**HAPPY[0], "q_GY": "khong"}})
    assert "Phần 3/3" in client.get(url).content.decode()
    client.post(url, {"token": token, "step": "2", "action": "next"})
    assert not Answer.objects.filter(question__code__in=["GY1", "SOLAN"]).exists()
    assert Response.objects.count() == 1


def test_a_condition_met_by_zero_visits_is_met_by_minus_zero_too(client, survey):
    """'-0' typed as the number of visits is zero: the public form shows the question that
    follows from zero visits, as the service storing the form does (the form was refused)."""
    Question.objects.create(
        questionnaire=survey.qn,
        section=survey.qn.sections.get(code="C"),
        order=9,
        code="KHONG_DI",
        text="Vì sao không phải đi lại?",
        type="text",
        required=True,
        show_if={"question": "SOLAN", "in": ["0"]},
    )
    screens = [HAPPY[0], {"q_GY1": "5", "q_SOLAN": "-0"}, {**HAPPY[2], "q_KHONG_DI": "Nộp trực tuyến"}]
    done = answer_all(client, url_of(survey.cu_a), screens)
    assert done.status_code == 302 and "cam-on" in done["Location"]
    answers = {a.question.code: a for a in Answer.objects.select_related("question")}
    assert answers["SOLAN"].value_int == 0
    assert answers["KHONG_DI"].value_text == "Nộp trực tuyến"


def test_required_questions_and_bad_values_are_reported_on_the_screen(client, survey):
    url = url_of(survey.cu_a)
    token, step = form_state(client.get(url))
    page = client.post(url, {"token": token, "step": step, "action": "next", "q_TC1": "9", "q_GY": "co"})
    html = page.content.decode()
    assert page.status_code == 200
    assert "Hãy chọn một mức từ 1 đến 5." in html
    assert "Câu hỏi này bắt buộc." in html  # CC1
    assert "Phần 1/3" in html
    assert Response.objects.count() == 0
    # A number that is not one comes back as typed, marked invalid, on the screen it belongs to.
    client.post(
        url, {"token": token, "step": "0", "action": "next", "q_TC1": "5", "q_CC1": "4", "q_GY": "co"}
    )
    page = client.post(
        url, {"token": token, "step": "1", "action": "next", "q_GY1": "4", "q_SOLAN": "ba lần"}
    )
    html = page.content.decode()
    assert "Phần 2/3" in html and "Hãy nhập một số." in html
    assert 'value="ba lần" aria-invalid="true"' in html


def test_a_dropped_connection_resumes_at_the_last_screen_with_the_answers(client, survey):
    url = url_of(survey.cu_a)
    token, step = form_state(client.get(url))
    client.post(url, {"token": token, "step": step, "action": "next", **HAPPY[0]})
    # The phone lost its connection; later the person opens the same link again.
    page = client.get(url)
    html = page.content.decode()
    assert "Phần 2/3" in html
    assert form_state(page)[0] == token
    back = client.post(url, {"token": token, "step": "1", "action": "back"})
    html = client.get(back["Location"]).content.decode()
    assert 'value="5" checked' in html  # TC1 kept server-side


def test_replaying_the_final_submit_is_refused_politely_and_stores_nothing_twice(client, survey):
    url = url_of(survey.cu_a)
    page = client.get(url)
    token, _ = form_state(page)
    client.post(url, {"token": token, "step": "0", "action": "next", **HAPPY[0]})
    client.post(url, {"token": token, "step": "1", "action": "next", **HAPPY[1]})
    final = {"token": token, "step": "2", "action": "next", **HAPPY[2]}
    first = client.post(url, final)
    assert "cam-on" in first["Location"]
    again = client.post(url, final)
    assert again.status_code == 200
    assert "Phiếu này đã được ghi nhận" in again.content.decode()
    # Even from another browser (no session) with the same token: one row.
    other = client.__class__()
    other.get(url)
    replay = other.post(url, final)
    assert "Phiếu này đã được ghi nhận" in replay.content.decode()
    assert Response.objects.count() == 1


def test_a_forged_or_foreign_token_is_refused(client, survey):
    url = url_of(survey.cu_a)
    client.get(url)
    forged = client.post(url, {"token": "abc:def", "step": "0", "action": "next", **HAPPY[0]})
    assert forged.status_code == 400
    foreign = tokens.issue(survey.cu_b.pk)
    refused = client.post(url, {"token": foreign, "step": "0", "action": "next", **HAPPY[0]})
    assert refused.status_code == 400
    assert "không hợp lệ" in refused.content.decode()
    assert Response.objects.count() == 0


def test_the_honeypot_gets_an_accepted_looking_page_and_nothing_is_stored(client, survey):
    url = url_of(survey.cu_a)
    screens = [dict(s) for s in HAPPY]
    screens[-1]["website"] = "http://spam.example"
    done = answer_all(client, url, screens)
    assert done.status_code == 302 and "cam-on" in done["Location"]
    assert "Cảm ơn" in client.get(done["Location"]).content.decode()
    assert Response.objects.count() == 0


def test_an_invitation_answers_once(client, survey):
    invitation = create_invitations(survey.cu_b, 1)[0]
    url = reverse("surveys:invitation", args=[invitation.token])
    done = answer_all(client, url)
    assert "cam-on" in done["Location"]
    response = Response.objects.get()
    assert response.invitation == invitation and response.channel == "invitation"
    assert response.unit == survey.cu_b.unit
    assert Invitation.objects.get().used_at is not None
    # The same invitation again, from another browser: refused, nothing stored.
    other = client.__class__()
    again = other.get(url)
    assert "Mã mời này đã được dùng" in again.content.decode()
    assert Response.objects.count() == 1


def test_an_unknown_link_is_404_and_a_closed_campaign_takes_no_forms(client, survey):
    assert client.get("/s/khong-co-khoa-nay/").status_code == 404
    assert client.get("/s/i/khong-co-ma/").status_code == 404
    survey.campaign.status = CampaignStatus.CLOSED
    survey.campaign.save()
    page = client.get(url_of(survey.cu_a))
    assert page.status_code == 410
    assert "không nhận phiếu" in page.content.decode()


def test_the_open_link_needs_a_public_campaign(client, survey):
    survey.campaign.public = False
    survey.campaign.save()
    assert client.get(url_of(survey.cu_a)).status_code == 404


def test_kiosk_resets_after_each_form_with_a_fresh_token(client, survey):
    url = url_of(survey.cu_a, "surveys:kiosk")
    first_page = client.get(url)
    assert 'data-idle-seconds="90"' in first_page.content.decode()
    first_token = form_state(first_page)[0]
    done = answer_all(client, url)
    assert done["Location"] == url_of(survey.cu_a, "surveys:kiosk_thanks")
    thanks = client.get(done["Location"]).content.decode()
    assert f'http-equiv="refresh" content="8;url={url}?new=1"' in thanks
    restart = client.get(url + "?new=1")
    assert restart.status_code == 302
    second_page = client.get(url)
    assert "Phần 1/3" in second_page.content.decode()
    assert form_state(second_page)[0] != first_token
    answer_all(client, url)
    assert Response.objects.filter(channel="kiosk").count() == 2


def test_kiosk_idle_reset_drops_the_partial_answers(client, survey):
    url = url_of(survey.cu_a, "surveys:kiosk")
    token, step = form_state(client.get(url))
    client.post(url, {"token": token, "step": step, "action": "next", **HAPPY[0]})
    assert "Phần 2/3" in client.get(url).content.decode()
    client.get(url + "?new=1")  # where the idle timer sends the browser
    page = client.get(url)
    assert "Phần 1/3" in page.content.decode()
    assert 'value="5" checked' not in page.content.decode()


def test_csrf_is_enforced_on_the_public_form(survey):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    url = url_of(survey.cu_a)
    token, step = form_state(strict.get(url))
    response = strict.post(url, {"token": token, "step": step, "action": "next", **HAPPY[0]})
    assert response.status_code == 403
