"""Ranking and classification on plain values: no database, no framework, the numbers a
conference reads (1, 2, 2, 4; a band refused by its field condition)."""

from decimal import Decimal as D

import pytest

from cchc.assessments.results import FieldResult, classify, competition_ranks
from cchc.frameworks.tree import BandSpec

BANDS = [
    BandSpec("xuat_sac", "Xuất sắc", D("90"), D("0.8"), "#1b7f3b"),
    BandSpec("tot", "Tốt", D("80"), None, "#4c9a2a"),
    BandSpec("kha", "Khá", D("70"), None, "#e0a800"),
    BandSpec("trung_binh", "Trung bình", D("50"), None, "#e07b00"),
]


def fields(*pairs):
    return [FieldResult(i, str(i), str(i), D(a), D(m)) for i, (a, m) in enumerate(pairs, start=1)]


def test_equal_indices_share_a_rank_and_the_next_rank_skips():
    ranks = competition_ranks([("A", D("89.34")), ("B", D("91")), ("C", D("89.34")), ("D", D("70.5"))])
    assert ranks == {"B": 1, "A": 2, "C": 2, "D": 4}


def test_indices_are_compared_to_two_decimals():
    ranks = competition_ranks([("A", D("89.344")), ("B", D("89.336")), ("C", D("89.355"))])
    assert ranks == {"C": 1, "A": 2, "B": 2}  # 89,36 — 89,34 — 89,34


def test_units_without_an_index_are_not_ranked():
    assert competition_ranks([("A", None), ("B", D("50"))]) == {"B": 1}
    assert competition_ranks([]) == {}


@pytest.mark.parametrize(
    ("index", "field_pairs", "expected"),
    [
        (D("95"), [("9", "10"), ("18", "20")], "xuat_sac"),
        # 95 points but one field at 7/10 < 80 %: not excellent, the next band whose minimum holds
        (D("95"), [("7", "10"), ("20", "20")], "tot"),
        (D("90"), [("8", "10")], "xuat_sac"),  # the minimum and the ratio are reached exactly
        (D("89.99"), [("10", "10")], "tot"),
        (D("70"), [], "kha"),
        (D("49.99"), [], None),  # below every band
        (None, [], None),  # no index, no class
    ],
)
def test_the_highest_band_whose_minimum_and_field_condition_hold(index, field_pairs, expected):
    band = classify(index, fields(*field_pairs), BANDS)
    assert (band.code if band else None) == expected


def test_a_field_without_applicable_points_does_not_block_a_band():
    assert classify(D("92"), fields(("0", "0"), ("10", "10")), BANDS).code == "xuat_sac"
