"""The life-cycle rules (pure functions): effective deadline, early / on time / late, overdue."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cchc.procedures import rules
from cchc.procedures.rules import VN


def t(s: str) -> dt.datetime:
    return dt.datetime.fromisoformat(s).replace(tzinfo=VN)


DUE = rules.end_of_day(dt.date(2021, 3, 5))


def test_a_date_alone_means_the_end_of_that_day():
    assert t("2021-03-05T23:59:59.999999") == DUE


def test_finished_a_day_before_the_deadline_day_is_early():
    assert rules.classify(t("2021-03-04T16:00"), DUE) == rules.EARLY


def test_finished_on_the_deadline_day_is_on_time():
    assert rules.classify(t("2021-03-05T00:00"), DUE) == rules.ON_TIME
    assert rules.classify(t("2021-03-05T23:59"), DUE) == rules.ON_TIME


def test_finished_after_the_deadline_is_late():
    assert rules.classify(t("2021-03-06T00:00"), DUE) == rules.LATE


def test_on_the_deadline_day_but_after_a_deadline_in_hours_is_late():
    assert rules.classify(t("2021-03-05T15:00"), t("2021-03-05T10:00")) == rules.LATE
    assert rules.classify(t("2021-03-05T09:00"), t("2021-03-05T10:00")) == rules.ON_TIME


def test_more_than_one_supplement_request_is_late_even_when_early():
    assert rules.classify(t("2021-03-02T09:00"), DUE, supplement_count=2) == rules.LATE
    assert rules.classify(t("2021-03-02T09:00"), DUE, supplement_count=1) == rules.EARLY


def test_supplement_time_moves_the_deadline():
    deadline = rules.effective_deadline(DUE, t("2021-03-02T09:00"), t("2021-03-04T09:00"))
    assert deadline == DUE + dt.timedelta(days=2)
    # finished two days after the due date: on time thanks to the pause
    outcome = rules.resolved_outcome(
        t("2021-03-07T10:00"), DUE, t("2021-03-02T09:00"), t("2021-03-04T09:00"), 1
    )
    assert outcome == rules.ON_TIME


def test_a_pending_supplement_stops_the_clock():
    assert rules.effective_deadline(DUE, t("2021-03-02T09:00"), None) is None
    seen = rules.effective_deadline(DUE, t("2021-03-02T09:00"), None, as_of=t("2021-03-10T00:00"))
    assert seen == DUE + (t("2021-03-10T00:00") - t("2021-03-02T09:00"))
    # waiting for the citizen, not overdue; requested after the due date, overdue
    assert not rules.is_overdue(t("2021-03-10T00:00"), DUE, t("2021-03-02T09:00"), None, 1)
    assert rules.is_overdue(t("2021-03-10T00:00"), DUE, t("2021-03-06T09:00"), None, 1)


def test_a_supplement_after_the_moment_has_not_happened_yet():
    assert rules.effective_deadline(DUE, t("2021-03-12T09:00"), None, as_of=t("2021-03-10T00:00")) == DUE
    assert rules.is_overdue(t("2021-03-10T00:00"), DUE, t("2021-03-12T09:00"), None, 1)


def test_overdue_and_open():
    assert rules.is_overdue(t("2021-03-06T00:00"), DUE, None, None, 0)
    assert not rules.is_overdue(t("2021-03-05T12:00"), DUE, None, None, 0)
    # more than one supplement request makes a resolved dossier late, not an open one overdue
    assert not rules.is_overdue(t("2021-03-01T12:00"), DUE, None, None, 2)
    assert rules.is_overdue(t("2021-03-06T00:00"), DUE, None, None, 2)
    assert rules.is_open_at(t("2021-03-01T09:00"), None, t("2021-03-02T00:00"))
    assert rules.is_open_at(t("2021-03-01T09:00"), t("2021-03-02T00:00"), t("2021-03-02T00:00"))
    assert not rules.is_open_at(t("2021-03-01T09:00"), t("2021-03-01T23:00"), t("2021-03-02T00:00"))


def test_consistency_checks_name_the_column():
    problems = rules.check_consistency(
        status="resolved",
        received_at=t("2021-03-02T09:00"),
        finished_at=None,
        returned_at=None,
        supplement_requested_at=None,
        supplement_received_at=t("2021-03-03T09:00"),
        supplement_count=0,
    )
    assert {p.column for p in problems} == {"finished_at", "supplement_received_at"}
    assert (
        rules.check_consistency(
            status="in_progress",
            received_at=t("2021-03-02T09:00"),
            finished_at=None,
            returned_at=None,
            supplement_requested_at=None,
            supplement_received_at=None,
            supplement_count=0,
        )
        == []
    )


@pytest.mark.parametrize(
    ("raw", "mode"), [("4", "full"), ("3", "partial"), ("2", "none"), ("full", "full"), ("none", "none")]
)
def test_legacy_online_levels_map_approximately(raw, mode):
    assert rules.map_online_mode(raw) == mode


def test_an_unknown_online_mode_is_refused():
    with pytest.raises(ValueError, match="not one of"):
        rules.map_online_mode("5")


moments = st.datetimes(min_value=dt.datetime(2020, 1, 1), max_value=dt.datetime(2026, 12, 31)).map(
    lambda d: d.replace(tzinfo=VN)
)


@given(finished=moments, due=moments, count=st.integers(0, 3))
def test_exactly_one_outcome_and_it_agrees_with_the_deadline(finished, due, count):
    outcome = rules.classify(finished, due, count)
    if count > 1 or finished > due:
        assert outcome == rules.LATE
    elif finished.date() < due.date():
        assert outcome == rules.EARLY
    else:
        assert outcome == rules.ON_TIME


@given(
    due=moments, req=moments, pause=st.timedeltas(min_value=dt.timedelta(0), max_value=dt.timedelta(days=60))
)
def test_a_supplement_never_makes_the_deadline_earlier(due, req, pause):
    deadline = rules.effective_deadline(due, req, req + pause)
    assert deadline == due + pause
    assert deadline >= due
