"""What the survey pages show, through the pages: progress, quality control and its filters,
results (tables, distribution, trend, charts, workbook), free-text answers, the campaign list
and the published indices — each over the units the reader reaches (cchc.surveys.access)."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from cchc.orgs.models import RoleAssignment
from cchc.surveys import papi, services
from cchc.surveys.models import PublishedIndex
from tests.surveys import web_fixtures

pytestmark = pytest.mark.django_db
_clear_cache = web_fixtures._clear_cache
JAN_5 = timezone.make_aware(dt.datetime(2025, 1, 5, 12))
DISTRICT = "Huyện, thị xã, thành phố thuộc tỉnh"  # the unit type of A and B


@pytest.fixture
def world(province, people):
    """Campaign 2025 over A and B: in A a happy web form (fast) and an older paper form, in B a
    kiosk form and an excluded web form; campaign 2024 over A with one form; PAPI and SIPAS
    published for the province."""
    s = web_fixtures.make_survey(province, people.sec)
    submit = services.submit_response
    r1 = submit(
        s.cu_a,
        {
            "TC1": 5,
            "TC2": 4,
            "CC1": 4,
            "GY": "co",
            "GY1": 5,
            "SOLAN": "2",
            "MD": ["tg", "tt"],
            "YK": "Chờ hơi lâu",
        },
        channel="web",
        duration_seconds=12,
    )
    r2 = submit(
        s.cu_a,
        {"TC1": 2, "TC2": "na", "CC1": 3, "GY": "khong", "YK": "Cán bộ tận tình"},
        channel="paper",
        form_no="P-17",
        submitted_at=JAN_5,
    )
    r3 = submit(
        s.cu_b, {"TC1": 4, "CC1": 1, "GY": "khong", "MD": ["tg"]}, channel="kiosk", duration_seconds=95
    )
    r4 = submit(s.cu_b, {"TC1": 1, "CC1": 2, "GY": "khong", "YK": "Phiếu thử"}, channel="web")
    services.exclude_response(r4, people.sec, "Phiếu thử")
    past = web_fixtures.make_survey(province, people.sec, period=2024)
    submit(past.cu_a, {"TC1": 3, "CC1": 4, "GY": "khong"}, channel="paper", form_no="C-1", submitted_at=JAN_5)
    for year, kind, dimension, value in [
        (2023, "papi_total", "", "41.2"),
        (2024, "papi_total", "", "43.0"),
        (2024, "papi_dimension", "thu_tuc", "7.1"),
        (2024, "sipas", "", "82.5"),
    ]:
        PublishedIndex.objects.create(
            unit=province.P, year=year, kind=kind, dimension=dimension, value=Decimal(value)
        )
    papi.set_target(province.P, "papi_total", 2025, Decimal("45"))
    return {"s": s, "past": past, "r": [r1, r2, r3, r4]}


def get(client, user, name, *args, **params):
    client.force_login(user)
    response = client.get(reverse(name, args=args), params)
    assert response.status_code == 200, response.status_code
    return response


# --- campaigns and progress ------------------------------------------------------------------------


def test_the_campaign_list_counts_the_counted_forms_in_reach(client, people, world):
    c, past = world["s"].campaign, world["past"].campaign
    listed = get(client, people.sec, "surveys:campaigns").context["campaigns"]
    assert {x.pk: (x.n_units, x.n_forms) for x in listed} == {c.pk: (2, 3), past.pk: (2, 1)}
    listed = get(client, people.officer_b, "surveys:campaigns").context["campaigns"]
    assert {x.pk: (x.n_units, x.n_forms) for x in listed} == {c.pk: (2, 1), past.pk: (2, 0)}


def test_the_campaign_list_counts_no_form_of_a_unit_reached_only_as_appraiser(
    client, people, province, world
):
    """An appraiser has no survey role: unit officer of A and appraiser of B, the list counts
    A's forms only (B's were counted too)."""
    RoleAssignment.objects.create(user=people.officer_a, role="appraiser", unit=province.B)
    listed = get(client, people.officer_a, "surveys:campaigns").context["campaigns"]
    assert {x.pk: x.n_forms for x in listed} == {world["s"].campaign.pk: 2, world["past"].campaign.pk: 1}


def test_progress_per_unit_and_in_total(client, people, world):
    page = get(client, people.sec, "surveys:progress", world["s"].campaign.pk)
    rows = {r["cu"].unit.code: {k: v for k, v in r.items() if k != "cu"} for r in page.context["rows"]}
    assert rows == {
        "A": {
            "valid": 2,
            "excluded": 0,
            "today": 1,
            "target": 3,
            "pct": 67,
            "reached": False,
            "manage": True,
        },
        "B": {
            "valid": 1,
            "excluded": 1,
            "today": 1,
            "target": 3,
            "pct": 33,
            "reached": False,
            "manage": True,
        },
    }
    assert page.context["totals"] == {"valid": 3, "target": 6, "today": 2, "excluded": 1, "pct": 50}
    assert page.context["manage"] is True
    page = get(client, people.officer_a, "surveys:progress", world["s"].campaign.pk)
    assert [(r["cu"].unit.code, r["manage"]) for r in page.context["rows"]] == [("A", False)]
    assert page.context["totals"]["valid"] == 2 and page.context["manage"] is False
    partial = get(client, people.sec, "surveys:progress", world["s"].campaign.pk, partial=1)
    assert [t.name for t in partial.templates][0] == "surveys/_progress_table.html"


# --- quality control -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, [3, 2, 0, 1]),  # newest first
        ({"state": "valid"}, [2, 0, 1]),
        ({"state": "excluded"}, [3]),
        ({"state": "fast"}, [0]),
        ({"channel": "kiosk"}, [2]),
        ({"channel": "fax"}, [3, 2, 0, 1]),
        ({"since": "06/01/2025"}, [3, 2, 0]),
        ({"until": "2025-01-05"}, [1]),
        ({"since": "30/02/2025"}, [3, 2, 0, 1]),  # not a date: ignored
        ({"q": "p-1"}, [1]),
    ],
)
def test_quality_control_filters(client, people, world, params, expected):
    r = world["r"]
    page = get(client, people.sec, "surveys:responses", world["s"].campaign.pk, **params)
    assert [x.pk for x in page.context["rows"]] == [r[i].pk for i in expected]
    assert [cu.unit.code for cu in page.context["units"]] == ["A", "B"]
    assert page.context["channels"][0] == ("web", "Trực tuyến")


def test_quality_control_by_unit_and_id_with_the_answers_and_normalised_dates(client, people, world):
    r = world["r"]
    c = world["s"].campaign.pk
    unit_b = world["s"].cu_b.unit_id
    page = get(client, people.sec, "surveys:responses", c, unit=unit_b, page="1")
    assert [x.pk for x in page.context["rows"]] == [r[3].pk, r[2].pk]
    assert page.context["query"] == f"unit={unit_b}"
    page = get(client, people.sec, "surveys:responses", c, q=str(r[2].pk), since="2025-01-06")
    assert [x.pk for x in page.context["rows"]] == [r[2].pk]
    assert page.context["f"]["since"] == "06/01/2025"
    (row,) = page.context["rows"]
    assert [(a.question.code, a.display_value()) for a in row.answer_list] == [
        ("TC1", "4"),
        ("CC1", "1"),
        ("GY", "khong"),
        ("MD", "tg"),
    ]


# --- results ---------------------------------------------------------------------------------------


def test_results_tables_distribution_trend_and_charts(client, people, world):
    page = get(client, people.sec, "surveys:results", world["s"].campaign.pk)
    ctx = page.context
    assert [(r.group_key, r.forms, r.valid_answers, r.satisfied) for r in ctx["rows"]] == [
        ("A", 2, 6, 4),
        ("B", 1, 2, 1),
    ]
    assert [(r.group_key, r.forms) for r in ctx["aspects"]] == [("TC", 3), ("CC", 3)]
    assert [(d["code"], d["counts"], d["na"]) for d in ctx["distribution"]] == [
        ("TC1", [0, 1, 0, 1, 1], 0),
        ("TC2", [0, 0, 0, 1, 0], 1),
        ("CC1", [1, 0, 1, 1, 0], 0),
        ("GY1", [0, 0, 0, 0, 1], 0),
    ]
    assert [(t["period"], list(t["values"])) for t in ctx["trend"]] == [
        (2024, [DISTRICT]),
        (2025, [DISTRICT]),
    ]
    assert ctx["trend_groups"] == [DISTRICT]
    assert ctx["trend"][0]["cells"] == [ctx["trend"][0]["values"][DISTRICT]]
    charts = ctx["chart_data"]
    assert charts["aspects"]["labels"] == ["Tiếp cận dịch vụ", "Công chức"]
    assert charts["aspects"]["values"] == [float(r.index) for r in ctx["aspects"]]
    assert charts["distribution"]["questions"][0] == {"label": "TC1", "counts": [0, 1, 0, 1, 1]}
    assert charts["distribution"]["levels"][0] == "Rất không hài lòng"
    assert charts["trend"]["labels"] == ["2024", "2025"]
    assert charts["trend"]["series"][0]["label"] == DISTRICT
    assert [(e.option, e.count, e.respondents) for e in ctx["expectations"]] == [("tg", 2, 2), ("tt", 1, 2)]
    assert [code for code, _label in ctx["by_choices"]] == ["unit", "level", "aspect", "question"]
    assert ctx["by"] == "unit" and ctx["manage"] is True
    by_level = get(client, people.sec, "surveys:results", world["s"].campaign.pk, by="level").context
    assert [(r.group, r.forms) for r in by_level["rows"]] == [(DISTRICT, 3)]
    assert (
        get(client, people.sec, "surveys:results", world["s"].campaign.pk, by="nope").context["by"] == "unit"
    )


def test_a_unit_officer_reads_the_results_of_its_unit_only(client, people, world):
    ctx = get(client, people.officer_b, "surveys:results", world["s"].campaign.pk).context
    assert [(r.group_key, r.forms) for r in ctx["rows"]] == [("B", 1)]
    assert [(d["code"], d["counts"]) for d in ctx["distribution"]][0] == ("TC1", [0, 0, 0, 1, 0])
    index = ctx["rows"][0].index
    # 2024 surveyed B too, without a form there: a period without a value
    assert ctx["trend"] == [
        {"period": 2024, "values": {}, "cells": [None]},
        {"period": 2025, "values": {DISTRICT: index}, "cells": [index]},
    ]
    assert [(e.option, e.count) for e in ctx["expectations"]] == [("tg", 1), ("tt", 0)]
    assert ctx["manage"] is False


def test_the_results_workbook(client, people, world):
    response = get(client, people.officer_a, "surveys:results", world["s"].campaign.pk, format="xlsx")
    assert response["Content-Disposition"] == 'attachment; filename="khao-sat-SIPAS-THU-2025.xlsx"'
    wb = load_workbook(io.BytesIO(response.content))
    assert wb.sheetnames == ["Theo đơn vị", "Theo cấp", "Theo yếu tố", "Theo câu hỏi", "Phân bố câu trả lời"]
    units = list(wb["Theo đơn vị"].iter_rows(values_only=True))
    assert units[0] == (
        "group",
        "forms",
        "valid_answers",
        "satisfied_share",
        "index",
        "ci_low",
        "ci_high",
        "target",
        "below_target",
    )
    assert [row[:3] for row in units[1:]] == [("Huyện An", 2, 6)]
    spread = list(wb["Phân bố câu trả lời"].iter_rows(values_only=True))
    assert spread[1] == ("TC1", "Nơi tiếp nhận hồ sơ dễ tìm", 0, 1, 0, 0, 1, 0)
    assert spread[2][-1] == 1  # TC2 not applicable once


# --- free-text answers -----------------------------------------------------------------------------


def test_texts_with_their_filters(client, people, world):
    c = world["s"].campaign.pk
    qn = world["s"].qn

    def texts(user=people.sec, **params):
        ctx = get(client, user, "surveys:texts", c, **params).context
        return [a.value_text for a in ctx["page"].object_list], ctx

    shown, ctx = texts()
    assert shown == ["Chờ hơi lâu", "Cán bộ tận tình"]  # the excluded form's text is left out
    assert [q.code for q in ctx["questions"]] == ["YK"]
    assert [cu.unit.code for cu in ctx["units"]] == ["A", "B"]
    assert texts(q="tận tình")[0] == ["Cán bộ tận tình"]
    assert texts(question=qn.questions.get(code="YK").pk)[0] == ["Chờ hơi lâu", "Cán bộ tận tình"]
    assert texts(question=qn.questions.get(code="TC1").pk)[0] == []
    assert texts(unit=world["s"].cu_b.unit_id)[0] == []
    assert texts(user=people.officer_b)[0] == []


# --- published indices -----------------------------------------------------------------------------


def test_the_published_indices_of_the_province(client, people, province, world):
    ctx = get(client, people.boss, "surveys:published").context
    assert ctx["unit"] == province.P and ctx["provinces"] == [province.P]
    groups = {g["key"]: g for g in ctx["groups"]}
    assert list(groups) == ["percent", "papi_total", "papi_dimension"]
    total = groups["papi_total"]
    assert total["years"] == [2023, 2024, 2025]
    (series,) = total["series"]
    assert series["label"] == "PAPI (tổng)"
    assert [(c.value, c.change, c.target) if c else None for c in series["cells"]] == [
        (Decimal("41.2"), None, None),
        (Decimal("43.0"), Decimal("1.8"), None),
        (None, None, Decimal("45")),
    ]
    assert total["chart"] == {
        "labels": ["2023", "2024", "2025"],
        "series": [{"label": "PAPI (tổng)", "values": [41.2, 43.0, None]}],
    }
    assert groups["papi_dimension"]["series"][0]["label"] == "Thủ tục hành chính công"
    assert groups["percent"]["chart"]["series"] == [{"label": "SIPAS", "values": [82.5]}]
    chosen = get(client, people.sec, "surveys:published", unit=province.P.pk).context
    assert chosen["unit"] == province.P
    client.force_login(people.sec)
    assert client.get(reverse("surveys:published"), {"unit": province.A.pk}).status_code == 404
