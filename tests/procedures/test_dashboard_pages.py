"""The dossier dashboard pages through the Django test client, on dossiers imported from files:
the KPI table equals compute_kpis, the drill-down lists exactly the late / overdue dossiers and
exports them, the 766 page marks what cannot be measured, and each role sees only its units."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from cchc.orgs.models import OrgUnit
from cchc.procedures import views
from cchc.procedures.kpis import compute_kpis
from tests.procedures.helpers import dossier, import_catalogue, import_dossier_rows, procedure

pytestmark = pytest.mark.django_db
WINDOW = {"date_from": "2021-01-01", "date_to": "2021-12-31"}
DASHBOARD = reverse("procedures:dashboard")
DRILL = reverse("procedures:drilldown")
INDEX = reverse("procedures:index766")

LATE = {"A-LATE-1", "A-LATE-2", "A1-LATE", "B-LATE"}
OVERDUE = {"A-OPEN-OVERDUE", "B-OPEN-OVERDUE"}


def resolved(code, unit, finished, due="2021-03-05", proc="P1", **kw):
    return dossier(code, unit=unit, proc=proc, due=due, finished_at=finished, status="resolved", **kw)


ROWS = [
    resolved("A-EARLY", "A", "2021-03-02T10:00", channel="online", digitized="1"),
    resolved("A-ONTIME", "A", "2021-03-05T15:00", proc="P2"),
    resolved("A-LATE-1", "A", "2021-03-09T09:00", apology_issued="1"),
    # Two supplement requests: late by the 766 rule although finished before the due date.
    resolved(
        "A-LATE-2",
        "A",
        "2021-03-04T09:00",
        proc="P2",
        supplement_requested_at="2021-03-02T09:00",
        supplement_received_at="2021-03-03T09:00",
        supplement_count="2",
    ),
    dossier("A-OPEN-OVERDUE", unit="A", received="2021-11-01T09:00", due="2021-11-10"),
    dossier("A-OPEN-INTIME", unit="A", received="2021-12-20T09:00", due="2022-01-10", channel="postal"),
    dossier(
        "A-WITHDRAWN",
        unit="A",
        received="2021-05-03T09:00",
        status="withdrawn",
        finished_at="2021-05-04T09:00",
    ),
    resolved("A1-LATE", "A1", "2021-06-15T09:00", due="2021-06-10", received="2021-06-01T08:00"),
    resolved("A1-EARLY", "A1", "2021-06-02T09:00", due="2021-06-10", received="2021-06-01T08:00"),
    resolved("B-LATE", "B", "2021-04-20T09:00", due="2021-04-10", received="2021-04-01T08:00", proc="P3"),
    resolved("B-ONTIME", "B", "2021-04-10T09:00", due="2021-04-10", received="2021-04-01T08:00", proc="P3"),
    dossier("B-OPEN-OVERDUE", unit="B", received="2021-10-01T09:00", due="2021-10-08", proc="P3"),
    # Outside the window: neither counted nor listed.
    resolved("A-LATE-2020", "A", "2020-03-09T09:00", due="2020-03-05", received="2020-03-01T08:00"),
]


@pytest.fixture
def dossiers(province, people, tmp_path):
    import_catalogue(
        tmp_path,
        [
            procedure("P1", field="Hộ tịch", level="commune", mode="full"),
            procedure("P2", field="Chứng thực", level="commune", fee="1"),
            procedure("P3", field="Đất đai", level="district", mode="partial", days="10"),
        ],
    )
    import_dossier_rows(tmp_path, ROWS)
    return ROWS


# -- reading the pages ------------------------------------------------------------------------------


class TableReader(HTMLParser):
    """Rows (``data-group``) of the table with the given id, each as {data-col: text}."""

    def __init__(self, table_id: str):
        super().__init__()
        self.table_id, self.inside, self.rows = table_id, 0, {}
        self.row = self.col = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "table" and a.get("id") == self.table_id:
            self.inside = 1
        elif self.inside and tag == "table":
            self.inside += 1
        elif self.inside and tag == "tr" and "data-group" in a:
            self.row = self.rows.setdefault(a["data-group"], {})
        elif self.inside and tag == "td" and self.row is not None and "data-col" in a:
            self.col = a["data-col"]
            self.row[self.col] = ""

    def handle_endtag(self, tag):
        if self.inside and tag == "table":
            self.inside -= 1
        elif tag == "td":
            self.col = None
        elif tag == "tr":
            self.row = None

    def handle_data(self, data):
        if self.col is not None:
            self.row[self.col] += data


def table(response, table_id="kpi-table") -> dict[str, dict[str, str]]:
    reader = TableReader(table_id)
    reader.feed(response.content.decode())
    return reader.rows


def number(text: str):
    """'1.234' → 1234, '96,50' → Decimal('96.50'), '—' → None (Vietnamese formats)."""
    text = text.strip()
    if text in ("—", ""):
        return None
    text = text.replace(".", "").replace(",", ".")
    return Decimal(text) if "." in text else int(text)


COLS = [
    "carried_over",
    "received",
    "received_online",
    "received_direct",
    "received_postal",
    "resolved",
    "resolved_early",
    "resolved_on_time",
    "resolved_late",
    "in_progress",
    "in_progress_overdue",
    "withdrawn",
    "on_time_rate",
    "online_rate",
    "digitized_rate",
]


def assert_row_matches(cells: dict[str, str], row) -> None:
    assert {c: number(cells[c]) for c in COLS} == {c: getattr(row, c) for c in COLS}


def drill_codes(response) -> list[str]:
    return re.findall(r'<tr data-code="([^"]+)"', response.content.decode())


def get(client, url, **params):
    return client.get(url, {**WINDOW, **params})


# -- the KPI table ------------------------------------------------------------------------------------


def test_province_table_by_unit_equals_compute_kpis(client, people, province, dossiers):
    client.force_login(people.sec)
    response = get(client, DASHBOARD)
    assert response.status_code == 200
    assert response.context["unit"] == province.P
    rows = table(response)
    subtree = OrgUnit.objects.subtree_of(province.P)
    tree = {
        r.group_key: r
        for r in compute_kpis(dt.date(2021, 1, 1), dt.date(2021, 12, 31), "unit_tree", units=subtree)
    }
    # The province itself has no dossiers of its own; each district carries its whole subtree.
    assert set(rows) == {"A", "B", "__total__"}
    assert_row_matches(rows["A"], tree["A"])
    assert_row_matches(rows["B"], tree["B"])
    (total,) = compute_kpis(dt.date(2021, 1, 1), dt.date(2021, 12, 31), "all", units=subtree)
    assert_row_matches(rows["__total__"], total)
    # The figures the fixture was built for: 4 late (one by two supplements), 2 overdue at the end.
    assert (total.resolved_late, total.in_progress_overdue, total.resolved) == (4, 2, 8)
    assert number(rows["A"]["resolved_late"]) == 3  # A's own two and its commune's one
    # Links: each district opens its own dashboard; each late count opens its drill-down.
    html = response.content.decode()
    assert f"unit={province.A.pk}" in html
    assert "kind=late" in html and "kind=overdue" in html


@pytest.mark.parametrize("by", ["month", "field", "level", "procedure"])
def test_other_groupings_equal_compute_kpis(client, people, province, dossiers, by):
    client.force_login(people.boss)
    response = get(client, DASHBOARD, by=by, unit=province.A.pk)
    assert response.status_code == 200
    rows = table(response)
    units = OrgUnit.objects.subtree_of(province.A)
    expected = compute_kpis(dt.date(2021, 1, 1), dt.date(2021, 12, 31), by, units=units)
    assert expected
    for row in expected:
        assert_row_matches(rows[row.group_key], row)
    assert len(rows) == len(expected) + 1  # and the total


def test_filters_by_level_and_field(client, people, province, dossiers):
    client.force_login(people.sec)
    rows = table(get(client, DASHBOARD, level="district"))
    assert set(rows) == {"B", "__total__"}  # only P3 is a district-level procedure
    assert number(rows["__total__"]["received"]) == 3
    rows = table(get(client, DASHBOARD, field="Chứng thực", by="procedure"))
    assert set(rows) == {"P2", "__total__"}
    (p2,) = compute_kpis(dt.date(2021, 1, 1), dt.date(2021, 12, 31), "all", field="Chứng thực")
    assert_row_matches(rows["__total__"], p2)


def test_a_bad_window_is_reported_and_the_default_shown(client, people, province, dossiers):
    client.force_login(people.sec)
    response = client.get(DASHBOARD, {"date_from": "2021-12-31", "date_to": "2021-01-01"})
    assert response.status_code == 200
    assert "Đến ngày phải sau Từ ngày." in response.content.decode()
    assert response.context["filters"].date_from.year == dt.date.today().year


@pytest.mark.parametrize("date_to", ["9999-12-31", "1800-01-01"])
def test_a_window_out_of_range_is_reported_not_a_server_error(client, people, province, dossiers, date_to):
    client.force_login(people.sec)
    response = client.get(DASHBOARD, {"date_from": "2021-01-01", "date_to": date_to})
    assert response.status_code == 200
    assert "Ngày phải trong khoảng năm 2000 đến 2100." in response.content.decode()
    assert response.context["filters"].date_from.year == dt.date.today().year
    drill = client.get(DRILL, {"kind": "overdue", "format": "csv", "date_to": date_to})
    assert drill.status_code == 200


def test_charts_get_their_data_as_json_and_targets(client, people, province, dossiers):
    from cchc.indicators.models import Indicator, Target

    Target.objects.create(indicator=Indicator.objects.get(code="dossiers.on_time_rate"), year=2021, value=95)
    client.force_login(people.sec)
    html = get(client, DASHBOARD).content.decode()
    assert "<script>" not in html  # CSP: data only, the drawing is in static JS
    assert "js/dossiers.js" in html and "chart-4.6.1.umd.min.js" in html
    raw = re.search(r'<script id="dossier-chart-data" type="application/json">(.*?)</script>', html, re.S)
    data = json.loads(raw.group(1))
    assert len(data["labels"]) == 12 and data["labels"][2] == "03/2021"
    months = compute_kpis(dt.date(2021, 1, 1), dt.date(2021, 12, 31), "month")
    assert data["on_time"] == [None if r.on_time_rate is None else float(r.on_time_rate) for r in months]
    assert data["on_time"][2] == 50.0  # March: early + on time of the four resolved
    assert data["on_time_target"] == 95.0 and data["online_target"] is None


# -- the drill-down -----------------------------------------------------------------------------------


def test_drill_down_lists_exactly_the_late_dossiers(client, people, province, dossiers):
    client.force_login(people.sec)
    response = get(client, DRILL, kind="late", unit=province.P.pk)
    assert response.status_code == 200
    assert set(drill_codes(response)) == LATE
    assert "Chưa có phiếu xin lỗi" in response.content.decode()  # late without an apology letter
    response = get(client, DRILL, kind="late", unit=province.A.pk)
    assert set(drill_codes(response)) == {"A-LATE-1", "A-LATE-2", "A1-LATE"}
    response = get(client, DRILL, kind="overdue", unit=province.P.pk)
    assert set(drill_codes(response)) == OVERDUE
    # The drill-down link of a table row carries that row's filters (here: March 2021).
    table_page = get(client, DASHBOARD, by="month", unit=province.A.pk).content.decode()
    march = re.search(r'data-group="2021-03".*?href="([^"]*kind=late)"', table_page, re.S).group(1)
    response = client.get(march.replace("&amp;", "&"))
    assert set(drill_codes(response)) == {"A-LATE-1", "A-LATE-2"}


def working_days_past(response, code: str) -> str:
    row = re.search(rf'<tr data-code="{code}">(.*?)</tr>', response.content.decode(), re.S).group(1)
    return re.search(r'data-col="working-days-past"[^>]*>([^<]*)<', row).group(1)


def test_drill_down_counts_working_days_past_the_deadline(client, people, province, dossiers):
    client.force_login(people.sec)
    late = get(client, DRILL, kind="late", unit=province.P.pk)
    # Due Friday 5/3/2021 (end of day), finished Tuesday 9/3 09:00: Saturday and Sunday do not
    # count; Monday is one working day and Tuesday 07:30–09:00 is 1.5 of 9.5 working hours.
    assert working_days_past(late, "A-LATE-1") == "1,2"
    assert working_days_past(late, "A-LATE-2") == "—"  # late by the 766 rule, finished in time
    overdue = get(client, DRILL, kind="overdue", unit=province.P.pk)
    # Due 8/10/2021, still open at 31/12/2021: 60 working days (12 weekends … no holiday then).
    calendar_days = (dt.date(2021, 12, 31) - dt.date(2021, 10, 8)).days
    past = float(working_days_past(overdue, "B-OPEN-OVERDUE").replace(".", "").replace(",", "."))
    assert 50 < past < calendar_days
    row = re.search(r'<tr data-code="B-OPEN-OVERDUE">(.*?)</tr>', overdue.content.decode(), re.S).group(1)
    assert f"{calendar_days} ngày" in row


def test_drill_down_is_paginated(client, people, province, dossiers, monkeypatch):
    monkeypatch.setattr(views, "PAGE_SIZE", 3)
    client.force_login(people.sec)
    first = get(client, DRILL, kind="late")
    second = get(client, DRILL, kind="late", page=2)
    assert len(drill_codes(first)) == 3 and len(drill_codes(second)) == 1
    assert set(drill_codes(first)) | set(drill_codes(second)) == LATE
    assert "Trang 1/2" in first.content.decode()


def test_csv_export_of_the_late_dossiers(client, people, province, dossiers):
    client.force_login(people.sec)
    response = get(client, DRILL, kind="late", format="csv", unit=province.P.pk)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"] == 'attachment; filename="ho-so-tre-han-P-20210101-20211231.csv"'
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(text)))
    assert lines[0][:3] == ["Mã hồ sơ", "Mã đơn vị", "Đơn vị"]
    assert {line[0] for line in lines[1:]} == LATE
    a_late = next(line for line in lines if line[0] == "A-LATE-1")
    assert a_late[1:3] == ["A", "Huyện An"] and a_late[9] == "05/03/2021 23:59" and a_late[12] == "Có"


def test_xlsx_export_of_the_overdue_dossiers(client, people, province, dossiers):
    client.force_login(people.sec)
    response = get(client, DRILL, kind="overdue", format="xlsx")
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('.xlsx"')
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][0] == "Mã hồ sơ"
    assert {row[0] for row in values[1:]} == OVERDUE


def test_export_cells_that_look_like_formulas_are_neutralised(client, people, province, tmp_path):
    import_catalogue(tmp_path, [procedure("P9", name='=HYPERLINK("http://x")')], name="evil.csv")
    import_dossier_rows(
        tmp_path,
        [resolved("X-1", "A", "2021-03-09T09:00", proc="P9")],
        name="evil-dossiers.csv",
    )
    client.force_login(people.sec)
    text = b"".join(get(client, DRILL, kind="late", format="csv").streaming_content).decode("utf-8-sig")
    assert "'=HYPERLINK" in text


def test_unknown_kind_or_format_is_404(client, people, province, dossiers):
    client.force_login(people.sec)
    assert get(client, DRILL, kind="everything").status_code == 404
    assert get(client, DRILL, kind="late", format="pdf").status_code == 404


# -- the 766 index ------------------------------------------------------------------------------------


def test_index766_page_marks_the_groups_the_data_cannot_measure(client, people, province, dossiers):
    client.force_login(people.sec)
    response = get(client, INDEX, month="2021-03", unit=province.P.pk)
    assert response.status_code == 200
    html = response.content.decode()
    head = response.context["head"].score
    assert not head.group("1").measured  # publicity: nothing in dossier data
    assert head.group("2").measured
    assert "Chưa đo được" in html
    # 2.1 of March: (early 1 + on time 1 + in progress within the deadline 0) / (4 resolved + 0 open)
    row_21 = re.search(r'<tr data-indicator="2.1">(.*?)</tr>', html, re.S).group(1)
    assert "50,00" in row_21
    assert {c.key for c in response.context["children"]} == {"A"}  # B and D1: nothing in March
    # The dashboard's monthly 766 table links here.
    dash = get(client, DASHBOARD).content.decode()
    assert "month=2021-03" in dash and "Chưa đo được" in dash


@pytest.mark.parametrize("month", ["2021-13", "0-05", "99999-01", "2021-03-01", "x"])
def test_index766_bad_month_is_404(client, people, province, dossiers, month):
    client.force_login(people.sec)
    assert get(client, INDEX, month=month).status_code == 404


# -- who sees what ------------------------------------------------------------------------------------


def test_unit_officer_sees_only_the_own_units_dossiers(client, people, province, dossiers):
    client.force_login(people.officer_a)
    response = get(client, DASHBOARD)
    assert response.status_code == 200
    assert response.context["unit"] == province.A
    rows = table(response)
    (own,) = compute_kpis(dt.date(2021, 1, 1), dt.date(2021, 12, 31), "all", units=[province.A.pk])
    assert_row_matches(rows["__total__"], own)
    assert number(rows["__total__"]["resolved_late"]) == 2  # not the commune's, not B's
    html = response.content.decode()
    assert "Huyện Bình" not in html and "Tỉnh Thử Nghiệm" not in html
    late = get(client, DRILL, kind="late")
    assert set(drill_codes(late)) == {"A-LATE-1", "A-LATE-2"}


@pytest.mark.parametrize("url", [DASHBOARD, DRILL, INDEX])
def test_unit_officer_asking_for_another_unit_by_url_gets_404(client, people, province, dossiers, url):
    client.force_login(people.officer_a)
    for unit in (province.B, province.P, OrgUnit.objects.get(code="A1")):
        for extra in (
            {},
            {"kind": "late"},
            {"kind": "late", "format": "csv"},
            {"kind": "overdue", "format": "xlsx"},
        ):
            response = get(client, url, unit=unit.pk, **extra)
            assert response.status_code == 404, (unit.code, extra)
            body = response.content.decode(errors="replace")
            assert "B-LATE" not in body and "Huyện Bình" not in body and "A1-LATE" not in body


@pytest.mark.parametrize("unit", ["abc", "-1", "0", "99999999999999999999", "3.5"])
def test_malformed_units_are_404(client, people, province, dossiers, unit):
    client.force_login(people.sec)
    assert get(client, DASHBOARD, unit=unit).status_code == 404


def test_leader_sees_the_subtree_and_drills_into_it(client, people, province, dossiers):
    client.force_login(people.boss)
    response = get(client, DASHBOARD, unit=province.B.pk)
    assert response.status_code == 200
    assert [u.code for u in response.context["ancestors"]] == ["P"]
    assert set(drill_codes(get(client, DRILL, kind="late", unit=province.B.pk))) == {"B-LATE"}


@pytest.mark.parametrize("who", ["outsider", "appraiser"])
def test_users_without_a_dossier_role_are_refused(client, people, province, dossiers, who):
    client.force_login(getattr(people, who))
    for url in (DASHBOARD, DRILL, INDEX):
        assert get(client, url).status_code == 403
        assert get(client, url, unit=province.A.pk).status_code == 403


def test_anonymous_users_are_sent_to_the_login_page(client, province, dossiers):
    for url in (DASHBOARD, DRILL, INDEX):
        response = get(client, url, kind="late", format="csv")
        assert response.status_code == 302 and "/login/" in response["Location"]


# -- one read of the rollups for the whole page ----------------------------------------------------


def month_rows_one_by_one(date_from, date_to, **kw):
    """The monthly rows by their definition: compute_kpis over each month of the window alone."""
    from cchc.procedures.kpis import month_periods

    rows = []
    for y, m, first, last in month_periods(date_from, date_to):
        (row,) = compute_kpis(first, last, "all", **kw)
        row.group, row.group_key = f"{m:02d}/{y}", f"{y:04d}-{m:02d}"
        rows.append(row)
    return rows


@pytest.mark.parametrize(
    "window",
    [
        ("2021-01-01", "2021-12-31"),  # whole months only
        ("2021-03-03", "2021-11-20"),  # partial first and last months
        ("2021-03-03", "2021-03-20"),  # within one month
        ("2020-06-10", "2022-02-01"),  # across years, history before the window
    ],
)
@pytest.mark.parametrize("filters", [{}, {"level": "commune"}, {"field": "Đất đai"}])
@pytest.mark.parametrize("scope", ["all", "P", "A", "A-own"])
def test_overview_equals_compute_kpis_for_every_grouping(province, dossiers, window, filters, scope):
    from cchc.procedures.kpis import kpi_overview

    date_from, date_to = (dt.date.fromisoformat(d) for d in window)
    units = {
        "all": None,
        "P": OrgUnit.objects.subtree_of(province.P),
        "A": OrgUnit.objects.subtree_of(province.A),
        "A-own": [province.A.pk],
    }[scope]
    kw = {"units": units, **filters}
    seen = kpi_overview(date_from, date_to, **kw)
    (total,) = compute_kpis(date_from, date_to, "all", **kw)
    assert seen.total.as_dict() == total.as_dict()
    assert [r.as_dict() for r in seen.units] == [
        r.as_dict() for r in compute_kpis(date_from, date_to, "unit", **kw)
    ]
    tree = compute_kpis(date_from, date_to, "unit_tree", **kw)
    assert [r.as_dict() for r in seen.tree] == [r.as_dict() for r in tree]
    months = month_rows_one_by_one(date_from, date_to, **kw)
    assert [r.as_dict() for r in seen.months] == [r.as_dict() for r in months]
    assert [r.as_dict() for r in compute_kpis(date_from, date_to, "month", **kw)] == [
        r.as_dict() for r in months
    ]
    # The fixture's open dossiers make the overdue stock differ from month to month.
    if scope == "P" and not filters and window[0] == "2021-01-01":
        assert [r.in_progress_overdue for r in seen.months] == [0] * 9 + [1, 2, 2]


def dashboard_queries(client, date_from, date_to, **params) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        response = client.get(DASHBOARD, {"date_from": date_from, "date_to": date_to, **params})
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("params", [{}, {"by": "month"}, {"level": "commune"}])
def test_the_dashboard_reads_in_a_number_of_queries_that_does_not_grow_with_months_or_units(
    client, people, province, dossiers, tmp_path, params
):
    client.force_login(people.sec)
    dashboard_queries(client, "2021-01-01", "2021-12-31", **params)  # warm (sessions, caches)
    one_year = dashboard_queries(client, "2021-01-01", "2021-12-31", **params)
    four_years = dashboard_queries(client, "2018-01-01", "2021-12-31", **params)
    partial_months = dashboard_queries(client, "2018-02-15", "2021-12-20", **params)
    assert four_years == one_year
    assert partial_months <= one_year + 1  # the day rollups of the partial months: one query
    # More units with dossiers (every unit of the province now), more months with dossiers.
    import_dossier_rows(
        tmp_path,
        [
            resolved(
                f"MORE-{unit}-{month}",
                unit,
                f"2019-{month:02d}-20T09:00",
                due="2019-12-31",
                received=f"2019-{month:02d}-02T08:00",
            )
            for unit in ("P", "A", "A1", "B", "B1", "D1")
            for month in range(1, 13)
        ],
        name="more.csv",
    )
    assert dashboard_queries(client, "2018-01-01", "2021-12-31", **params) == four_years
    assert one_year < 30


def test_month_end_overdue_is_read_from_the_stored_values_and_counted_when_they_are_stale(province, dossiers):
    """The overdue stock at the end of past months comes from what the import stored
    (dossiers.overdue_rate per unit subtree and month); a value that no longer agrees with the
    rollups, or none at all, is counted from the dossiers instead: the same rows either way."""
    from cchc.indicators.models import IndicatorValue
    from cchc.procedures.kpis import kpi_overview

    date_from, date_to = dt.date(2021, 1, 1), dt.date(2021, 12, 31)
    units = OrgUnit.objects.subtree_of(province.P)
    expected = [r.as_dict() for r in month_rows_one_by_one(date_from, date_to, units=units)]
    stored = IndicatorValue.objects.filter(
        indicator__code="dossiers.overdue_rate", unit=province.P, period_start=dt.date(2021, 11, 1)
    )
    assert stored.get().numerator == 2  # November: the two open dossiers past their deadline
    # Read, not counted: a changed numerator shows (only an import ever writes these values).
    stored.update(numerator=3)
    november = kpi_overview(date_from, date_to, units=units).months[10]
    assert november.in_progress_overdue == 3
    # A denominator that no longer agrees with the rollups: counted from the dossiers.
    stored.update(denominator=99)
    assert [r.as_dict() for r in kpi_overview(date_from, date_to, units=units).months] == expected
    # No stored values at all: counted from the dossiers.
    IndicatorValue.objects.filter(indicator__code="dossiers.overdue_rate").delete()
    assert [r.as_dict() for r in kpi_overview(date_from, date_to, units=units).months] == expected
