"""The demo dossiers: loaded through the real imports for the demo province, with a realistic
mix that the KPIs, the indicators and the dashboard show."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from cchc.demo.dossiers import load_demo_dossiers
from cchc.demo.province import build_units
from cchc.indicators.models import IndicatorValue, Target
from cchc.orgs.models import OrgUnit
from cchc.procedures.kpis import compute_kpis, late_dossiers
from cchc.procedures.models import Dossier, DossierDay, Procedure
from cchc.procedures.rules import VN

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2025, 12, 15, 10, 0, tzinfo=VN)


@pytest.fixture
def demo_units(db):
    return build_units()


def test_demo_dossiers_fill_the_province_through_the_imports(demo_units):
    stats = load_demo_dossiers(demo_units, random.Random(7), now=NOW)

    assert stats["procedures"] == Procedure.objects.filter(code__startswith="DEMO.").count() >= 10
    assert 2000 <= stats["dossiers"] == stats["created"] == Dossier.objects.count() <= 6000
    # Every dossier belongs to the demo tree and was classified by the import.
    assert not Dossier.objects.exclude(unit__code__startswith="DEMO").exists()
    province = demo_units["DEMO"]
    units = OrgUnit.objects.subtree_of(province)
    for year in (2023, 2024, 2025):
        (row,) = compute_kpis(dt.date(year, 1, 1), dt.date(year, 12, 31), "all", units=units)
        assert row.received > 400, year
        assert row.resolved_early and row.resolved_on_time and row.resolved_late, year
        assert row.withdrawn > 0 and row.received_online > 0 and row.received_postal > 0, year
        assert 80 <= row.on_time_rate < 100, year
        assert row.late_without_apology > 0, year
    # The end of the data: open dossiers, some within the deadline and some overdue.
    (end,) = compute_kpis(dt.date(2025, 1, 1), dt.date(2025, 12, 14), "all", units=units)
    assert end.in_progress > end.in_progress_overdue > 0
    # The late drill-down matches the count, and two supplement requests make a dossier late.
    late = late_dossiers(dt.date(2024, 1, 1), dt.date(2024, 12, 31), units=units)
    assert (
        late.count()
        == compute_kpis(dt.date(2024, 1, 1), dt.date(2024, 12, 31), "all", units=units)[0].resolved_late
    )
    assert (
        Dossier.objects.filter(supplement_count__gt=1, status__in=["resolved", "returned"])
        .exclude(outcome="late")
        .count()
        == 0
    )
    assert Dossier.objects.filter(supplement_count__gt=1).exists()
    # Rollups and indicator values written by the import; targets for the charts.
    assert DossierDay.objects.exists()
    assert IndicatorValue.objects.filter(
        indicator__code="dossiers.on_time_rate",
        unit=province,
        period_kind="year",
        period_start=dt.date(2024, 1, 1),
    ).exists()
    assert Target.objects.filter(indicator__code="dossiers.on_time_rate", unit=province, year=2025).exists()
    # Districts end with the 2025 reorganisation; the new communes take over.
    assert not Dossier.objects.filter(
        unit__code__startswith="DEMO-H", received_at__gte=dt.datetime(2025, 7, 1, tzinfo=VN)
    ).exists()
    assert Dossier.objects.filter(unit__code="DEMO-X-PHUVAN").exists()


def test_demo_dossiers_load_again_without_duplicates(demo_units):
    first = load_demo_dossiers(demo_units, random.Random(3), now=NOW)
    again = load_demo_dossiers(demo_units, random.Random(3), now=NOW)
    assert again["created"] == 0 and again["updated"] == 0
    assert Dossier.objects.count() == first["dossiers"]
