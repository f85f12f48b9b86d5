import io

import pytest
from django.core.management import call_command

from cchc.assessments.models import Assessment, Round, Status
from cchc.assessments.results import round_results
from cchc.orgs.models import OrgUnit

pytestmark = pytest.mark.django_db


def test_load_demo_builds_a_province_in_every_state_and_is_safe_to_rerun(client, settings):
    settings.DEBUG = True  # as `make demo` runs it
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    settings.DEBUG = False  # a trial server: --force
    assert "thuongtruc" in out.getvalue() and "http://127.0.0.1:8000" in out.getvalue()
    counts = (OrgUnit.objects.count(), Assessment.objects.count())
    call_command("load_demo", "--force", stdout=io.StringIO())
    assert (OrgUnit.objects.count(), Assessment.objects.count()) == counts
    assert OrgUnit.objects.filter(unit_type__code="district").count() == 8
    assert OrgUnit.objects.filter(unit_type__code="department").count() == 12
    assert OrgUnit.objects.filter(successor__isnull=False).count() == 5  # the 2025 merger
    statuses = set(Assessment.objects.filter(round__year=2024).values_list("status", flat=True))
    assert statuses == {s.value for s in Status}
    results = round_results(Round.objects.get(year=2024))
    assert all(r.rank is not None and r.rank_change is not None for r in results)
    assert client.post("/login/", {"username": "bugiamap", "password": "cchc-demo-2024"}).status_code == 302
    assert client.get("/").status_code == 200
    # the data behind the scores: dossiers imported once, shown on the officer's dashboard
    from cchc.procedures.models import Dossier

    dossiers = Dossier.objects.count()
    assert dossiers > 1000 and "hồ sơ TTHC" in out.getvalue()
    call_command("load_demo", "--force", stdout=io.StringIO())
    assert Dossier.objects.count() == dossiers
    page = client.get("/dossiers/")
    assert page.status_code == 200 and "Huyện Bù Gia Mập" in page.content.decode()
    # and the satisfaction surveys, once
    from cchc.surveys.models import Response

    responses = Response.objects.count()
    assert responses > 300 and "phiếu khảo sát giấy" in out.getvalue()
    call_command("load_demo", "--force", stdout=io.StringIO())
    assert Response.objects.count() == responses


def test_load_demo_refuses_with_debug_off_unless_forced(settings):
    from django.contrib.auth import get_user_model
    from django.core.management.base import CommandError

    settings.DEBUG = False
    with pytest.raises(CommandError, match="refusing to load the demo with DEBUG off"):
        call_command("load_demo", stdout=io.StringIO())
    assert not get_user_model().objects.exists() and not OrgUnit.objects.exists()
