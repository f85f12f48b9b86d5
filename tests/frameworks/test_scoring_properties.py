"""Properties of every scoring rule: 0 ≤ points ≤ max, and monotonic in the indicator value
(non-increasing for deductions); plus worked examples written by hand."""

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from cchc.frameworks.scoring import indicator_points, manual_score_error, validate_rule

maxima = st.decimals(min_value=Decimal("0.25"), max_value=Decimal(40), places=2)
values = st.decimals(min_value=Decimal(-50), max_value=Decimal(500), places=2)


@st.composite
def threshold_rules(draw):
    max_points = draw(maxima)
    mins = sorted(
        draw(
            st.lists(st.decimals(min_value=0, max_value=100, places=2), min_size=1, max_size=5, unique=True)
        ),
        reverse=True,
    )
    points = sorted(
        draw(
            st.lists(
                st.decimals(min_value=0, max_value=max_points, places=2),
                min_size=len(mins),
                max_size=len(mins),
            )
        ),
        reverse=True,
    )
    return max_points, {
        "type": "thresholds",
        "indicator": "x",
        "steps": [{"min": m, "points": p} for m, p in zip(mins, points, strict=True)],
    }


@given(threshold_rules(), values, values)
def test_thresholds_stay_in_range_and_are_monotonic(rule_spec, a, b):
    max_points, rule = rule_spec
    assert validate_rule(rule, max_points) == []
    low, high = sorted([a, b])
    p_low, p_high = indicator_points(rule, max_points, low), indicator_points(rule, max_points, high)
    assert Decimal(0) <= p_low <= p_high <= max_points


@given(maxima, st.decimals(min_value=Decimal("0.01"), max_value=Decimal(200), places=2), values, values)
def test_proportional_in_range_and_monotonic(max_points, full_at, a, b):
    rule = {"type": "proportional", "indicator": "x", "full_at": full_at}
    low, high = sorted([a, b])
    assert (
        Decimal(0)
        <= indicator_points(rule, max_points, low)
        <= indicator_points(rule, max_points, high)
        <= max_points
    )


@given(
    maxima,
    st.decimals(min_value=Decimal("0.01"), max_value=Decimal(5), places=2),
    st.integers(0, 100),
    st.integers(0, 100),
)
def test_deduction_in_range_and_non_increasing(max_points, per_event, a, b):
    rule = {"type": "deduction", "indicator": "x", "per_event": per_event}
    low, high = sorted([a, b])
    assert (
        max_points
        >= indicator_points(rule, max_points, Decimal(low))
        >= indicator_points(rule, max_points, Decimal(high))
        >= 0
    )


@given(maxima, values, values)
def test_survey_in_range_and_monotonic(max_points, a, b):
    rule = {"type": "survey", "indicator": "x"}
    low, high = sorted([a, b])
    assert (
        Decimal(0)
        <= indicator_points(rule, max_points, low)
        <= indicator_points(rule, max_points, high)
        <= max_points
    )


@given(maxima, st.integers(0, 400))
def test_manual_accepts_exactly_the_quarter_steps_within_range(max_points, quarters):
    score = Decimal(quarters) / 4
    error = manual_score_error({"type": "manual"}, max_points, score)
    assert (error is None) == (score <= max_points and (score % Decimal("0.25") == 0 or score == max_points))


@given(maxima, st.decimals(min_value=0, max_value=50, places=2))
def test_yes_no_accepts_only_zero_or_max(max_points, score):
    assert (manual_score_error({"type": "yes_no"}, max_points, score) is None) == (score in (0, max_points))


def test_worked_examples():
    steps = {
        "type": "thresholds",
        "indicator": "dossiers.on_time_rate",
        "steps": [{"min": 98, "points": 2}, {"min": 95, "points": 1}, {"min": 0, "points": 0}],
    }
    assert indicator_points(steps, Decimal(2), Decimal("98.69")) == Decimal(2)
    assert indicator_points(steps, Decimal(2), Decimal("97.99")) == Decimal(1)
    assert indicator_points(steps, Decimal(2), Decimal("94")) == Decimal(0)
    assert indicator_points(
        {"type": "proportional", "indicator": "x", "full_at": 50}, Decimal(2), Decimal("35.8")
    ) == Decimal("1.43")
    assert indicator_points(
        {"type": "deduction", "indicator": "x", "per_event": "0.25"}, Decimal(1), Decimal(3)
    ) == Decimal("0.25")
    assert indicator_points({"type": "survey", "indicator": "x"}, Decimal(32), Decimal("83.93")) == Decimal(
        "26.86"
    )
    assert manual_score_error({"type": "manual", "step": "0.01"}, Decimal(32), Decimal("26.86")) is None
    assert "multiple" in manual_score_error({"type": "manual"}, Decimal(2), Decimal("0.3"))
    assert validate_rule(
        {
            "type": "thresholds",
            "indicator": "x",
            "steps": [{"min": 0, "points": 0}, {"min": 98, "points": 2}],
        },
        Decimal(2),
    )
    assert validate_rule({"type": "bonus"}, Decimal(1)) == [
        "không có cách chấm 'bonus' (chọn một trong: deduction, manual, proportional, survey, thresholds, yes_no)"
    ]
