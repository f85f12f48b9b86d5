"""The Decision 766 index: the shipped rules add up, points are linear below the threshold,
unmeasured indicators and groups stay out of the measured maximum; hand-worked examples."""

from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cchc.procedures.index766 import (
    Counts,
    RulesError,
    indicator_points,
    load_rules,
    measures_from_counts,
    parse_rules,
    rate,
    score,
    score_counts,
)


@pytest.fixture(scope="module")
def rules():
    return load_rules()


def test_the_shipped_rules_have_five_groups_worth_100_points(rules):
    assert [(g.id, g.name, g.max_points) for g in rules.groups] == [
        ("1", "Công khai, minh bạch", 18),
        ("2", "Tiến độ, kết quả giải quyết", 20),
        ("3", "Cung cấp dịch vụ trực tuyến", 22),
        ("4", "Số hóa hồ sơ", 22),
        ("5", "Mức độ hài lòng", 18),
    ]
    assert rules.max_points == 100
    for group in rules.groups:
        assert sum(i.max_points for i in group.indicators) == group.max_points


def test_the_dossier_data_feeds_exactly_the_supported_indicators(rules):
    measured = {i.id: i.measure for i in rules.indicators if i.measure}
    assert measured == {
        "2.1": "on_time_766",
        "3.1": "online_procedures",
        "3.3": "online_dossiers",
        "3.6": "paid_online",
        "4.2": "digitized",
        "5.4": "satisfaction_overdue",
    }
    assert all(i.measure is None for i in rules.groups[0].indicators)
    assert rules.indicator("2.1").max_points == 20 and rules.indicator("2.1").threshold == 100
    assert rules.indicator("3.3").threshold == 50
    assert rules.indicator("4.2").threshold == 80
    assert rules.indicator("5.4").max_points == 6 and rules.indicator("5.4").threshold == 90


@pytest.mark.parametrize(
    ("max_points", "threshold", "rate_", "expected"),
    [
        (D(6), D(50), D(25), D("3.00")),  # half the threshold: half the points
        (D(6), D(50), D(50), D("6.00")),  # at the threshold: full
        (D(6), D(50), D(73), D("6.00")),  # above: still full, never more
        (D(8), D(80), D("61.5"), D("6.15")),  # 8 × 61.5 / 80
        (D(20), D(100), D("97.33"), D("19.47")),  # 19.466 rounds half-up to 19.47
        (D(6), D(90), D(0), D("0.00")),
    ],
)
def test_points_are_linear_below_the_threshold(max_points, threshold, rate_, expected):
    assert indicator_points(max_points, threshold, rate_) == expected


def test_a_rate_outside_0_to_100_is_refused():
    with pytest.raises(ValueError, match="out of range"):
        indicator_points(D(6), D(50), D("100.01"))
    with pytest.raises(ValueError, match="out of range"):
        indicator_points(D(6), D(50), D(-1))


def test_hand_worked_unit_month(rules):
    """A commune in one month: 200 dossiers resolved (150 early, 40 on time, 10 late), 50 in
    progress of which 5 overdue; 240 received, 120 online, 180 digitised; 60 dossiers of
    fee-charging procedures, 30 paid online; it handles 40 procedures, 30 offered online.

    2.1: (150 + 40 + 45) / 250 = 94.00% → 20 × 0.94 = 18.80
    3.1: 30 / 40 = 75.00% → 5 × 75/80 = 4.6875 → 4.69
    3.3: 120 / 240 = 50.00% → full 6.00
    3.6: 30 / 60 = 50.00% → 4 × 50/80 = 2.50
    4.2: 180 / 240 = 75.00% → 8 × 75/80 = 7.50
    5.4: 100 − (10 + 5) / 250 = 94.00% ≥ 90 → full 6.00
    groups: 1 not measured; 2 = 18.80/20; 3 = 13.19/15; 4 = 7.50/8; 5 = 6.00/6
    total 45.49 over a measured 49 → 92.84% of what could be measured.
    """
    counts = Counts(
        resolved=200,
        resolved_early=150,
        resolved_on_time=40,
        resolved_late=10,
        in_progress=50,
        in_progress_overdue=5,
        received=240,
        received_online=120,
        digitized=180,
        paid_online=30,
        fee_received=60,
        procedures_handled=40,
        procedures_online=30,
    )
    assert measures_from_counts(counts) == {
        "on_time_766": D("94.00"),
        "satisfaction_overdue": D("94.00"),
        "online_dossiers": D("50.00"),
        "digitized": D("75.00"),
        "paid_online": D("50.00"),
        "online_procedures": D("75.00"),
    }
    result = score_counts(counts, rules)
    points = {s.rule.id: s.points for g in result.groups for s in g.indicators}
    assert points["2.1"] == D("18.80")
    assert points["3.1"] == D("4.69")
    assert points["3.3"] == D("6.00")
    assert points["3.6"] == D("2.50")
    assert points["4.2"] == D("7.50")
    assert points["5.4"] == D("6.00")
    assert [points[i] for i in ("1.1", "1.2", "1.3", "1.4", "3.2", "3.5", "4.1", "5.1", "5.3")] == [None] * 9
    groups = {g.rule.id: (g.points, g.measured_max, g.measured) for g in result.groups}
    assert groups == {
        "1": (0, 0, False),
        "2": (D("18.80"), 20, True),
        "3": (D("13.19"), 15, True),
        "4": (D("7.50"), 8, True),
        "5": (D("6.00"), 6, True),
    }
    assert result.total == D("45.49")
    assert result.measured_max == 49
    assert result.max_points == 100
    assert result.percent_of_measured == D("92.84")
    assert result.group("2").fully_measured and not result.group("3").fully_measured


def test_no_dossiers_means_nothing_is_measured(rules):
    """A unit with no dossier in the period and no catalogue: every indicator is "not measured"
    (766: a zero denominator shows N/A), never a zero score."""
    result = score_counts(Counts(), rules)
    assert all(not g.measured for g in result.groups)
    assert result.total == 0 and result.measured_max == 0
    assert result.percent_of_measured is None


def test_overdue_dossiers_lower_both_2_1_and_5_4(rules):
    """40 resolved (30 on time, 10 late) and 10 in progress all overdue: 30/50 = 60% within
    time → 2.1 = 12.00; 5.4 = 100 − 40 = 60% → 6 × 60/90 = 4.00. Without a catalogue and fee
    data 3.1 and 3.6 stay unmeasured while 3.3 (no online dossier: 0%) scores 0."""
    counts = Counts(
        resolved=40,
        resolved_on_time=30,
        resolved_late=10,
        in_progress=10,
        in_progress_overdue=10,
        received=50,
        received_online=0,
        digitized=50,
    )
    result = score_counts(counts, rules)
    g3 = result.group("3")
    assert result.group("2").points == D("12.00")
    assert result.group("5").points == D("4.00")
    assert [(s.rule.id, s.points) for s in g3.indicators if s.measured] == [("3.3", D("0.00"))]
    assert g3.measured_max == 6
    assert result.group("4").points == D("8.00")


def test_score_refuses_unknown_indicators(rules):
    with pytest.raises(KeyError, match="9.9"):
        score(rules, {"9.9": D(50)})


def test_rate_rounds_half_up_and_is_none_without_denominator():
    assert rate(2, 3) == D("66.67")
    assert rate(1, 8) == D("12.50")
    assert rate(0, 0) is None


def _rules(**overrides):
    ind = {"id": "1.1", "name": "x", "max": 5, "threshold": 80, "measure": None}
    ind.update(overrides)
    return {"groups": [{"id": "1", "name": "g", "max": 5, "indicators": [ind]}]}


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"max": 4}, "add up to 4"),
        ({"threshold": 0}, "threshold"),
        ({"threshold": 120}, "threshold"),
        ({"measure": "guessed"}, "unknown measure"),
        ({"max": "many"}, "not a number"),
    ],
)
def test_inconsistent_rules_are_refused(overrides, message):
    with pytest.raises(RulesError, match=message):
        parse_rules(_rules(**overrides))


def test_duplicate_indicator_ids_are_refused():
    data = _rules()
    data["groups"].append(dict(data["groups"][0], id="2"))
    with pytest.raises(RulesError, match="duplicate"):
        parse_rules(data)


rates = st.one_of(st.none(), st.decimals(min_value=0, max_value=100, places=2))


@given(st.dictionaries(st.sampled_from([i.id for i in load_rules().indicators]), rates))
def test_points_never_exceed_what_was_measured(measured):
    rules = load_rules()
    result = score(rules, measured)
    assert 0 <= result.total <= result.measured_max <= result.max_points
    for group in result.groups:
        assert 0 <= group.points <= group.measured_max <= group.rule.max_points
        for item in group.indicators:
            assert item.measured == (measured.get(item.rule.id) is not None)


@given(
    st.decimals(min_value=0, max_value=100, places=2),
    st.decimals(min_value=0, max_value=100, places=2),
)
def test_points_grow_with_the_rate(a, b):
    rule = load_rules().indicator("4.2")
    lo, hi = sorted((a, b))
    assert indicator_points(rule.max_points, rule.threshold, lo) <= indicator_points(
        rule.max_points, rule.threshold, hi
    )
