"""cchc.surveys.access: each helper returns the object and what the user may do with it, and
raises Http404 for an object outside the user's reach (the pages: test_pages_permissions)."""

import pytest
from django.http import Http404

from cchc.orgs.models import OrgUnit, UnitType
from cchc.surveys import access
from cchc.surveys.models import PublishedIndex
from cchc.surveys.services import submit_response
from tests.surveys import web_fixtures

pytestmark = pytest.mark.django_db
_clear_cache = web_fixtures._clear_cache
survey = web_fixtures.survey
PERSONAS = ["sec", "boss", "appraiser", "officer_a", "officer_b", "outsider"]


def test_what_each_persona_may_do_on_the_survey_pages(people):
    flags = {
        p: (a.list_campaigns, a.open_campaign, a.read_published)
        for p in PERSONAS
        for a in [access.survey_access(getattr(people, p))]
    }
    assert flags == {
        "sec": (True, True, True),
        "boss": (True, False, True),
        "appraiser": (False, False, False),
        "officer_a": (True, False, False),
        "officer_b": (True, False, False),
        "outsider": (False, False, False),
    }


def test_a_campaign_and_what_the_user_may_do_with_it(people, survey):
    c = survey.campaign
    campaign, sec = access.get_campaign_for_user(people.sec, c.pk)
    assert campaign == c and sec.manage and sec.all_units and sec.result_units is None
    assert [cu.unit.code for cu in sec.units] == ["A", "B"] and sec.managed_units == list(sec.units)
    _c, boss = access.get_campaign_for_user(people.boss, c.pk)
    assert not boss.manage and boss.all_units and boss.managed_units == []
    _c, officer = access.get_campaign_for_user(people.officer_a, c.pk)
    assert not officer.manage and not officer.all_units
    assert officer.unit_ids == [survey.cu_a.unit_id] and officer.result_units == [survey.cu_a.unit]
    for persona in ("appraiser", "outsider"):
        with pytest.raises(Http404):
            access.get_campaign_for_user(getattr(people, persona), c.pk)
    with pytest.raises(Http404):
        access.get_campaign_for_user(people.sec, c.pk + 1000)
    assert list(access.campaigns_for(people.officer_b)) == [c]
    assert list(access.campaigns_for(people.appraiser)) == []


def test_a_campaign_unit(people, survey):
    c, a, b = survey.campaign.pk, survey.cu_a.unit_id, survey.cu_b.unit_id
    campaign, cu, unit_access = access.get_campaign_unit_for_user(people.sec, c, a)
    assert (campaign, cu, unit_access.manage) == (survey.campaign, survey.cu_a, True)
    assert access.get_campaign_unit_for_user(people.officer_a, c, a)[2].manage is False
    with pytest.raises(Http404):
        access.get_campaign_unit_for_user(people.officer_a, c, b)  # another unit
    with pytest.raises(Http404):
        access.get_campaign_unit_for_user(people.sec, c, survey.cu_a.unit.parent_id)  # not surveyed


def test_a_response(people, survey):
    response = submit_response(survey.cu_a, {"TC1": 4, "CC1": 5, "GY": "khong"}, channel="web")
    found, sec = access.get_response_for_user(people.sec, response.pk)
    assert found == response and sec.manage
    assert access.get_response_for_user(people.officer_a, response.pk)[1].manage is False
    assert access.get_response_for_user(people.boss, response.pk)[1].manage is False
    for persona in ("officer_b", "appraiser", "outsider"):
        with pytest.raises(Http404):
            access.get_response_for_user(getattr(people, persona), response.pk)
    with pytest.raises(Http404):
        access.get_response_for_user(people.sec, response.pk + 1000)


def test_the_units_a_new_campaign_may_cover(people, province):
    reach = access.opening_scope_for(people.sec)
    assert set(reach.unit_types().values_list("code", flat=True)) == {
        "province",
        "district",
        "commune",
        "department",
    }
    district = UnitType.objects.get(code="district")
    assert [u.code for u in reach.units_of([district], 2025)] == ["A", "B"]
    sub = access.opening_scope_for(people.officer_a)
    assert list(sub.units) == []  # a unit officer is no secretariat


def test_the_published_units(people, province):
    assert access.get_published_unit_for_user(people.sec, None) == (None, [])
    PublishedIndex.objects.create(unit=province.P, year=2024, kind="sipas", value=80)
    assert access.get_published_unit_for_user(people.boss, None) == (province.P, [province.P])
    assert access.get_published_unit_for_user(people.sec, province.P.pk) == (province.P, [province.P])
    with pytest.raises(Http404):
        access.get_published_unit_for_user(people.sec, OrgUnit.objects.get(code="A").pk)
    with pytest.raises(Http404):
        access.get_published_unit_for_user(people.officer_a, province.P.pk)
