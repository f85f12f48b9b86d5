"""Public survey integrity: an empty form neither counts nor is taken, the kiosk needs the public
link, the campaign's dates are enforced, an IPv6 /64 is one address for the limits, a cookieless
GET stores no session, and a count question takes whole numbers only."""

import datetime as dt

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cchc.surveys import services
from cchc.surveys.models import Answer, Question, Response
from cchc.surveys.results import compute_results
from tests.surveys import web_fixtures
from tests.surveys.web_fixtures import HAPPY, answer_all, form_state

pytestmark = pytest.mark.django_db
_clear_cache = web_fixtures._clear_cache
survey = web_fixtures.survey


def url_of(cu, name="surveys:public"):
    return reverse(name, args=[cu.public_key])


@pytest.fixture
def optional(survey):
    """The same questionnaire with nothing required: the last screen can be posted at once."""
    Question.objects.filter(questionnaire=survey.qn).update(required=False, show_if=None)
    return survey


def _post_last_screen_empty(client, cu, name="surveys:public"):
    url = url_of(cu, name)
    token, _step = form_state(client.get(url))
    return client.post(url, {"token": token, "step": "2", "action": "next"})


# --- a form counts only with the minimum of valid answers ------------------------------------------


def test_one_post_of_the_last_screen_with_no_answer_stores_no_form(client, optional):
    response = _post_last_screen_empty(client, optional.cu_a)
    assert response.status_code == 400
    assert "ít nhất 1 câu trả lời đánh giá" in response.content.decode()
    assert not Response.objects.exists()


def test_a_form_answered_not_applicable_throughout_is_refused(client, optional):
    url = url_of(optional.cu_a)
    token, _ = form_state(client.get(url))
    na = {"q_TC1": "na", "q_TC2": "na", "q_CC1": "na", "q_GY1": "na"}
    client.post(url, {"token": token, "step": "0", "action": "next", **na})
    client.post(url, {"token": token, "step": "1", "action": "next"})
    done = client.post(url, {"token": token, "step": "2", "action": "next", "q_YK": "Không có ý kiến"})
    assert done.status_code == 400 and not Response.objects.exists()


def test_an_empty_form_stored_anyway_counts_nowhere(client, people, survey):
    """However an empty form got in (a file, an older version), progress, results and the
    indicators share one definition: Response.objects.counted()."""
    from cchc.surveys.indicators import refresh_indicators

    answer_all(client, url_of(survey.cu_a))  # one real form
    empty = Response.objects.create(
        campaign=survey.campaign, unit=survey.cu_a.unit, channel="paper", submitted_at=timezone.now()
    )
    na_only = Response.objects.create(
        campaign=survey.campaign, unit=survey.cu_b.unit, channel="paper", submitted_at=timezone.now()
    )
    Answer.objects.create(response=na_only, question=survey.qn.questions.get(code="TC1"), is_na=True)
    assert set(Response.objects.counted().values_list("pk", flat=True)) == (
        set(Response.objects.values_list("pk", flat=True)) - {empty.pk, na_only.pk}
    )
    rows = {r.group_key: r for r in compute_results(survey.campaign, by="unit")}
    assert rows["A"].forms == 1 and rows["B"].forms == 0
    client.force_login(people.sec)
    page = client.get(reverse("surveys:progress", args=[survey.campaign.pk]))
    by_unit = {r["cu"].unit.code: r for r in page.context["rows"]}
    assert by_unit["A"]["valid"] == 1 and by_unit["B"]["valid"] == 0
    assert page.context["totals"]["valid"] == 1
    campaigns = client.get(reverse("surveys:campaigns"))
    assert {c.pk: c.n_forms for c in campaigns.context["campaigns"]}[survey.campaign.pk] == 1
    refresh_indicators(survey.campaign)  # runs on the same counted forms (no error, B has none)


def test_the_minimum_is_the_questionnaires(client, survey):
    survey.qn.min_valid_answers = 5
    survey.qn.save()
    done = answer_all(client, url_of(survey.cu_a))  # HAPPY answers 4 scale questions
    assert done.status_code == 400 and "ít nhất 5 câu trả lời" in done.content.decode()
    survey.qn.min_valid_answers = 4
    survey.qn.save()
    assert "cam-on" in answer_all(Client(), url_of(survey.cu_a))["Location"]
    assert Response.objects.counted().count() == 1


# --- the kiosk and the campaign's dates -----------------------------------------------------------


def test_the_kiosk_refuses_while_the_public_link_is_off(client, survey):
    survey.campaign.public = False
    survey.campaign.save()
    assert client.get(url_of(survey.cu_a, "surveys:kiosk")).status_code == 404
    assert client.post(url_of(survey.cu_a, "surveys:kiosk"), {"token": "x"}).status_code == 404
    assert not Response.objects.exists()


def test_after_ends_on_the_survey_says_it_has_ended(client, survey):
    url = url_of(survey.cu_a)
    token, step = form_state(client.get(url))
    client.post(url, {"token": token, "step": step, "action": "next", **HAPPY[0]})
    survey.campaign.ends_on = timezone.localdate() - dt.timedelta(days=1)
    survey.campaign.save()
    page = client.get(url)
    html = page.content.decode()
    assert page.status_code == 410 and "Khảo sát đã kết thúc" in html
    assert (survey.campaign.ends_on.strftime("%d/%m/%Y")) in html
    # A post of a form opened before the end is refused too, and so is the service.
    assert client.post(url, {"token": token, "step": "1", "action": "next", **HAPPY[1]}).status_code == 410
    with pytest.raises(services.CampaignEnded):
        services.submit_response(survey.cu_a, {"TC1": 5, "CC1": 4, "GY": "khong"})
    assert not Response.objects.exists()


def test_before_starts_on_the_survey_says_it_has_not_started(client, survey):
    survey.campaign.starts_on = timezone.localdate() + dt.timedelta(days=3)
    survey.campaign.save()
    page = client.get(url_of(survey.cu_a, "surveys:kiosk"))
    assert page.status_code == 410 and "Khảo sát chưa bắt đầu" in page.content.decode()


def test_the_last_day_still_takes_forms(client, survey):
    survey.campaign.starts_on = survey.campaign.ends_on = timezone.localdate()
    survey.campaign.save()
    assert "cam-on" in answer_all(client, url_of(survey.cu_a))["Location"]


def test_paper_forms_may_come_in_after_the_end(survey):
    survey.campaign.ends_on = timezone.localdate() - dt.timedelta(days=10)
    survey.campaign.save()
    services.submit_response(survey.cu_a, {"TC1": 5, "CC1": 4, "GY": "khong"}, channel="paper")
    assert Response.objects.counted().count() == 1


# --- rate limits group an IPv6 /64 ------------------------------------------------------------------


def test_the_addresses_of_one_ipv6_64_share_one_budget(survey, settings):
    settings.SURVEY_RATE_PER_IP = 2
    url = url_of(survey.cu_a)
    for host in ("2001:db8:1:2::1", "2001:db8:1:2:ffff::9"):
        assert "cam-on" in answer_all(Client(), url, REMOTE_ADDR=host)["Location"]
    blocked = answer_all(Client(), url, REMOTE_ADDR="2001:db8:1:2:abcd:1234:5678:9abc")
    assert blocked.status_code == 429
    # The next /64 is another household.
    assert "cam-on" in answer_all(Client(), url, REMOTE_ADDR="2001:db8:1:3::1")["Location"]
    assert Response.objects.count() == 3


# --- no session row for a cookieless GET ----------------------------------------------------------


@pytest.mark.parametrize("name", ["surveys:public", "surveys:kiosk"])
def test_a_cookieless_get_creates_no_session_row(survey, name):
    url = url_of(survey.cu_a, name)
    for _ in range(5):
        page = Client().get(url)
        assert page.status_code == 200 and "Phần 1/3" in page.content.decode()
    assert Session.objects.count() == 0


def test_the_first_post_stores_the_state_and_the_answer_is_timed_from_the_first_screen(client, survey):
    url = url_of(survey.cu_a)
    token, step = form_state(client.get(url))
    assert Session.objects.count() == 0
    client.post(url, {"token": token, "step": step, "action": "next", **HAPPY[0]})
    assert Session.objects.count() == 1
    assert form_state(client.get(url))[0] == token  # resumes with the same token
    assert "cam-on" in answer_all(client, url, screens=HAPPY[1:])["Location"]
    assert Response.objects.get().duration_seconds is not None


# --- whole numbers for a count ----------------------------------------------------------------------


@pytest.fixture
def counted_visits(survey):
    Question.objects.filter(questionnaire=survey.qn, code="SOLAN").update(type="integer")
    return survey


def test_a_count_question_refuses_a_decimal_in_vietnamese(client, counted_visits):
    url = url_of(counted_visits.cu_a)
    token, step = form_state(client.get(url))
    client.post(url, {"token": token, "step": step, "action": "next", **HAPPY[0]})
    page = client.post(url, {"token": token, "step": "1", "action": "next", "q_GY1": "5", "q_SOLAN": "2,5"})
    html = page.content.decode()
    assert page.status_code == 200 and "Hãy nhập một số nguyên" in html
    assert 'value="2,5" aria-invalid="true"' in html and 'inputmode="numeric"' in html
    client.post(url, {"token": token, "step": "1", "action": "next", "q_GY1": "5", "q_SOLAN": "3"})
    client.post(url, {"token": token, "step": "2", "action": "next", **HAPPY[2]})
    answer = Answer.objects.get(question__code="SOLAN")
    assert answer.value_int == 3


def test_a_decimal_question_still_takes_a_vietnamese_decimal(client, survey):
    url = url_of(survey.cu_a)
    token, step = form_state(client.get(url))
    client.post(url, {"token": token, "step": step, "action": "next", **HAPPY[0]})
    client.post(url, {"token": token, "step": "1", "action": "next", "q_GY1": "5", "q_SOLAN": "2,5"})
    client.post(url, {"token": token, "step": "2", "action": "next", **HAPPY[2]})
    assert Answer.objects.get(question__code="SOLAN").display_value() == "2.5"


def test_the_service_refuses_a_decimal_for_an_integer_question(counted_visits):
    with pytest.raises(services.InvalidAnswers) as exc:
        services.submit_response(
            counted_visits.cu_a, {"TC1": 5, "CC1": 4, "GY": "co", "GY1": 4, "SOLAN": "2,5"}, channel="paper"
        )
    assert "SOLAN" in exc.value.errors


def test_the_shipped_sipas_asks_the_number_of_visits_as_a_whole_number():
    from pathlib import Path

    import yaml

    import cchc

    data = yaml.safe_load((Path(cchc.__file__).parent / "data/questionnaires/sipas-dich-vu.yaml").read_text())
    assert {q["code"]: q["type"] for q in data["questions"]}["SO_LAN"] == "integer"
