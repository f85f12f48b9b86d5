"""The calendar's rules with plain values (no database): when the clock starts, the cut-off,
hours-based limits, working time between two moments."""

from datetime import UTC, date, datetime, time
from decimal import Decimal

import pytest

from cchc.workdays.calendar import VN_TZ, WorkCalendar
from tests.workdays.conftest import shipped_calendar

END = time(23, 59, 59, 999999)


def at(y, m, d, hh=0, mm=0, ss=0):
    return datetime(y, m, d, hh, mm, ss, tzinfo=VN_TZ)


def test_weekends_only_without_a_statutory_calendar():
    plain = WorkCalendar()
    assert plain.is_working_day(date(2024, 4, 30))  # a Tuesday: no holidays known
    assert not plain.is_working_day(date(2024, 5, 4))
    assert plain.count_working_days(date(2024, 5, 6), date(2024, 5, 12)) == 5


def test_an_override_wins_over_the_statutory_calendar():
    cal = shipped_calendar()
    assert not cal.is_working_day(date(2024, 4, 30))
    overridden = WorkCalendar(
        base=cal.base, working_days={date(2024, 4, 30): "x"}, days_off={date(2024, 5, 2): "y"}
    )
    assert overridden.is_working_day(date(2024, 4, 30))
    assert not overridden.is_working_day(date(2024, 5, 2))
    assert overridden.reason(date(2024, 5, 2)) == "y"


def test_a_date_cannot_be_both_off_and_worked():
    with pytest.raises(ValueError, match="both off and working"):
        WorkCalendar(days_off={date(2024, 1, 2): "a"}, working_days={date(2024, 1, 2): "b"})


def test_next_working_day_is_strictly_after(vn):
    assert vn.next_working_day(date(2024, 5, 6)) == date(2024, 5, 7)
    assert vn.next_working_day(date(2024, 4, 26)) == date(2024, 5, 2)
    assert vn.next_working_day(date(2024, 12, 31)) == date(2025, 1, 2)


def test_the_clock_starts_the_working_day_after_receipt_by_default(vn):
    # Mon 6/5/2024 + 1 working day: Tue 7/5.
    assert vn.add_working_days(at(2024, 5, 6, 9), 1) == date(2024, 5, 7)
    assert vn.add_working_days(date(2024, 5, 6), 0) == date(2024, 5, 6)


def test_the_clock_may_start_on_the_receipt_day():
    same_day = shipped_calendar(clock_starts_next_day=False)
    assert same_day.add_working_days(at(2024, 5, 6, 9), 1) == date(2024, 5, 6)
    assert same_day.add_working_days(at(2024, 5, 6, 9), 3) == date(2024, 5, 8)


def test_a_receipt_on_a_non_working_day_counts_from_the_next_working_day(vn):
    # Sunday 5/5/2024 counts as received on Mon 6/5; day 1 is Tue 7/5.
    assert vn.received_day(at(2024, 5, 5, 10)) == date(2024, 5, 6)
    assert vn.add_working_days(at(2024, 5, 5, 10), 1) == date(2024, 5, 7)
    # Sat 4/5/2024 is a swapped working day: received that day.
    assert vn.add_working_days(at(2024, 5, 4, 10), 1) == date(2024, 5, 6)


def test_the_afternoon_cutoff_moves_receipt_to_the_next_working_day():
    cal = shipped_calendar(cutoff=time(16, 0))
    assert cal.add_working_days(at(2025, 4, 25, 15, 59), 1) == date(2025, 4, 26)
    assert cal.add_working_days(at(2025, 4, 25, 16, 0), 1) == date(2025, 4, 26)  # not after 16:00
    # After 16:00 on Fri 25/4/2025: received Sat 26/4 (worked), day 1 = Mon 28/4.
    assert cal.add_working_days(at(2025, 4, 25, 16, 1), 1) == date(2025, 4, 28)
    # A date alone carries no time of day: no cut-off.
    assert cal.add_working_days(date(2025, 4, 25), 1) == date(2025, 4, 26)


def test_the_cutoff_is_off_by_default(vn):
    assert vn.cutoff is None
    assert vn.add_working_days(at(2025, 4, 25, 16, 59), 1) == date(2025, 4, 26)


def test_naive_and_utc_moments_are_read_in_vietnam_time(vn):
    cal = shipped_calendar(cutoff=time(16, 0))
    # 09:30 UTC = 16:30 in Hà Nội: after the cut-off.
    utc = datetime(2024, 5, 6, 9, 30, tzinfo=UTC)
    assert cal.add_working_days(utc, 1) == date(2024, 5, 8)
    assert cal.add_working_days(datetime(2024, 5, 6, 16, 30), 1) == date(2024, 5, 8)
    # 20:00 UTC on Sun 5/5 is 03:00 on Mon 6/5 in Vietnam.
    assert vn.received_day(datetime(2024, 5, 5, 20, 0, tzinfo=UTC)) == date(2024, 5, 6)


def test_days_must_be_whole_and_not_negative(vn):
    with pytest.raises(ValueError):
        vn.add_working_days(date(2024, 5, 6), -1)
    with pytest.raises(ValueError):
        vn.add_working_days(date(2024, 5, 6), Decimal("1.5"))
    with pytest.raises(TypeError):
        vn.add_working_days(date(2024, 5, 6), "3")
    assert vn.add_working_days(date(2024, 5, 6), Decimal(2)) == date(2024, 5, 8)


def test_due_at_for_days_is_the_end_of_the_due_day_in_vietnam(vn):
    due = vn.due_at(at(2024, 4, 26, 16), days=3)
    assert due == datetime.combine(date(2024, 5, 4), END, tzinfo=VN_TZ)
    assert due.utcoffset().total_seconds() == 7 * 3600


@pytest.mark.parametrize(
    ("received", "hours", "due"),
    [
        # Within one day.
        (at(2024, 5, 6, 8), 2, at(2024, 5, 6, 10)),
        # Ends exactly at the end of the working day, not the next morning.
        (at(2024, 5, 6, 15), 2, at(2024, 5, 6, 17)),
        # Before opening: the clock starts at 07:30.
        (at(2024, 5, 6, 6), 2, at(2024, 5, 6, 9, 30)),
        # After closing: the next working day at 07:30.
        (at(2024, 5, 6, 18), 1, at(2024, 5, 7, 8, 30)),
        # On a Sunday: Monday 07:30.
        (at(2024, 5, 5, 10), 1, at(2024, 5, 6, 8, 30)),
        # Across the 2024 long weekend: 1 h on Fri 26/4, 3 h on Thu 2/5.
        (at(2024, 4, 26, 16), 4, at(2024, 5, 2, 10, 30)),
        # 24 working hours from Fri 25/4/2025 12:00: 5 h Fri, 9.5 h Sat 26/4 (worked),
        # 9.5 h Mon 28/4 → ends at 17:00 on Mon 28/4.
        (at(2025, 4, 25, 12), 24, at(2025, 4, 28, 17)),
        # Fractions of an hour.
        (at(2024, 5, 6, 8), Decimal("0.25"), at(2024, 5, 6, 8, 15)),
    ],
)
def test_hours_are_working_hours(vn, received, hours, due):
    assert vn.due_at(received, hours=hours) == due


def test_the_cutoff_applies_to_hours_too():
    cal = shipped_calendar(cutoff=time(16, 0))
    assert cal.due_at(at(2024, 5, 6, 16, 30), hours=1) == at(2024, 5, 7, 8, 30)


def test_fractional_days_are_working_hours(vn):
    # Half a 9.5-hour working day = 4 h 45 min.
    assert vn.due_at(at(2024, 5, 6, 8), days=Decimal("0.5")) == at(2024, 5, 6, 12, 45)


def test_due_at_needs_exactly_one_limit(vn):
    with pytest.raises(ValueError):
        vn.due_at(at(2024, 5, 6, 8))
    with pytest.raises(ValueError):
        vn.due_at(at(2024, 5, 6, 8), days=1, hours=1)
    with pytest.raises(ValueError):
        vn.due_at(at(2024, 5, 6, 8), hours=-1)


def test_custom_working_hours():
    cal = shipped_calendar(work_start=time(8, 0), work_end=time(16, 0))
    assert cal.due_at(at(2024, 5, 6, 15), hours=2) == at(2024, 5, 7, 9)
    with pytest.raises(ValueError):
        WorkCalendar(work_start=time(17, 0), work_end=time(8, 0))


@pytest.mark.parametrize(
    ("start", "end", "working_days"),
    [
        (at(2024, 5, 6, 7, 30), at(2024, 5, 6, 17), Decimal("1.0000")),
        (at(2024, 5, 6, 8), at(2024, 5, 7, 8), Decimal("1.0000")),
        # Fri 26/4 08:00 → Mon 6/5 08:00: 9 h + 2/5, 3/5, 4/5 + 0.5 h.
        (at(2024, 4, 26, 8), at(2024, 5, 6, 8), Decimal("4.0000")),
        # Over a weekend only.
        (at(2024, 5, 11, 8), at(2024, 5, 12, 20), Decimal("0.0000")),
        # Two hours and 22.5 minutes = a quarter of a working day.
        (at(2024, 5, 6, 9), at(2024, 5, 6, 11, 22, 30), Decimal("0.2500")),
    ],
)
def test_working_time_between_two_moments(vn, start, end, working_days):
    assert vn.working_time_between(start, end) == working_days


def test_working_time_is_negative_backwards(vn):
    assert vn.working_time_between(at(2024, 5, 7, 8), at(2024, 5, 6, 8)) == Decimal("-1.0000")


def test_count_is_zero_for_an_empty_interval(vn):
    assert vn.count_working_days(date(2024, 5, 7), date(2024, 5, 6)) == 0
    assert vn.count_working_days(date(2024, 5, 6), date(2024, 5, 6)) == 1
    assert vn.count_working_days(at(2024, 5, 6, 23), at(2024, 5, 7, 1)) == 2


def test_long_intervals_span_many_years(vn):
    total = vn.count_working_days(date(2000, 1, 1), date(2049, 12, 31))
    by_year = sum(vn.count_working_days(date(y, 1, 1), date(y, 12, 31)) for y in range(2000, 2050))
    assert total == by_year
    assert vn.add_working_days(date(2024, 1, 2), 5000) > date(2043, 1, 1)


def test_working_days_between_lists_what_is_working_day_says(vn):
    from datetime import timedelta

    first, last = date(2024, 12, 20), date(2025, 2, 10)  # across New Year and Tết 2025
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    listed = vn.working_days_between(first, last)
    assert listed == [d for d in days if vn.is_working_day(d)]
    assert date(2025, 1, 29) not in listed and date(2025, 2, 3) in listed  # Tết off; back to work
    assert len(listed) == vn.count_working_days(first, last)
    assert vn.working_days_between(last, first) == []
