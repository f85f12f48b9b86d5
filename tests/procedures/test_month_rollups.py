"""The month rollups (DossierMonth): kept by both import paths equal to the day rollups summed
per unit and month, and the KPIs read from them (whole months) and from the day rollups
(partial months) equal the KPIs read from the day rollups alone, for any window."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from django.db.models import Q, Sum
from django.db.models.functions import TruncMonth

from cchc.procedures.importers import DOSSIER_COLUMNS
from cchc.procedures.kpis import window
from cchc.procedures.models import DossierDay, DossierMonth, Procedure
from cchc.procedures.rollups import rebuild
from cchc.procedures.row_import import import_dossiers
from tests.procedures.helpers import write_csv
from tests.procedures.test_fast_import import PROCS, catalogue, generated  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db


def months_from_days() -> set[tuple]:
    sums = {f"s_{c}": Sum(c) for c in DossierDay.COUNTERS}
    sums["s_received_fee"] = Sum("received", filter=Q(procedure__fee=True))
    rows = DossierDay.objects.annotate(m=TruncMonth("day")).values("unit_id", "m").annotate(**sums).order_by()
    out = set()
    for r in rows:
        month = r["m"].date() if isinstance(r["m"], dt.datetime) else r["m"]
        values = tuple(r[f"s_{c}"] or 0 for c in DossierMonth.COUNTERS)
        if any(values):
            out.add((r["unit_id"], month, *values))
    return out


def months_stored() -> set[tuple]:
    return {
        r for r in DossierMonth.objects.values_list("unit_id", "month", *DossierMonth.COUNTERS) if any(r[2:])
    }


@pytest.mark.parametrize("fast", [True, False])
def test_imports_keep_the_month_rollups(catalogue, tmp_path, fast):  # noqa: F811
    rows = generated(tmp_path, 200)
    first = write_csv(tmp_path / "a.csv", DOSSIER_COLUMNS, rows)
    later = [dict(r, digitized="0" if r["digitized"] == "1" else "1") for r in rows[:80]]
    later[3]["unit_code"] = "B1" if later[3]["unit_code"] != "B1" else "A1"
    second = write_csv(tmp_path / "b.csv", DOSSIER_COLUMNS, later)
    import_dossiers(first, fast_path=fast)
    import_dossiers(second, fast_path=fast)
    assert Procedure.objects.filter(fee=True).exists()
    assert months_stored() == months_from_days() != set()
    rebuild()
    assert months_stored() == months_from_days()


def test_kpis_from_months_equal_kpis_from_days(catalogue, tmp_path, monkeypatch):  # noqa: F811
    import_dossiers(write_csv(tmp_path / "a.csv", DOSSIER_COLUMNS, generated(tmp_path, 300)))
    rng = random.Random(7)
    windows = [
        (dt.date(2024, 1, 1), dt.date(2024, 12, 31)),  # whole months only
        (dt.date(2025, 3, 1), dt.date(2025, 3, 15)),  # part of one month
        (dt.date(2025, 3, 10), dt.date(2025, 5, 20)),  # partial, whole, partial
        (dt.date(2024, 12, 15), dt.date(2025, 1, 14)),  # two partial months
    ]
    windows += [
        tuple(sorted(dt.date(2024, 1, 1) + dt.timedelta(days=rng.randrange(800)) for _ in range(2)))
        for _ in range(12)
    ]
    for start, end in windows:
        for key in (None, "unit_id"):
            by_month = window._flows_by_month(start, end, key, None)
            by_day = window._flows_by_day(start, end, key, None, None, None)
            assert normal(by_month) == normal(by_day), (start, end, key)
    tables = {by: [window.compute_kpis(a, b, by) for a, b in windows] for by in ("unit", "unit_tree", "all")}
    monkeypatch.setattr(
        window, "_flows_by_month", lambda a, b, key, units: window._flows_by_day(a, b, key, units, None, None)
    )
    for by, rows in tables.items():
        assert rows == [window.compute_kpis(a, b, by) for a, b in windows], by
    assert any(r.received for rows in tables["unit"] for r in rows)


def normal(flows: dict) -> dict:
    """Absent and None read as 0 (what KpiRow makes of them)."""
    return {
        k: {name: v or 0 for name, v in values.items() if name.startswith("s_") and v}
        for k, values in flows.items()
        if any(v for name, v in values.items() if name.startswith("s_"))
    }
