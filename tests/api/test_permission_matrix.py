"""Each persona × each API endpoint. Objects outside the caller's scope are 404 (nothing leaks),
forbidden actions 403, anonymous callers 401."""

from __future__ import annotations

import pytest

PERSONAS = ["sec", "boss", "appraiser", "officer_a", "officer_b", "outsider", "anonymous"]

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "persona,codes",
    [
        ("sec", {"P", "A", "B", "A1", "B1", "D1"}),
        ("boss", {"P", "A", "B", "A1", "B1", "D1"}),
        ("appraiser", {"A", "A1"}),
        ("officer_a", {"A"}),
        ("officer_b", {"B"}),
        ("outsider", set()),
    ],
)
def test_units_list(api_as, persona, codes):
    r = api_as(persona).get("/api/units")
    assert r.status_code == 200
    assert {u["code"] for u in r.json()} == codes


def test_units_filters(api_as):
    api = api_as("sec")
    assert {u["code"] for u in api.get("/api/units", type="district").json()} == {"A", "B"}
    assert [u["code"] for u in api.get("/api/units", q="bình một").json()] == ["B1"]
    assert [u["code"] for u in api.get("/api/units", q="XA BINH").json()] == ["B1"]
    assert api_as("officer_a").get("/api/units", q="binh").json() == []
    row = api.get("/api/units", q="A1").json()[0]
    assert row["parent_code"] == "A" and row["type"] == "commune"


@pytest.mark.parametrize("url", ["/api/units", "/api/frameworks", "/api/assessments", "/api/results"])
def test_anonymous_gets_401(api_as, url):
    assert api_as("anonymous").get(url).status_code == 401


def test_bad_token_is_401(people):
    from django.test import Client

    r = Client().get("/api/units", HTTP_AUTHORIZATION="Bearer not-a-key")
    assert r.status_code == 401


@pytest.mark.parametrize("persona", PERSONAS)
def test_frameworks(api_as, framework, persona):
    api = api_as(persona)
    listing = api.get("/api/frameworks")
    detail = api.get(f"/api/frameworks/{framework.code}")
    if persona == "anonymous":
        assert (listing.status_code, detail.status_code) == (401, 401)
    elif persona == "outsider":
        assert (listing.status_code, detail.status_code) == (403, 404)
        assert framework.code not in detail.content.decode()
    else:
        assert listing.status_code == 200
        assert [f["code"] for f in listing.json()] == [framework.code]
        tree = detail.json()
        assert [n["code"] for n in tree["nodes"]] == ["1", "2"]
        assert [c["code"] for c in tree["nodes"][0]["children"]] == ["1.1", "1.2"]
        assert tree["nodes"][0]["max"] == "3.00" or float(tree["nodes"][0]["max"]) == 3


def test_unknown_framework_is_404(api_as, framework):
    assert api_as("sec").get("/api/frameworks/NOPE").status_code == 404


@pytest.mark.parametrize(
    "persona,units",
    [
        ("sec", {"A", "B"}),
        ("boss", {"A", "B"}),
        ("appraiser", {"A"}),
        ("officer_a", {"A"}),
        ("officer_b", {"B"}),
        ("outsider", set()),
    ],
)
def test_assessments_list(api_as, assessments, persona, units):
    r = api_as(persona).get("/api/assessments")
    assert r.status_code == 200
    assert {a["unit_code"] for a in r.json()} == units


def test_assessments_filters(api_as, assessments):
    api = api_as("sec")
    assert len(api.get("/api/assessments", year=2021).json()) == 2
    assert api.get("/api/assessments", year=2020).json() == []
    assert len(api.get("/api/assessments", status="draft").json()) == 2
    assert api.get("/api/assessments", status="published").json() == []
    rid = assessments["A"].round_id
    assert len(api.get("/api/assessments", round=rid).json()) == 2


@pytest.mark.parametrize(
    "persona,visible",
    [
        ("sec", {"A", "B"}),
        ("boss", {"A", "B"}),
        ("appraiser", {"A"}),
        ("officer_a", {"A"}),
        ("officer_b", {"B"}),
        ("outsider", set()),
    ],
)
def test_assessment_detail(api_as, assessments, persona, visible):
    api = api_as(persona)
    for code, assessment in assessments.items():
        r = api.get(f"/api/assessments/{assessment.pk}")
        if code in visible:
            assert r.status_code == 200
            body = r.json()
            assert body["unit_code"] == code
            assert [leaf["code"] for leaf in body["leaves"]] == ["1.1", "1.2", "2.1", "2.2"]
        else:
            assert r.status_code == 404
            text = r.content.decode()
            assert assessment.unit.name not in text and "leaves" not in text


def test_assessment_detail_anonymous_and_missing(api_as, assessments):
    assert api_as("anonymous").get(f"/api/assessments/{assessments['A'].pk}").status_code == 401
    assert api_as("sec").get("/api/assessments/999999").status_code == 404


# Draft assessments: only the unit's own officer writes the self score.
@pytest.mark.parametrize(
    "persona,expected",
    [
        ("sec", 403),
        ("boss", 403),
        ("appraiser", 403),
        ("officer_a", 200),
        ("officer_b", 404),
        ("outsider", 404),
        ("anonymous", 401),
    ],
)
def test_put_score_on_draft(api_as, assessments, persona, expected):
    from cchc.assessments.models import Score

    a = assessments["A"]
    r = api_as(persona).put(f"/api/assessments/{a.pk}/scores/1.2", {"score": "0.75", "reason": "x"})
    assert r.status_code == expected
    stored = Score.objects.filter(assessment=a, node__code="1.2").values_list("self_score", flat=True).first()
    if expected == 200:
        assert r.json()["self_score"] == "0.75" or float(r.json()["self_score"]) == 0.75
        assert float(stored) == 0.75
    else:
        assert stored is None
        if expected == 404:
            assert "1.2" not in r.content.decode() or r.json() == {"detail": "Not Found"}


def test_officer_a_cannot_write_district_b_by_id(api_as, assessments):
    from cchc.assessments.models import Score, Transition

    b = assessments["B"]
    api = api_as("officer_a")
    before = Transition.objects.filter(assessment=b).count()
    r1 = api.put(f"/api/assessments/{b.pk}/scores/1.1", {"score": "1"})
    r2 = api.post(f"/api/assessments/{b.pk}/transitions", {"action": "submit"})
    r3 = api.get(f"/api/assessments/{b.pk}")
    assert (r1.status_code, r2.status_code, r3.status_code) == (404, 404, 404)
    for r in (r1, r2, r3):
        assert r.json() == {"detail": "Not Found"}
    assert not Score.objects.filter(assessment=b).exists()
    assert Transition.objects.filter(assessment=b).count() == before


@pytest.mark.parametrize(
    "persona,expected",
    [
        ("sec", 403),
        ("boss", 403),
        ("appraiser", 403),
        ("officer_b", 404),
        ("outsider", 404),
        ("anonymous", 401),
    ],
)
def test_transition_submit_by_others(api_as, assessments, persona, expected):
    a = assessments["A"]
    r = api_as(persona).post(f"/api/assessments/{a.pk}/transitions", {"action": "submit"})
    assert r.status_code == expected
    a.refresh_from_db()
    assert a.status == "draft"


@pytest.mark.parametrize(
    "persona,expected,units,after_publishing_a",
    [
        ("sec", 200, {"A", "B"}, {"A", "B"}),
        ("boss", 200, set(), {"A"}),  # leaders, appraisers, units: published rows only,
        ("appraiser", 200, set(), {"A"}),  # all of them: published results are public
        ("officer_a", 200, set(), {"A"}),  # within the province
        ("officer_b", 200, set(), {"A"}),
        ("outsider", 403, None, None),
        ("anonymous", 401, None, None),
    ],
)
def test_results(api_as, assessments, framework, people, persona, expected, units, after_publishing_a):
    """The rule of the results page: only the secretariat sees unpublished rows; every other
    signed-in user of the province sees every published row."""
    from cchc.assessments import services

    r = api_as(persona).get("/api/results", framework=framework.code, year=2021)
    assert r.status_code == expected
    if units is not None:
        assert {row["unit_code"] for row in r.json()["results"]} == units
    a = assessments["A"]
    services.submit(a, force=True)
    services.finalise(a, user=people.sec, override_reason="Giữ điểm tự chấm")
    services.publish(a, user=people.sec)
    r = api_as(persona).get("/api/results", framework=framework.code, year=2021)
    assert r.status_code == expected
    if units is not None:
        assert {row["unit_code"] for row in r.json()["results"]} == after_publishing_a


def test_results_unknown_round_is_404(api_as, assessments, framework):
    assert api_as("sec").get("/api/results", framework=framework.code, year=1999).status_code == 404
    assert api_as("sec").get("/api/results", framework="NOPE", year=2021).status_code == 404


@pytest.fixture
def submitted_a(assessments):
    from cchc.assessments import services

    a = assessments["A"]
    services.submit(a, force=True)
    return a


# Submitted assessments: appraiser and secretariat write the appraised score; nobody else.
@pytest.mark.parametrize(
    "persona,expected",
    [
        ("sec", 200),
        ("boss", 403),
        ("appraiser", 200),
        ("officer_a", 403),
        ("officer_b", 404),
        ("outsider", 404),
        ("anonymous", 401),
    ],
)
def test_put_appraised_score(api_as, submitted_a, persona, expected):
    from cchc.assessments.models import Score

    r = api_as(persona).put(f"/api/assessments/{submitted_a.pk}/scores/2.1", {"score": "1.5", "comment": "c"})
    assert r.status_code == expected
    score = Score.objects.filter(assessment=submitted_a, node__code="2.1").first()
    if expected == 200:
        assert float(score.appraised_score) == 1.5 and score.self_score is None
    else:
        assert score is None or score.appraised_score is None


@pytest.mark.parametrize(
    "persona,expected",
    [
        ("sec", 200),
        ("boss", 403),
        ("appraiser", 403),
        ("officer_a", 403),
        ("officer_b", 404),
        ("outsider", 404),
        ("anonymous", 401),
    ],
)
def test_finalise(api_as, submitted_a, persona, expected):
    r = api_as(persona).post(
        f"/api/assessments/{submitted_a.pk}/transitions",
        {"action": "finalise", "reason": "Chưa thẩm định: giữ điểm tự chấm"},
    )
    assert r.status_code == expected
    submitted_a.refresh_from_db()
    assert submitted_a.status == ("finalised" if expected == 200 else "submitted")
