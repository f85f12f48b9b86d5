"""Opening a survey campaign from the secretariat's page: units of the chosen types within its
subtree, targets typed or from the sampling guidance (corrected by last year's dossiers)."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from cchc.procedures.models import Dossier, Procedure
from cchc.surveys.models import Campaign, CampaignUnit
from cchc.surveys.sipas import sample_size
from tests.factories import make_user

URL = reverse("surveys:campaign_new")


def post(client, sipas, **extra):
    from cchc.orgs.models import UnitType

    data = {
        "questionnaire": sipas.pk,
        "period": "2024",
        "unit_types": [UnitType.objects.get(code="district").pk],
        "margin": "0.05",
        "channels": ["web", "paper"],
        "public": "on",
        **extra,
    }
    return client.post(URL, data)


def test_the_secretariat_opens_a_campaign_with_a_typed_target(client, people, province, sipas):
    client.force_login(people.sec)
    assert client.get(URL).status_code == 200
    response = post(client, sipas, target="50")
    campaign = Campaign.objects.get()
    assert response.status_code == 302 and response.url == reverse("surveys:progress", args=[campaign.pk])
    assert sorted(CampaignUnit.objects.values_list("unit__code", "target_sample")) == [("A", 50), ("B", 50)]
    assert campaign.channels == ["web", "paper"] and campaign.public


def test_an_empty_target_follows_the_sampling_guidance(client, people, province, sipas):
    procedure = Procedure.objects.create(code="P1", name="Thủ tục", field="Tư pháp", level="district")
    received = timezone.make_aware(dt.datetime(2023, 3, 1, 9))
    Dossier.objects.bulk_create(
        Dossier(
            code=f"HS{i}", unit=province.A, procedure=procedure, received_at=received,
            due_at=received + dt.timedelta(days=5), status="received", channel="direct",
        )
        for i in range(200)
    )  # fmt: skip
    client.force_login(people.sec)
    assert post(client, sipas, target="").status_code == 302
    targets = dict(CampaignUnit.objects.values_list("unit__code", "target_sample"))
    # A served 200 citizens in 2023: 385 / (1 + 384/200) = 132; B has no dossiers: 385
    assert targets == {"A": sample_size(200), "B": 385} and targets["A"] == 132


def test_a_district_secretariat_opens_it_for_its_own_units_only(client, province, sipas):
    sec_a = make_user("sec_a", "secretariat", province.A)
    client.force_login(sec_a)
    assert post(client, sipas, target="40").status_code == 302
    assert list(CampaignUnit.objects.values_list("unit__code", flat=True)) == ["A"]


@pytest.mark.parametrize("persona", ["boss", "officer_a", "appraiser", "outsider"])
def test_other_roles_cannot_open_a_campaign(client, people, sipas, persona):
    client.force_login(getattr(people, persona))
    assert client.get(URL).status_code == 403
    assert post(client, sipas, target="40").status_code == 403
    assert not Campaign.objects.exists()


def test_bad_input_is_reported_and_nothing_saved(client, people, province, sipas):
    client.force_login(people.sec)
    response = post(client, sipas, period="99999", target="-1", channels=["fax"])
    assert response.status_code == 422
    assert not Campaign.objects.exists()
