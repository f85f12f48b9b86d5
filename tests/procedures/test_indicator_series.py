"""The indicator values of an import: ``unit_tree_series`` (every period from one read of the
rollups) gives the rows of ``compute_kpis(…, "unit_tree")``, and ``write_indicator_values``
stores, for each of them, the rates that the KPI rows give."""

from __future__ import annotations

import datetime as dt

import pytest

from cchc.indicators.models import IndicatorValue, PeriodKind
from cchc.orgs.models import OrgUnit
from cchc.procedures.indicator_values import INDICATOR_RATES, months_between, write_indicator_values
from cchc.procedures.kpis import KpiRow, compute_kpis, month_window, unit_tree_series
from cchc.procedures.models import Dossier
from cchc.procedures.rollups import rebuild
from tests.procedures.helpers import dossier, import_catalogue, import_dossier_rows, procedure

pytestmark = pytest.mark.django_db

MONTHS = [month_window(2021, m) for m in range(1, 7)]
PERIODS = [
    (dt.date(2020, 12, 1), dt.date(2020, 12, 31)),  # before any dossier
    *MONTHS,
    (dt.date(2021, 1, 1), dt.date(2021, 12, 31)),
    (dt.date(2022, 1, 1), dt.date(2022, 12, 31)),  # after every flow: only the open stock is left
]


@pytest.fixture
def dossiers(province, tmp_path):
    import_catalogue(
        tmp_path,
        [
            procedure("P1", days="3", fee="1", mode="full"),
            procedure("P2", level="district", days="5", mode="partial"),
            procedure("P3", days="2"),
        ],
    )
    rows = [
        # Resolved early, in the commune (counted in A and P too), online, paid online.
        dossier(
            "S-1",
            unit="A1",
            received="2021-01-04T09:00",
            due="2021-01-07T16:00",
            status="resolved",
            finished_at="2021-01-05T10:00",
            channel="online",
            paid_online=1,
            digitized=1,
        ),
        # Received in January, resolved late in March: carried over into February and March.
        dossier(
            "S-2",
            unit="A",
            proc="P2",
            received="2021-01-28T09:00",
            due="2021-02-04T16:00",
            status="returned",
            finished_at="2021-03-10T10:00",
            returned_at="2021-03-11T08:00",
            channel="postal",
        ),
        # Never finished, due in February: overdue at the end of February and ever after.
        dossier("S-3", unit="B1", proc="P3", received="2021-02-01T09:00", due="2021-02-03T16:00"),
        # Waiting for a supplement since before its due date: open, not overdue.
        dossier(
            "S-4",
            unit="B",
            received="2021-03-01T09:00",
            due="2021-03-04T16:00",
            status="supplement",
            supplement_requested_at="2021-03-02T09:00",
            supplement_count=1,
        ),
        # Withdrawn in April.
        dossier(
            "S-5",
            unit="D1",
            proc="P3",
            received="2021-03-30T09:00",
            due="2021-04-01T16:00",
            status="withdrawn",
            finished_at="2021-04-02T09:00",
        ),
        # Resolved on time, received and finished in May.
        dossier(
            "S-6",
            unit="B1",
            received="2021-05-03T09:00",
            due="2021-05-06T16:00",
            status="resolved",
            finished_at="2021-05-06T15:00",
            digitized=1,
        ),
    ]
    import_dossier_rows(tmp_path, rows)
    return province


def rows_of(rows: list[KpiRow]) -> list[str]:
    """Each row whole, decimals with their exponent ("0.00" is not "0")."""
    return [repr(r) for r in rows]


def test_each_period_of_the_series_is_the_unit_tree_of_compute_kpis(dossiers):
    series = unit_tree_series(PERIODS)
    assert len(series) == len(PERIODS)
    for (start, end), rows in zip(PERIODS, series, strict=True):
        assert rows_of(rows) == rows_of(compute_kpis(start, end, "unit_tree")), (start, end)


def test_the_series_carries_the_open_stock_and_counts_the_overdue(dossiers):
    february, march = unit_tree_series([MONTHS[1], MONTHS[2]])
    by_code = {r.group_key: r for r in february}
    # S-2 (A) came from January; at the end of February it and S-3 (B1) are past their due date.
    assert (by_code["A"].carried_over, by_code["A"].in_progress, by_code["A"].in_progress_overdue) == (
        1,
        1,
        1,
    )
    assert by_code["B1"].in_progress_overdue == 1 and by_code["B"].in_progress_overdue == 1
    assert (by_code["P"].carried_over, by_code["P"].in_progress, by_code["P"].in_progress_overdue) == (
        1,
        2,
        2,
    )
    assert {r.group_key: r.resolved_late for r in march if r.resolved_late} == {"A": 1, "P": 1}


def test_a_period_without_dossiers_has_no_rows(dossiers):
    assert unit_tree_series([PERIODS[0]]) == [[]]
    assert unit_tree_series([]) == []


def expected_values(periods: list[tuple[str, dt.date, dt.date]]) -> set[tuple]:
    """The indicator values written from the KPI rows, one period at a time."""
    out = set()
    for kind, start, end in periods:
        for row in compute_kpis(start, end, "unit_tree"):
            if row.received == 0 and row.resolved == 0 and row.in_progress == 0 and row.withdrawn == 0:
                continue
            for code, (num_expr, den_expr) in INDICATOR_RATES.items():
                num = sum(getattr(row, n) for n in num_expr.split("+"))
                den = sum(getattr(row, n) for n in den_expr.split("+"))
                if den:
                    source = f"dossiers:unit={row.group_key};from={start.isoformat()};to={end.isoformat()}"
                    out.add((code, row.unit_id, kind, start, end, row.rate(num, den), num, den, source))
    return out


def stored_values() -> set[tuple]:
    return set(
        IndicatorValue.objects.filter(indicator__code__startswith="dossiers.").values_list(
            "indicator__code",
            "unit_id",
            "period_kind",
            "period_start",
            "period_end",
            "value",
            "numerator",
            "denominator",
            "source",
        )
    )


def test_the_indicator_values_are_the_rates_of_the_kpi_rows(dossiers):
    IndicatorValue.objects.all().delete()  # those of the import
    months = months_between(dt.date(2021, 1, 1), dt.date(2021, 6, 30))
    written = write_indicator_values(months)
    periods = [(PeriodKind.MONTH, *month_window(y, m)) for y, m in months]
    periods.append((PeriodKind.YEAR, dt.date(2021, 1, 1), dt.date(2021, 12, 31)))
    expected = expected_values(periods)
    assert written == len(expected) > 0
    assert stored_values() == expected


def test_rewriting_a_period_leaves_no_stale_value_and_keeps_the_others(dossiers):
    write_indicator_values(months_between(dt.date(2021, 1, 1), dt.date(2021, 6, 30)))
    before = stored_values()
    # The dossiers of D1 move to B1; April and the year 2021 are rewritten.
    d1, b1 = OrgUnit.objects.get(code="D1"), OrgUnit.objects.get(code="B1")
    Dossier.objects.filter(unit=d1).update(unit=b1)
    rebuild()
    write_indicator_values([(2021, 4)])
    after = stored_values()
    rewritten = [
        (PeriodKind.MONTH, *month_window(2021, 4)),
        (PeriodKind.YEAR, dt.date(2021, 1, 1), dt.date(2021, 12, 31)),
    ]
    starts = {(kind, start) for kind, start, _end in rewritten}
    assert {v for v in after if (v[2], v[3]) in starts} == expected_values(rewritten)
    assert not {v for v in after if v[1] == d1.pk and (v[2], v[3]) in starts}
    assert {v for v in before if (v[2], v[3]) not in starts} == {
        v for v in after if (v[2], v[3]) not in starts
    }


def test_a_unit_code_with_tabs_and_backslashes_is_stored_as_it_is(dossiers):
    OrgUnit.objects.filter(code="A1").update(code="A\\1\tx")
    write_indicator_values([(2021, 1)])
    sources = set(
        IndicatorValue.objects.filter(
            unit__code="A\\1\tx", period_kind=PeriodKind.MONTH, period_start=dt.date(2021, 1, 1)
        ).values_list("source", flat=True)
    )
    assert sources == {"dossiers:unit=A\\1\tx;from=2021-01-01;to=2021-01-31"}
