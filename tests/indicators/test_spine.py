"""The indicator spine: catalogue, one writer, one roll-up, targets, and its CLI."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import Workbook, load_workbook

from cchc.indicators.models import Indicator, IndicatorValue, Target, ValueOrigin
from cchc.indicators.periods import Period
from cchc.indicators.services import (
    CATALOGUE,
    Status,
    Value,
    read_catalogue,
    replace_values,
    rolled_values,
    target_for,
    target_status,
    yearly_values,
)
from tests.factories import make_unit

SIGNED = "egov.signed_documents_rate"
SRC = Path(__file__).resolve().parents[2] / "src" / "cchc"


def run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def write_csv(tmp_path, name, text) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


# -- the catalogue --------------------------------------------------------------------------------


def test_the_shipped_catalogue_is_loaded_and_documents_every_indicator(db):
    entries = read_catalogue()
    codes = {e["code"] for e in entries}
    assert {"dossiers.on_time_rate", "surveys.sipas_index", SIGNED, "egov.iso9001_applied"} <= codes
    for e in entries:
        assert (SRC.parents[1] / "docs" / "methodology" / e["methodology"]).exists(), e["code"]
        stored = Indicator.objects.get(code=e["code"])
        assert stored.name == e["name"]["vi"] and stored.name_en == e["name"]["en"]
        assert stored.aggregation == e["aggregation"] and stored.source == e["source"]
    assert Indicator.objects.get(code="dossiers.overdue_rate").higher_is_better is False


def test_a_catalogue_with_an_unknown_key_is_refused(tmp_path):
    text = CATALOGUE.read_text(encoding="utf-8").replace(
        "    periodicity: month\n", "    periodicity: month\n    colour: red\n", 1
    )
    bad = tmp_path / "indicators.yaml"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match="colour"):
        read_catalogue(bad)


# -- periods ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "start", "end", "kind"),
    [
        ("2024", dt.date(2024, 1, 1), dt.date(2024, 12, 31), "year"),
        ("2024-Q1", dt.date(2024, 1, 1), dt.date(2024, 3, 31), "quarter"),
        ("2024-q4", dt.date(2024, 10, 1), dt.date(2024, 12, 31), "quarter"),
        ("2024-02", dt.date(2024, 2, 1), dt.date(2024, 2, 29), "month"),
    ],
)
def test_periods_parse_and_print_back(raw, start, end, kind):
    p = Period.parse(raw)
    assert (p.start, p.end, p.kind) == (start, end, kind)
    assert Period.parse(str(p)) == p


@pytest.mark.parametrize("raw", ["24", "2024-13", "2024-Q5", "2024/05", "", "2024-00"])
def test_bad_periods_are_refused(raw):
    with pytest.raises(ValueError):
        Period.parse(raw)


# -- the one writer ---------------------------------------------------------------------------------


def test_replace_values_rewrites_whole_periods_of_its_origin_only(province):
    ind = Indicator.objects.get(code=SIGNED)
    june, july = Period.month(2025, 6), Period.month(2025, 7)
    replace_values(ValueOrigin.IMPORTED, [Value(ind.pk, province.A.pk, june, Decimal(10), 1, 10)], None)
    replace_values(
        ValueOrigin.COMPUTED,
        [
            Value(ind.pk, province.A.pk, june, Decimal(50), 5, 10),
            Value(ind.pk, province.B.pk, july, Decimal(20), 2, 10),
        ],
        [june, july],
    )
    written, removed = replace_values(
        ValueOrigin.COMPUTED,
        [Value(ind.pk, province.B.pk, june, Decimal(30), 3, 10)],
        [june],
        indicators=[ind.pk],
    )
    assert (written, removed) == (1, 1)  # A's computed June value went; B's July value stayed
    stored = set(IndicatorValue.objects.values_list("unit__code", "period_start", "origin", "value"))
    assert stored == {
        ("A", june.start, "import", Decimal("10.0000")),
        ("B", june.start, "computed", Decimal("30.0000")),
        ("B", july.start, "computed", Decimal("20.0000")),
    }


def test_a_value_outside_the_replaced_periods_is_a_programming_error(province):
    ind = Indicator.objects.get(code=SIGNED)
    with pytest.raises(ValueError):
        replace_values(
            ValueOrigin.COMPUTED,
            [Value(ind.pk, province.A.pk, Period.month(2025, 1), Decimal(1))],
            [Period.month(2025, 2)],
        )


def test_only_the_writer_creates_indicator_values():
    """No module but indicators/services.py writes IndicatorValue rows (dossiers, surveys,
    entry and imports all go through replace_values)."""
    writes = re.compile(
        r"(?<!class )IndicatorValue(\.objects\.(create|bulk_create|update_or_create|get_or_create|bulk_update|update)\b|\()"
        r"|IndicatorValue\._meta\.db_table"
    )
    offenders = []
    for path in SRC.rglob("*.py"):
        if "migrations" in path.parts or path == SRC / "indicators" / "services.py":
            continue
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if writes.search(line):
                offenders.append(f"{path.relative_to(SRC)}:{n}: {line.strip()}")
    assert offenders == []


def test_a_computed_value_wins_over_an_imported_one(province):
    ind = Indicator.objects.get(code=SIGNED)
    year = Period.year(2020)
    replace_values(ValueOrigin.IMPORTED, [Value(ind.pk, province.A.pk, year, Decimal(40), 4, 10)], None)
    assert yearly_values({SIGNED}, None, 2020) == {(SIGNED, province.A.pk): Decimal("40.0000")}
    replace_values(ValueOrigin.COMPUTED, [Value(ind.pk, province.A.pk, year, Decimal(60), 6, 10)], [year])
    assert yearly_values({SIGNED}, None, 2020) == {(SIGNED, province.A.pk): Decimal("60.0000")}
    assert rolled_values(ind, [province.A], year)[province.A.pk].value == Decimal("60.0000")


# -- the one roll-up --------------------------------------------------------------------------------


def test_the_province_ratio_comes_from_numerators_and_denominators(province):
    """Two communes of different sizes: 90 of 100 and 1 of 10 documents signed. The province's
    rate is 91/110 = 82,73 %, not the mean of rates (50 %)."""
    ind = Indicator.objects.get(code=SIGNED)
    a1, b1 = province.A.children.get(), province.B.children.get()
    may = Period.month(2025, 5)
    replace_values(
        ValueOrigin.ENTRY,
        [Value(ind.pk, a1.pk, may, Decimal(90), 90, 100), Value(ind.pk, b1.pk, may, Decimal(10), 1, 10)],
        [may],
    )
    rolled = rolled_values(ind, [province.P, province.A], may)
    assert rolled[province.P.pk].value == Decimal("82.7273")
    assert (rolled[province.P.pk].numerator, rolled[province.P.pk].denominator) == (91, 110)
    assert rolled[province.A.pk].value == Decimal("90.0000")
    # The year is rolled from the months.
    assert rolled_values(ind, [province.P], Period.year(2025))[province.P.pk].value == Decimal("82.7273")


def test_the_year_to_date_reads_only_the_months_so_far(province):
    ind = Indicator.objects.get(code=SIGNED)
    jan, feb = Period.month(2025, 1), Period.month(2025, 2)
    replace_values(
        ValueOrigin.ENTRY,
        [
            Value(ind.pk, province.A.pk, jan, Decimal(100), 10, 10),
            Value(ind.pk, province.A.pk, feb, Decimal(0), 0, 10),
        ],
        [jan, feb],
    )
    year = Period.year(2025)
    assert rolled_values(ind, [province.A], year, until=dt.date(2025, 1, 31))[province.A.pk].value == 100
    assert rolled_values(ind, [province.A], year)[province.A.pk].value == 50


def test_a_mean_indicator_rolls_up_as_the_share_of_units(province):
    ind = Indicator.objects.get(code="egov.iso9001_applied")
    year = Period.year(2025)
    replace_values(
        ValueOrigin.ENTRY,
        [Value(ind.pk, province.A.pk, year, Decimal(1)), Value(ind.pk, province.B.pk, year, Decimal(0))],
        [year],
    )
    assert rolled_values(ind, [province.P], year)[province.P.pk].value == Decimal("0.5")


# -- targets ----------------------------------------------------------------------------------------


def test_the_most_specific_target_applies(province):
    ind = Indicator.objects.get(code=SIGNED)
    a1 = province.A.children.get()
    Target.objects.create(indicator=ind, year=2025, value=70)
    Target.objects.create(indicator=ind, year=2025, unit=province.P, value=80)
    assert target_for(ind, a1, 2025).value == 80  # the province's, for everyone below it
    Target.objects.create(indicator=ind, year=2025, unit_type=a1.unit_type, value=85)
    assert target_for(ind, a1, 2025).value == 85  # the commune type's
    Target.objects.create(indicator=ind, year=2025, unit=a1, value=95)
    assert target_for(ind, a1, 2025).value == 95  # its own
    assert target_for(ind, province.A, 2025).value == 80
    assert target_for(ind, province.A, 2024) is None


def test_target_status_on_track_at_risk_missed(province):
    ind = Indicator.objects.get(code=SIGNED)
    overdue = Indicator.objects.get(code="dossiers.overdue_rate")
    year = Period.year(2025)
    Target.objects.create(indicator=ind, year=2025, unit=province.P, value=90)
    Target.objects.create(indicator=overdue, year=2025, unit=province.P, value=5)
    assert target_status(ind, province.A, year, dt.date(2025, 6, 30)).status == Status.NO_DATA
    replace_values(
        ValueOrigin.ENTRY,
        [Value(ind.pk, province.A.pk, Period.month(2025, 5), Decimal(80), 8, 10)],
        [Period.month(2025, 5)],
    )
    mid = target_status(ind, province.A, year, dt.date(2025, 6, 30))
    assert (mid.status, mid.value, mid.target) == (Status.AT_RISK, Decimal("80.0000"), Decimal("90.0000"))
    assert "80,00" in mid.reason and "90,00" in mid.reason
    assert target_status(ind, province.A, year, dt.date(2026, 1, 10)).status == Status.MISSED
    # Lower is better: 3 % overdue meets "at most 5 %".
    replace_values(ValueOrigin.COMPUTED, [Value(overdue.pk, province.A.pk, year, Decimal(3), 3, 100)], [year])
    assert target_status(overdue, province.A, year, dt.date(2026, 1, 10)).status == Status.ON_TRACK
    assert target_status(ind, province.B, year, dt.date(2025, 6, 30)).status == Status.NO_DATA
    assert (
        target_status(ind, make_unit("X", "Tỉnh khác", "province"), year, dt.date(2025, 6, 30)).status
        == Status.NO_TARGET
    )


# -- the CLI ----------------------------------------------------------------------------------------

VALUES = """indicator,unit_code,period,value,numerator,denominator
egov.signed_documents_rate,A1,2025-05,,90,100
egov.signed_documents_rate,B1,2025-05,10,1,10
egov.iso9001_applied,A,2025,1,,
"""


def test_import_indicator_values_then_indicator_values_gives_the_province_ratio(province, tmp_path):
    out = run("import_indicator_values", write_csv(tmp_path, "v.csv", VALUES))
    assert "3 values written" in out
    assert (
        run("import_indicator_values", write_csv(tmp_path, "v.csv", VALUES)).count("3 replaced") == 1
    )  # idempotent
    assert IndicatorValue.objects.count() == 3
    run(
        "import_targets",
        write_csv(tmp_path, "t.csv", "indicator,year,scope,target\negov.signed_documents_rate,2025,P,90\n"),
    )
    text = run(
        "indicator_values", "--indicator", SIGNED, "--year", "2025", "--unit", "P", "--today", "2026-01-05"
    )
    lines = text.strip().splitlines()
    assert lines[0] == "unit_code,unit_name,period,value,numerator,denominator,target,status"
    assert lines[1] == "P,Tỉnh Thử Nghiệm,2025,82.7273,91,110,90,missed"
    assert lines[2] == "A,Huyện An,2025,90,90,100,90,on_track"
    months = json.loads(
        run(
            "indicator_values",
            "--indicator",
            SIGNED,
            "--year",
            "2025",
            "--unit",
            "P",
            "--by",
            "month",
            "--format",
            "json",
        )
    )
    assert [m["period"] for m in months][:2] == ["2025-01", "2025-02"]
    assert months[4]["value"] == "82.7273" and months[0]["value"] is None


def test_indicator_values_as_xlsx(province, tmp_path):
    run("import_indicator_values", write_csv(tmp_path, "v.csv", VALUES))
    out = tmp_path / "v.xlsx"
    run(
        "indicator_values",
        "--indicator",
        SIGNED,
        "--year",
        "2025",
        "--unit",
        "P",
        "--format",
        "xlsx",
        "--output",
        str(out),
    )
    rows = list(load_workbook(out).active.values)
    assert rows[0][0] == "unit_code" and rows[1][3] == pytest.approx(82.7273)


def test_import_indicator_values_from_xlsx(province, tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.append(["indicator", "unit_code", "period", "value", "numerator", "denominator"])
    ws.append([SIGNED, "A1", "2025-Q2", None, 45, 50])
    path = tmp_path / "v.xlsx"
    wb.save(path)
    run("import_indicator_values", str(path))
    v = IndicatorValue.objects.get()
    assert (v.period_kind, v.value, v.origin) == ("quarter", Decimal("90.0000"), "import")


def test_a_bad_values_file_is_refused_whole_with_line_and_column(province, tmp_path):
    bad = (
        "indicator,unit_code,period,value,numerator,denominator\n"
        "egov.signed_documents_rate,A1,2025-05,,90,100\n"
        "nope,A1,2025-05,1,,\n"
        "egov.signed_documents_rate,ZZ,2025-05,1,,\n"
        "egov.signed_documents_rate,A1,2025-13,1,,\n"
        "egov.signed_documents_rate,B1,2025-05,120,,\n"
        "egov.signed_documents_rate,B1,2025-06,50,1,10\n"
        "egov.signed_documents_rate,B1,2025-07,,1,\n"
        "egov.signed_documents_rate,A1,2025-05,,9,10\n"
    )
    with pytest.raises(CommandError) as exc:
        run("import_indicator_values", write_csv(tmp_path, "bad.csv", bad))
    message = str(exc.value)
    for line, column in [
        (3, "indicator"),
        (4, "unit_code"),
        (5, "period"),
        (6, "value"),
        (7, "value"),
        (8, "denominator"),
        (9, "period"),
    ]:
        assert re.search(rf"\b{line}\b.*{column}", message), (line, column, message)
    assert IndicatorValue.objects.count() == 0


def test_import_targets_by_unit_type_and_bad_rows(province, tmp_path):
    good = "indicator,year,scope,target\negov.signed_documents_rate,2025,type:commune,95\ndossiers.online_rate,2025,P,20\n"
    assert "2 created" in run("import_targets", write_csv(tmp_path, "t.csv", good))
    assert "2 updated" in run("import_targets", write_csv(tmp_path, "t.csv", good))
    assert target_for(Indicator.objects.get(code=SIGNED), province.A.children.get(), 2025).value == 95
    bad = "indicator,year,scope,target\negov.signed_documents_rate,20x5,P,90\negov.signed_documents_rate,2025,type:nope,90\negov.signed_documents_rate,2025,P,190\n"
    with pytest.raises(CommandError) as exc:
        run("import_targets", write_csv(tmp_path, "bad.csv", bad))
    message = str(exc.value)
    assert (
        re.search(r"\b2\b.*year", message)
        and re.search(r"\b3\b.*scope", message)
        and re.search(r"\b4\b.*target", message)
    )
    assert Target.objects.count() == 2


def test_indicators_refresh_recomputes_the_computed_indicators(province):
    out = run("indicators", "refresh", "--year", "2025")
    assert "dossiers:" in out and "surveys:" in out


def test_approved_months_beat_an_imported_year(province):
    ind = Indicator.objects.get(code=SIGNED)
    year, may = Period.year(2025), Period.month(2025, 5)
    replace_values(ValueOrigin.IMPORTED, [Value(ind.pk, province.A.pk, year, Decimal(40), 4, 10)], None)
    replace_values(ValueOrigin.ENTRY, [Value(ind.pk, province.A.pk, may, Decimal(90), 9, 10)], [may])
    assert rolled_values(ind, [province.A], year)[province.A.pk].value == Decimal("90.0000")
    assert yearly_values({SIGNED}, None, 2025) == {(SIGNED, province.A.pk): Decimal("90.0000")}


def test_indicator_values_guard_a_unit_name_a_spreadsheet_would_run(province, tmp_path):
    run("import_indicator_values", write_csv(tmp_path, "v.csv", VALUES))
    province.A.name = '=HYPERLINK("http://x","Huyện An")'
    province.A.save()
    args = ["indicator_values", "--indicator", SIGNED, "--year", "2025", "--unit", "P"]
    lines = run(*args).strip().splitlines()
    assert lines[2].startswith("A,\"'=HYPERLINK(")  # CSV: a leading apostrophe, the one table writer
    out = tmp_path / "v.xlsx"
    run(*args, "--format", "xlsx", "--output", str(out))
    cell = load_workbook(out).active["B3"]
    assert cell.data_type == "s" and cell.value == province.A.name  # text, never a formula
