"""The demo surveys (cchc.demo.surveys.load_demo_surveys) on the demo province of cchc.demo.province:
made through the real services, results and pages populated, re-running adds nothing."""

import datetime as dt
import random

import pytest
from django.utils import timezone

from cchc.demo.province import PASSWORD, build_units, build_users
from cchc.demo.surveys import load_demo_surveys
from cchc.indicators.models import IndicatorValue
from cchc.surveys.models import Campaign, CampaignStatus, PublishedIndex, Response
from cchc.surveys.results import compute_results

pytestmark = pytest.mark.django_db
NOW = timezone.make_aware(dt.datetime(2025, 11, 20, 10, 0))


@pytest.fixture
def demo():
    units = build_units()
    build_users(units)
    counts = load_demo_surveys(units, random.Random(7), now=NOW)
    return units, counts


def test_two_campaigns_with_a_few_hundred_forms_through_the_services(demo):
    units, counts = demo
    assert counts["already_loaded"] == 0
    past = Campaign.objects.get(questionnaire__code="SIPAS-DV", period=2024)
    current = Campaign.objects.get(questionnaire__code="SIPAS-DV", period=2025)
    assert (past.status, current.status) == (CampaignStatus.CLOSED, CampaignStatus.OPEN)

    # 2024: the three-level organisation (12 departments, 8 districts, 29 communes) on paper.
    past_units = set(past.campaign_units.values_list("unit__code", flat=True))
    assert len(past_units) == 12 + 8 + 29 and "DEMO-H02-X01" in past_units
    assert counts["paper_forms"] == 12 * 8 + 8 * 10 + 29 * 4
    assert Response.objects.filter(campaign=past, channel="paper").count() == counts["paper_forms"]
    assert counts["excluded"] == 4
    assert Response.objects.filter(campaign=past, excluded=True).exclude(exclusion_reason="").count() == 4

    # 2025: departments and the communes valid on the day (after the merger), answered online.
    current_units = set(current.campaign_units.values_list("unit__code", flat=True))
    assert "DEMO-X-PHUVAN" in current_units and "DEMO-H02-X01" not in current_units
    assert not any(code.startswith("DEMO-H0") for code in current_units)
    online = Response.objects.filter(campaign=current)
    assert online.count() == counts["online_forms"]
    assert 100 <= counts["paper_forms"] + counts["online_forms"] <= 600
    assert set(online.values_list("channel", flat=True)) == {"web", "kiosk", "invitation"}
    assert online.filter(submitted_at__gt=NOW).count() == 0


def test_results_levels_and_indicators_are_populated_and_exclusions_do_not_count(demo):
    past = Campaign.objects.get(questionnaire__code="SIPAS-DV", period=2024)
    levels = {r.group_key: r for r in compute_results(past, by="level")}
    assert set(levels) == {"department", "district", "commune"}
    valid_forms = Response.objects.filter(campaign=past, excluded=False).count()
    assert sum(r.forms for r in levels.values()) == valid_forms == 292 - 4
    for row in levels.values():
        assert 50 < row.index < 100 and row.ci_low < row.index < row.ci_high
    # Units differ (each has its own level of service).
    per_unit = [r.index for r in compute_results(past, by="unit") if r.index is not None]
    assert max(per_unit) - min(per_unit) > 5
    assert (
        IndicatorValue.objects.filter(indicator__code="surveys.sipas_index", period_start__year=2024).count()
        == 49
    )
    assert IndicatorValue.objects.filter(
        indicator__code="surveys.sipas_index", period_start__year=2025
    ).exists()
    assert PublishedIndex.objects.filter(kind="papi_dimension", year=2024).count() == 8
    assert PublishedIndex.objects.filter(kind="sipas").count() == 5


def test_rerunning_adds_nothing(demo):
    units, _counts = demo
    before = (Response.objects.count(), Campaign.objects.count(), PublishedIndex.objects.count())
    again = load_demo_surveys(units, random.Random(7), now=NOW)
    assert again["already_loaded"] == 1 and again["paper_forms"] == again["online_forms"] == 0
    assert (Response.objects.count(), Campaign.objects.count(), PublishedIndex.objects.count()) == before


def test_the_secretariat_pages_show_the_demo_data(demo, client):
    client.login(username="thuongtruc", password=PASSWORD)
    current = Campaign.objects.get(questionnaire__code="SIPAS-DV", period=2025)
    past = Campaign.objects.get(questionnaire__code="SIPAS-DV", period=2024)
    campaigns = client.get("/surveys/").content.decode()
    assert "Khảo sát sự hài lòng (SIPAS) năm 2025" in campaigns
    progress = client.get(f"/surveys/campaigns/{current.pk}/").content.decode()
    total = Response.objects.filter(campaign=current, excluded=False).count()
    assert f'<span id="total-valid">{total}</span>' in progress
    results = client.get(f"/surveys/campaigns/{past.pk}/results/")
    assert results.status_code == 200 and "Sở Nội vụ" in results.content.decode()
    texts = client.get(f"/surveys/campaigns/{past.pk}/texts/").content.decode()
    assert any(c in texts for c in ["Nơi ngồi chờ còn chật", "hướng dẫn tận tình", "đúng hẹn"])
    assert client.get("/surveys/published/").status_code == 200
