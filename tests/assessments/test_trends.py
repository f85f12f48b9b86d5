"""Trends across years and a unit's history, through their pages (Django test client): two
years, districts A and B merged into C in the second year, a published-only rule for leaders
and units, and the charts' data on the results page."""

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.urls import reverse

from cchc.assessments import services
from cchc.assessments.models import Assessment
from cchc.frameworks.models import Node
from cchc.frameworks.services import copy_framework
from tests.factories import make_unit, make_user

SCORES_2021 = {
    "A": {"1.1": 2, "1.2": 1, "2.1": 3, "2.2": 4},  # 100.00, rank 1
    "E": {"1.1": 2, "2.1": 3, "2.2": 4},  # 90.00, rank 2
    "B": {"2.1": 3, "2.2": 4},  # 70.00, rank 3
}
SCORES_2022 = {
    "E": {"1.1": 2, "1.2": 1, "2.1": 2.5, "2.2": 4},  # 95.00, rank 1 (finalised, not published)
    "C": {"1.1": 1, "1.2": 1, "2.1": 2, "2.2": 4},  # 80.00, rank 2
}


def score(round_obj, unit, scores, publish=True):
    assessment = Assessment.objects.get(round=round_obj, unit=unit)
    for code, value in scores.items():
        node = Node.objects.get(framework=round_obj.framework, code=code)
        services.set_self_score(assessment, node, score=Decimal(str(value)))
    services.submit(assessment, force=True)
    services.start_appraisal(assessment)
    services.finalise(assessment, override_reason="Dữ liệu thử nhiều năm")
    if publish:
        services.publish(assessment)
    return assessment


@pytest.fixture
def two_years(framework, province, people):
    e = make_unit("E", "Huyện Én", "district", province.P)
    c = make_unit("C", "Huyện An Bình", "district", province.P, valid_from=dt.date(2022, 1, 1))
    for merged in (province.A, province.B):
        merged.successor = c
        merged.valid_to = dt.date(2021, 12, 31)
        merged.save()
    units = {"A": province.A, "B": province.B, "C": c, "E": e}
    r2021, _ = services.open_round(framework, 2021, units=[units[k] for k in SCORES_2021])
    for code, scores in SCORES_2021.items():
        score(r2021, units[code], scores)
    fw2022 = copy_framework(framework, user=people.sec, code="BP-HUYEN-2022", year=2022, name="2022")
    r2022, _ = services.open_round(fw2022, 2022, units=[units[k] for k in SCORES_2022])
    for code, scores in SCORES_2022.items():
        score(r2022, units[code], scores, publish=code != "E")
    return {"units": units, "r2021": r2021, "r2022": r2022}


def table_rows(html: str) -> dict[str, str]:
    """unit code → the text of its row in the trends table."""
    import re

    rows = {}
    for match in re.finditer(r'<tr data-unit="(\w+)">(.*?)</tr>', html, re.S):
        text = re.sub(r"<[^>]+>", " ", match.group(2))
        rows[match.group(1)] = " ".join(text.split())
    return rows


def chart_data(html: str, element_id: str) -> dict:
    start = html.index(f'<script id="{element_id}" type="application/json">') + len(
        f'<script id="{element_id}" type="application/json">'
    )
    return json.loads(html[start : html.index("</script>", start)])


def test_secretariat_sees_both_years_and_the_merged_unit_continues_its_predecessor(client, people, two_years):
    client.force_login(people.sec)
    response = client.get(reverse("assessments:trends"), {"type": "district"})
    assert response.status_code == 200
    html = response.content.decode()
    rows = table_rows(html)
    assert list(rows) == ["E", "C"]  # by the latest rank
    assert rows["E"] == "Huyện Én 90,00 Xuất sắc 2 95,00 Xuất sắc 1"
    # 2021 for C: the best-ranked of its predecessors (A, rank 1), named.
    assert rows["C"] == "Huyện An Bình 100,00 ↳ Huyện An Xuất sắc 1 80,00 Tốt 2"
    data = chart_data(html, "trends-data")
    assert data["years"] == ["2021", "2022"]
    assert data["series"] == [
        {"label": "Huyện Én", "index": [90.0, 95.0], "rank": [2, 1]},
        {"label": "Huyện An Bình", "index": [100.0, 80.0], "rank": [1, 2]},
    ]
    assert 'data-chart="trend-index"' in html and "chart-4.6.1.umd.min.js" in html


def test_a_leader_sees_published_results_only(client, people, two_years):
    client.force_login(people.boss)
    html = client.get(reverse("assessments:trends"), {"type": "district"}).content.decode()
    rows = table_rows(html)
    assert list(rows) == ["C", "E"]
    # 2022: C ranks 1st among the published (E, unpublished, is not counted).
    assert rows["C"] == "Huyện An Bình 100,00 ↳ Huyện An Xuất sắc 1 80,00 Tốt 1"
    assert rows["E"] == "Huyện Én 90,00 Xuất sắc 2 —"  # 2022 not published
    assert "95,00" not in html


def test_a_unit_officer_sees_only_their_own_unit(client, people, two_years):
    client.force_login(people.officer_a)
    html = client.get(reverse("assessments:trends")).content.decode()
    assert list(table_rows(html)) == ["A"]
    assert "Huyện Én" not in html and "Huyện An Bình" not in html


def test_unit_history_shows_each_year_fields_and_predecessors(client, people, two_years):
    client.force_login(people.boss)
    c = two_years["units"]["C"]
    response = client.get(reverse("assessments:unit_history", args=[c.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Hình thành từ" in html and "Huyện An" in html and "Huyện Bình" in html
    data = chart_data(html, "history-data")
    assert data["years"] == ["2021 (Huyện An)", "2021 (Huyện Bình)", "2022"]
    assert data["series"][0]["index"] == [100.0, 70.0, 80.0]
    assert data["series"][0]["rank"] == [1, 3, 1]  # 2022: E (unpublished) is not counted
    # Field 1 (max 3) and field 2 (max 7) per column.
    import re

    field_1 = re.search(r'<tr data-field="1">(.*?)</tr>', html, re.S).group(1)
    assert re.findall(r"(\d+,\d\d|—)</td>", field_1) == ["100,00", "0,00", "66,67"]
    field_2 = re.search(r'<tr data-field="2">(.*?)</tr>', html, re.S).group(1)
    assert re.findall(r"(\d+,\d\d|—)</td>", field_2) == ["100,00", "100,00", "85,71"]


def test_unit_history_is_scoped(client, people, two_years):
    units = two_years["units"]
    client.force_login(people.officer_a)
    assert client.get(reverse("assessments:unit_history", args=[units["A"].pk])).status_code == 200
    assert client.get(reverse("assessments:unit_history", args=[units["E"].pk])).status_code == 404
    assert client.get(reverse("assessments:unit_history", args=[units["C"].pk])).status_code == 404
    client.force_login(people.outsider)
    assert client.get(reverse("assessments:unit_history", args=[units["A"].pk])).status_code == 404
    assert client.get(reverse("assessments:trends")).status_code == 403
    client.logout()
    assert client.get(reverse("assessments:trends")).status_code == 302


def test_unpublished_year_is_hidden_from_a_unit_officer(client, people, two_years, province):
    officer_e = make_user("officer_e", "unit_officer", two_years["units"]["E"])
    client.force_login(officer_e)
    html = client.get(reverse("assessments:unit_history", args=[two_years["units"]["E"].pk])).content.decode()
    data = chart_data(html, "history-data")
    assert data["years"] == ["2021"] and data["series"][0]["index"] == [90.0]


def test_an_unknown_type_or_round_is_not_found(client, people, two_years):
    client.force_login(people.sec)
    assert client.get(reverse("assessments:trends"), {"type": "nope"}).status_code == 404
    assert (
        client.get(reverse("assessments:trends"), {"type": "district", "round": "999999"}).status_code == 404
    )
    r2021 = two_years["r2021"]
    response = client.get(reverse("assessments:trends"), {"type": "district", "round": r2021.pk})
    assert list(table_rows(response.content.decode())) == ["A", "E", "B"]


def test_the_results_page_carries_the_chart_data_and_keeps_the_table(client, people, two_years):
    client.force_login(people.sec)
    html = client.get(reverse("assessments:results", args=[two_years["r2021"].pk])).content.decode()
    data = chart_data(html, "results-chart-data")
    assert data["distribution"]["labels"] == ["Xuất sắc", "Tốt", "Khá", "Trung bình", "Yếu"]
    assert data["distribution"]["values"] == [2, 0, 1, 0, 0]
    assert data["distribution"]["colors"][0].startswith("#")
    assert data["indices"]["labels"] == ["Huyện An", "Huyện Én", "Huyện Bình"]
    assert data["indices"]["values"] == [100.0, 90.0, 70.0]
    assert 'id="distribution-chart"' in html and 'id="indices-chart"' in html
    assert 'id="results"' in html and "<script>" not in html  # data only, no inline script
    assert "js/charts.js" in html
