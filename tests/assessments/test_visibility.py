"""The visibility rule (who sees which score of an assessment in which state), through the
assessment page, the API, the results page and its export, the trends and the home page.

District A self-scores 2.1 at 2.75; the appraiser appraises it at 1.25 with a comment. Before
publication the unit and the leaders see neither the appraised score nor a total, index or
class that includes it; the appraisers and the secretariat see everything."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.urls import reverse

from cchc.assessments import services
from cchc.assessments.models import Assessment, Round
from cchc.frameworks.models import Node
from cchc.orgs.models import OrgUnit
from tests.api.conftest import Api
from tests.factories import make_user

pytestmark = pytest.mark.django_db

COMMENT = "Y-KIEN-THAM-DINH"
STATES = ["draft", "submitted", "under_appraisal", "returned", "finalised", "published"]
UNAPPRAISED = {"draft", "submitted"}
ROLES = ["officer_a", "appraiser", "sec", "boss", "outsider", "officer_b"]
# role → states in which it sees the appraised score / the appraisers' comments (None: 404)
SEES_APPRAISAL = {
    "officer_a": {"published"},
    "appraiser": set(STATES),
    "sec": set(STATES),
    "boss": {"published"},
    "outsider": None,
    "officer_b": None,
}
SEES_COMMENTS = {
    "officer_a": {"under_appraisal", "returned", "finalised", "published"},
    "appraiser": set(STATES),
    "sec": set(STATES),
    "boss": {"published"},
}


def node(round_obj, code):
    return Node.objects.get(framework=round_obj.framework, code=code)


def bring_to(a, state, people):
    """Self scores by the unit, the appraisal by the appraiser, then the workflow to ``state``."""
    services.set_self_score(a, node(a.round, "2.1"), user=people.officer_a, score=Decimal("2.75"))
    if state == "draft":
        return a
    services.submit(a, force=True)
    if state == "submitted":  # the first appraised score moves it on to "under appraisal"
        return a
    services.set_appraised_score(
        a, node(a.round, "2.1"), user=people.appraiser, score=Decimal("1.25"), comment=COMMENT
    )
    a.refresh_from_db()
    if state == "returned":
        services.return_for_explanation(a, user=people.appraiser)
    elif state in {"finalised", "published"}:
        services.finalise(a, user=people.sec, override_reason="Chỉ thẩm định tiêu chí 2.1")
        if state == "published":
            services.publish(a, user=people.sec)
    a.refresh_from_db()
    assert a.status == state
    return a


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("role", ROLES)
def test_assessment_page_shows_the_appraisal_by_role_and_state(client, people, opened_round, state, role):
    a = bring_to(Assessment.objects.get(round=opened_round, unit__code="A"), state, people)
    client.force_login(getattr(people, role))
    response = client.get(reverse("assessments:detail", args=[a.pk]))
    if SEES_APPRAISAL[role] is None:
        assert response.status_code == 404
        return
    assert response.status_code == 200
    html = response.content.decode()
    appraised = state not in UNAPPRAISED  # nothing to hide yet
    if appraised and state in SEES_APPRAISAL[role]:
        assert "1,25" in html  # the leaf, the total
        assert "∅ → 1,25" in html  # the score-change history, in the Vietnamese form
    else:
        assert "1,25" not in html and "1.25" not in html
        # the figures are the self-assessment's: 2.75 of 10 points
        assert "2,75/10,00" in html and "27,50" in html
    assert (COMMENT in html) == (appraised and state in SEES_COMMENTS[role])
    if state != "published":
        assert 'data-figures="' in html  # labelled as provisional or as the self-assessment's


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("role", ROLES)
def test_assessment_api_shows_the_appraisal_by_role_and_state(people, opened_round, state, role):
    a = bring_to(Assessment.objects.get(round=opened_round, unit__code="A"), state, people)
    r = Api(getattr(people, role)).get(f"/api/assessments/{a.pk}")
    if SEES_APPRAISAL[role] is None:
        assert r.status_code == 404
        return
    assert r.status_code == 200
    body = r.json()
    leaf = next(leaf for leaf in body["leaves"] if leaf["code"] == "2.1")
    appraised = state not in UNAPPRAISED
    sees = state in SEES_APPRAISAL[role]
    assert body["sees"] == {"appraisal": sees, "comments": state in SEES_COMMENTS[role]}
    if appraised and sees:
        assert Decimal(leaf["appraised_score"]) == Decimal("1.25")
        assert Decimal(body["result"]["total"]) == Decimal("1.25")
    else:
        assert leaf["appraised_score"] is None
        assert Decimal(body["result"]["total"]) == Decimal("2.75")
        assert "1.25" not in r.content.decode()
    assert body["result"]["basis"] == ("appraisal" if sees else "self")
    assert body["result"]["provisional"] is (state != "published")
    assert (leaf["comment"] == COMMENT) == (appraised and state in SEES_COMMENTS[role])


def test_the_leaf_fragment_follows_the_rule(client, people, opened_round):
    """The HTMX fragment (autosave of the unit's explanation while returned) hides the appraised
    score from the unit too, and its totals are the self-assessment's."""
    a = bring_to(Assessment.objects.get(round=opened_round, unit__code="A"), "returned", people)
    client.force_login(people.officer_a)
    response = client.post(
        reverse("assessments:leaf_save", args=[a.pk, node(opened_round, "2.1").pk]),
        {"explanation": "Đã bổ sung", "unit_response": "Giải trình"},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "1,25" not in html and "2,75/10,00" in html and COMMENT in html


# --- the results table: ranks over what the reader sees; public within the province ---------


def publish_scored(a, people, scores, publish=True):
    for code, value in scores.items():
        services.set_self_score(a, node(a.round, code), score=Decimal(str(value)))
    services.submit(a, force=True)
    services.finalise(a, user=people.sec, override_reason="Giữ điểm tự chấm")
    if publish:
        services.publish(a, user=people.sec)
    return a


@pytest.fixture
def a_finalised_b_published(opened_round, people):
    a = Assessment.objects.get(round=opened_round, unit__code="A")
    b = Assessment.objects.get(round=opened_round, unit__code="B")
    publish_scored(a, people, {"1.1": 2, "1.2": 1, "2.1": 3, "2.2": 4}, publish=False)  # 100 %
    publish_scored(b, people, {"1.1": 2, "2.1": 3}, publish=True)  # 50 %
    return opened_round


def result_rows(html):
    import re

    return dict(re.findall(r'<tr data-unit="(\w+)">\s*<td class="num">(\d+|—)', html))


@pytest.mark.parametrize("role", ["boss", "appraiser", "officer_a", "officer_b"])
def test_ranks_count_only_the_published_units_a_reader_sees(client, people, a_finalised_b_published, role):
    client.force_login(getattr(people, role))
    html = client.get(reverse("assessments:results", args=[a_finalised_b_published.pk])).content.decode()
    assert result_rows(html) == {"B": "1"}  # not 2: A (unpublished, 100 %) is not counted
    assert "1/1" in html  # the distribution counts the visible units only
    assert "tạm tính" not in html and 'data-status="' not in html
    r = api_as_get(people, role, a_finalised_b_published)
    assert [(row["unit_code"], row["rank"]) for row in r["results"]] == [("B", 1)]


def api_as_get(people, role, round_obj):
    return (
        Api(getattr(people, role))
        .get("/api/results", framework=round_obj.framework.code, year=round_obj.year)
        .json()
    )


def test_the_secretariat_sees_every_unit_with_its_status_and_what_is_provisional(
    client, people, a_finalised_b_published
):
    client.force_login(people.sec)
    html = client.get(reverse("assessments:results", args=[a_finalised_b_published.pk])).content.decode()
    assert result_rows(html) == {"A": "1", "B": "2"}
    assert 'data-status="finalised"><span class="chip">tạm tính</span> Đã chốt kết quả' in html
    assert 'data-status="published">Đã công bố' in html
    rows = api_as_get(people, "sec", a_finalised_b_published)["results"]
    assert [(r["unit_code"], r["provisional"], r["rank_provisional"]) for r in rows] == [
        ("A", True, True),
        ("B", False, True),
    ]


def test_the_results_export_holds_the_rows_and_ranks_the_reader_sees(client, people, a_finalised_b_published):
    from openpyxl import load_workbook

    client.force_login(people.boss)
    response = client.get(
        reverse("assessments:results", args=[a_finalised_b_published.pk]), {"format": "xlsx"}
    )
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=2) if any(c.value for c in row)]
    assert [(str(r[0]), r[1]) for r in rows] == [("1", "B")]


def test_every_signed_in_user_of_the_province_sees_the_whole_published_table(client, people, province):
    """A unit officer sees every published row, not only their own ("Tốt 1/1"); so does an
    officer of a unit outside the round (a department)."""
    from cchc.assessments.services import open_round
    from tests.factories import SMALL_SPEC, make_framework

    fw = make_framework("BP-PUBLIC", 2021, ["district"], SMALL_SPEC)
    round_obj, _ = open_round(fw, 2021, user=people.sec)
    for code, scores in {"A": {"1.1": 2, "2.1": 3}, "B": {"2.1": 3}}.items():
        publish_scored(Assessment.objects.get(round=round_obj, unit__code=code), people, scores)
    officer_d = make_user("officer_d", "unit_officer", OrgUnit.objects.get(code="D1"))
    for user in (people.officer_a, people.officer_b, officer_d):
        client.force_login(user)
        response = client.get(reverse("assessments:results", args=[round_obj.pk]))
        assert response.status_code == 200
        assert result_rows(response.content.decode()) == {"A": "1", "B": "2"}
    client.force_login(people.outsider)
    assert client.get(reverse("assessments:results", args=[round_obj.pk])).status_code == 404


def test_self_minus_appraised_counts_only_leaves_with_both(client, people, opened_round):
    """A: self 2.1 = 2.75 and 1.1 = 2, appraised 2.1 = 1.25 and 1.2 = 1 (no self score there):
    Σ self − Σ appraised over 2.1 only = 1.50. B: nobody appraised it: "—", not 0 or the
    indicator points."""
    a = Assessment.objects.get(round=opened_round, unit__code="A")
    b = Assessment.objects.get(round=opened_round, unit__code="B")
    services.set_self_score(a, node(opened_round, "2.1"), score=Decimal("2.75"))
    services.set_self_score(a, node(opened_round, "1.1"), score=Decimal("2"))
    services.submit(a, force=True)
    services.set_appraised_score(a, node(opened_round, "2.1"), score=Decimal("1.25"))
    services.set_appraised_score(a, node(opened_round, "1.2"), score=Decimal("1"))
    services.set_self_score(b, node(opened_round, "2.1"), score=Decimal("3"))
    client.force_login(people.sec)
    html = client.get(reverse("assessments:results", args=[opened_round.pk])).content.decode()
    import re

    diffs = dict(
        re.findall(r'<tr data-unit="(\w+)">.*?<td class="num">([^<]*)</td>\s*<td data-status', html, re.S)
    )
    assert diffs == {"A": "1,50", "B": "—"}


# --- the home page and cut lists -----------------------------------------------------------------


def test_a_leaders_home_shows_the_results_and_dashboards(client, people, a_finalised_b_published):
    client.force_login(people.boss)
    html = client.get("/").content.decode()
    assert "chưa được phân vai trò" not in html
    assert reverse("assessments:results", args=[a_finalised_b_published.pk]) in html
    assert reverse("assessments:trends") in html and reverse("procedures:dashboard") in html
    client.force_login(people.outsider)
    html = client.get("/").content.decode()
    assert "chưa được phân vai trò" in html and 'id="home-results"' not in html


def test_a_cut_list_of_rounds_ends_with_an_ellipsis_and_the_total(client, people, framework, province):
    """Trends show the last 15 rounds of a chain of 17 and say so."""
    from cchc.assessments.services import open_round

    for year in range(2005, 2021):
        Round.objects.create(framework=framework, year=year)
    head, _ = open_round(framework, 2021, user=people.sec)
    publish_scored(Assessment.objects.get(round=head, unit__code="A"), people, {"2.1": 3})
    client.force_login(people.boss)
    html = client.get(reverse("assessments:trends"), {"type": "district"}).content.decode()
    assert 'data-cut="series">… (15/17 đợt gần nhất)' in html
    assert html.count('href="/rounds/') >= 15


def test_a_cut_score_history_ends_with_an_ellipsis_and_the_total(client, people, opened_round):
    a = Assessment.objects.get(round=opened_round, unit__code="A")
    for i in range(51):
        services.set_self_score(a, node(opened_round, "2.1"), score=Decimal("1") if i % 2 else Decimal("2"))
    client.force_login(people.officer_a)
    html = client.get(reverse("assessments:detail", args=[a.pk])).content.decode()
    assert 'data-cut="changes">… (50 thay đổi gần nhất / 51)' in html
