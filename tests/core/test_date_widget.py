"""The shared date input: dd/mm/yyyy shown and taken (ISO still taken), whatever the browser."""

import datetime as dt

import pytest
from django.urls import reverse

from cchc.core.widgets import VnDateField, VnDateInput, format_date, parse_date
from cchc.surveys.models import Campaign
from tests.surveys import web_fixtures


@pytest.mark.parametrize("text", ["13/12/2021", "2021-12-13", "13-12-2021", "13.12.2021", " 13/12/2021 "])
def test_dd_mm_yyyy_and_iso_are_read(text):
    assert parse_date(text) == dt.date(2021, 12, 13)


def test_an_unreadable_date_is_refused_in_vietnamese():
    with pytest.raises(ValueError):
        parse_date("12/31/2021")
    field = VnDateField()
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as err:
        field.clean("12/31/2021")
    assert "13/12/2021" in str(err.value)


def test_the_widget_is_a_text_input_showing_dd_mm_yyyy():
    html = VnDateInput().render("starts_on", dt.date(2021, 12, 13), {"id": "id_starts_on", "required": True})
    assert 'type="text"' in html and 'value="13/12/2021"' in html and 'id="id_starts_on"' in html
    assert 'placeholder="dd/mm/yyyy"' in html and 'inputmode="numeric"' in html and " required" in html
    assert 'type="date"' not in html
    assert format_date(dt.date(2021, 1, 2)) == "02/01/2021"


@pytest.mark.django_db
def test_the_campaign_form_takes_dd_mm_yyyy(client, people, province):
    web_fixtures.make_questionnaire()
    client.force_login(people.sec)
    page = client.get(reverse("surveys:campaign_new")).content.decode()
    assert 'name="starts_on"' in page and 'placeholder="dd/mm/yyyy"' in page
    from cchc.orgs.models import UnitType
    from cchc.surveys.models import Questionnaire

    data = {
        "questionnaire": Questionnaire.objects.get().pk,
        "period": "2021",
        "unit_types": [UnitType.objects.get(code="district").pk],
        "target": "30",
        "margin": "0.05",
        "channels": ["web"],
        "public": "on",
        "starts_on": "13/12/2021",
        "ends_on": "31/12/2021",
    }
    bad = client.post(reverse("surveys:campaign_new"), {**data, "ends_on": "01/12/2021"})
    assert bad.status_code == 422 and "Ngày kết thúc phải sau ngày bắt đầu." in bad.content.decode()
    assert client.post(reverse("surveys:campaign_new"), data).status_code == 302
    campaign = Campaign.objects.get()
    assert (campaign.starts_on, campaign.ends_on) == (dt.date(2021, 12, 13), dt.date(2021, 12, 31))


@pytest.mark.django_db
def test_the_dossier_dashboard_reads_and_shows_dd_mm_yyyy(client, people):
    client.force_login(people.sec)
    page = client.get(reverse("procedures:dashboard"), {"date_from": "13/12/2021", "date_to": "31/12/2021"})
    html = page.content.decode()
    assert page.status_code == 200
    assert 'value="13/12/2021"' in html and 'value="31/12/2021"' in html and 'type="date"' not in html


@pytest.mark.django_db
def test_the_quality_control_filters_read_dd_mm_yyyy(client, people, province):
    survey = web_fixtures.make_survey(province, people.sec)
    client.force_login(people.sec)
    url = reverse("surveys:responses", args=[survey.campaign.pk])
    html = client.get(url, {"since": "2021-12-13", "until": "31/12/2021"}).content.decode()
    assert 'value="13/12/2021"' in html and 'value="31/12/2021"' in html
