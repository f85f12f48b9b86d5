"""The official formulas, each against a worked example computed by hand, plus properties."""

from decimal import Decimal

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from cchc.surveys import sipas
from cchc.surveys.sipas import Share


def test_satisfied_share_counts_levels_4_and_5_of_valid_answers_only():
    # 3 × "1", 2 × "3", 10 × "4", 5 × "5", and 7 "không áp dụng" (None) that never count:
    # satisfied = 10 + 5 = 15, valid = 3 + 2 + 10 + 5 = 20 → 75%.
    share = sipas.satisfied_share({1: 3, 3: 2, 4: 10, 5: 5, None: 7})
    assert (share.satisfied, share.valid) == (15, 20)
    assert share.percent == Decimal(75)


def test_share_without_valid_answers_is_undefined():
    assert sipas.satisfied_share({None: 4}).percent is None


def test_aspect_index_is_the_mean_of_its_criterion_shares():
    # criteria 15/20 = 75%, 9/10 = 90%, 3/4 = 75% → (75 + 90 + 75) / 3 = 80%
    # (the pooled share would be 27/34 = 79.41%: the method averages shares, not answers).
    shares = [Share(15, 20), Share(9, 10), Share(3, 4)]
    assert sipas.aspect_index(shares) == Decimal(80)
    assert sipas.round2(sipas.pooled_share(shares).percent) == Decimal("79.41")


def test_criterion_without_valid_answers_is_left_out_of_the_mean():
    assert sipas.aspect_index([Share(1, 2), Share(0, 0)]) == Decimal(50)


def test_overall_index_methods_on_one_worked_example():
    # aspect A: 8/10 = 80%, 6/10 = 60% → 70%;  aspect B: 45/50 = 90% → 90%.
    by_aspect = {"A": [Share(8, 10), Share(6, 10)], "B": [Share(45, 50)]}
    # mean of aspects: (70 + 90) / 2 = 80
    assert sipas.overall_index(by_aspect) == Decimal(80)
    # mean of criteria: (80 + 60 + 90) / 3 = 76.666…
    assert sipas.round2(sipas.overall_index(by_aspect, "mean_of_criteria")) == Decimal("76.67")
    # pooled: (8 + 6 + 45) / (10 + 10 + 50) = 59/70 = 84.2857…
    assert sipas.round2(sipas.overall_index(by_aspect, "pooled")) == Decimal("84.29")
    with pytest.raises(ValueError, match="unknown index method"):
        sipas.overall_index(by_aspect, "median")


def test_wilson_interval_worked_example():
    # p = 8/10, n = 10, z = 1.96: centre = (0.8 + 0.19208) / 1.38416 = 0.71674,
    # half = 1.96 × √(0.016 + 0.0096040) / 1.38416 = 0.22664 → [49.02%, 94.33%].
    low, high = sipas.wilson_interval(8, 10)
    assert sipas.round2(low) == Decimal("49.02")
    assert sipas.round2(high) == Decimal("94.33")


def test_wilson_interval_at_the_edges_stays_within_0_and_100():
    low, high = sipas.wilson_interval(10, 10)
    assert sipas.round2(high) == Decimal("100.00")
    assert sipas.round2(low) == Decimal("72.25")  # 1 / (1 + 1.96²/10) = 0.72246
    assert sipas.wilson_interval(0, 0) is None


def test_interval_of_a_mean_of_shares_worked_example():
    # Two criteria, weights ½ each: p₁ = 0.8 (n = 100), p₂ = 0.6 (n = 100); estimate 0.7;
    # variance = ¼·0.0016 + ¼·0.0024 = 0.001 → half-width 1.96 × 0.031623 = 0.061981
    # → [63.80%, 76.20%].
    low, high = sipas.weighted_mean_interval([(0.5, Share(80, 100)), (0.5, Share(60, 100))])
    assert (sipas.round2(low), sipas.round2(high)) == (Decimal("63.80"), Decimal("76.20"))


def test_index_weights_follow_the_method():
    by_aspect = {"A": [Share(8, 10), Share(6, 10)], "B": [Share(45, 50)], "C": [Share(0, 0)]}
    weights = [w for w, _s in sipas.index_weights(by_aspect, "mean_of_aspects")]
    assert weights == [0.25, 0.25, 0.5]  # aspect C has no valid answer: out
    weights = [w for w, _s in sipas.index_weights(by_aspect, "mean_of_criteria")]
    assert weights == pytest.approx([1 / 3] * 3)
    # the pooled index is one share: its interval is Wilson's
    assert sipas.index_interval(by_aspect, "pooled") == sipas.wilson_interval(59, 70)


def test_expectation_shares_are_shares_of_respondents():
    # 40 respondents; 30 chose "rút ngắn thời gian", 12 "giảm phí", 0 "khác" → 75%, 30%, 0%
    shares = sipas.expectation_shares({"rut_ngan": 30, "giam_phi": 12, "khac": 0}, 40)
    assert shares == {"rut_ngan": Decimal(75), "giam_phi": Decimal(30), "khac": Decimal(0)}
    assert sipas.expectation_shares({"a": 0}, 0) == {"a": None}


def test_below_target_warning():
    assert sipas.below_target(149, 150)
    assert not sipas.below_target(150, 150)
    assert not sipas.below_target(3, 0)  # no target set: no warning


def test_sample_size_guidance():
    assert sipas.sample_size() == 385  # 1.96² × 0.25 / 0.05² = 384.15 → 385
    assert sipas.sample_size(population=1000) == 278  # 384.15 / (1 + 383.15/1000) = 277.7
    assert sipas.sample_size(margin=0.1) == 97


def test_round2_is_half_up():
    assert sipas.round2(Decimal("89.345")) == Decimal("89.35")
    assert sipas.round2(Decimal("94.3")) == Decimal("94.30")


counts = st.dictionaries(st.sampled_from([1, 2, 3, 4, 5, None]), st.integers(0, 500), min_size=1)


@given(counts)
def test_share_is_between_0_and_100_and_ignores_na(level_counts):
    share = sipas.satisfied_share(level_counts)
    with_more_na = sipas.satisfied_share({**level_counts, None: level_counts.get(None, 0) + 17})
    assert with_more_na == share
    if share.valid:
        assert 0 <= share.percent <= 100
        low, high = sipas.wilson_interval(share.satisfied, share.valid)
        assert 0 <= low <= share.percent <= high <= 100


shares = st.builds(lambda valid, sat: Share(min(sat, valid), valid), st.integers(1, 300), st.integers(0, 300))


@given(st.dictionaries(st.sampled_from("ABCDE"), st.lists(shares, min_size=1, max_size=5), min_size=1))
@example(
    {"A": [Share(1, 1)], "B": [Share(1, 1)] * 3}
)  # float weights summing past 1 once gave 100.00000000000003
def test_every_index_lies_between_the_lowest_and_highest_criterion_share(by_aspect):
    percents = [s.percent for ss in by_aspect.values() for s in ss]
    for method in sipas.METHODS:
        index = sipas.overall_index(by_aspect, method)
        assert min(percents) - Decimal("1e-20") <= index <= max(percents) + Decimal("1e-20")
        low, high = sipas.index_interval(by_aspect, method)
        assert 0 <= low <= high <= 100


@given(st.lists(shares, min_size=1, max_size=6))
def test_methods_agree_when_there_is_one_criterion_per_aspect_and_equal_samples(items):
    n = items[0].valid
    same_n = [Share(min(s.satisfied, n), n) for s in items]
    by_aspect = {str(i): [s] for i, s in enumerate(same_n)}
    values = {sipas.round2(sipas.overall_index(by_aspect, m)) for m in sipas.METHODS}
    assert len(values) == 1


def test_means_are_taken_on_exact_values_before_rounding():
    # Six criteria, one per aspect, 240 answers each: 225 + 1 + 226 + 86 + 95 + 132 = 765 satisfied.
    # Every method gives 765 / 1440 = 53.125% exactly → 53.13 (half up). Means of 28-digit
    # decimals (93.75, 0.41666…, 94.1666…) once gave 53.12499… → 53.12.
    by_aspect = {str(i): [Share(n, 240)] for i, n in enumerate([225, 1, 226, 86, 95, 132])}
    for method in sipas.METHODS:
        assert sipas.overall_index(by_aspect, method) == Decimal("53.125")
        assert sipas.round2(sipas.overall_index(by_aspect, method)) == Decimal("53.13")
