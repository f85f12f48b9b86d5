"""Hypothesis properties of the calendar (the shipped calendar, no database)."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from cchc.workdays.calendar import VN_TZ
from tests.workdays.conftest import shipped_calendar

NEXT_DAY = shipped_calendar()
SAME_DAY = shipped_calendar(clock_starts_next_day=False)
CUTOFF = shipped_calendar(cutoff=time(16, 0))

days = st.dates(min_value=date(2019, 1, 1), max_value=date(2027, 12, 31))
moments = st.datetimes(min_value=datetime(2019, 1, 1), max_value=datetime(2027, 12, 31)).map(
    lambda m: m.replace(tzinfo=VN_TZ)
)
limits = st.integers(min_value=0, max_value=400)
calendars = st.sampled_from([NEXT_DAY, SAME_DAY, CUTOFF])


@given(calendars, st.one_of(days, moments), limits)
def test_adding_then_counting_working_days_round_trips(cal, start, n):
    due = cal.add_working_days(start, n)
    received = cal.received_day(start)
    if cal.clock_starts_next_day:
        assert cal.count_working_days(received + timedelta(days=1), due) == n
    else:
        assert cal.count_working_days(received, due) == max(n, 1)


@given(calendars, st.one_of(days, moments), limits)
def test_a_due_date_is_never_a_non_working_day(cal, start, n):
    due = cal.add_working_days(start, n)
    assert cal.is_working_day(due)
    assert cal.is_working_day(cal.due_at(start if isinstance(start, datetime) else _noon(start), days=n))


@given(calendars, moments, st.decimals(min_value=0, max_value=500, places=2))
def test_an_hours_limit_ends_inside_working_hours_of_a_working_day(cal, start, hours):
    due = cal.due_at(start, hours=hours)
    assert cal.is_working_day(due.date())
    assert cal.work_start <= due.time() <= cal.work_end
    assert due >= start


@given(moments, st.decimals(min_value=0, max_value=200, places=2))
def test_working_time_between_receipt_and_an_hours_due_moment_is_the_limit(start, hours):
    cal = NEXT_DAY
    due = cal.due_at(start, hours=hours)
    elapsed = cal.working_time_between(start, due) * Decimal("9.5")
    assert abs(elapsed - hours) <= Decimal("0.01")


@given(days, days, days)
def test_count_is_additive_over_adjacent_intervals(a, b, c):
    a, b, c = sorted([a, b, c])
    assert NEXT_DAY.count_working_days(a, b) + NEXT_DAY.count_working_days(
        b + timedelta(days=1), c
    ) == NEXT_DAY.count_working_days(a, c)


@settings(max_examples=50)
@given(days, st.integers(min_value=0, max_value=60))
def test_count_agrees_with_day_by_day_checks(a, length):
    b = a + timedelta(days=length)
    expected = sum(NEXT_DAY.is_working_day(a + timedelta(days=i)) for i in range(length + 1))
    assert NEXT_DAY.count_working_days(a, b) == expected


@given(moments, limits)
def test_the_cutoff_never_makes_a_due_date_earlier(start, n):
    assert CUTOFF.add_working_days(start, n) >= NEXT_DAY.add_working_days(start, n)


@given(st.one_of(days, moments), limits)
def test_more_days_never_come_due_earlier(start, n):
    assert NEXT_DAY.add_working_days(start, n + 1) > NEXT_DAY.add_working_days(start, n)


def _noon(day: date) -> datetime:
    return datetime.combine(day, time(12, 0), tzinfo=VN_TZ)
