"""The calendar's rules with plain values (no database): swapped days, cut-off, hours."""

from datetime import date, datetime, time
from decimal import Decimal

import holidays
import pytest

from cchc.workdays.calendar import VN_TZ, WorkCalendar


@pytest.fixture(scope="module")
def vn():
    return WorkCalendar(base=holidays.country_holidays("VN", language="vi"))


def test_the_swapped_saturday_of_2024_is_worked_and_the_monday_before_is_off(vn):
    assert vn.is_working_day(date(2024, 5, 4))
    assert not vn.is_working_day(date(2024, 4, 29))


def test_a_receipt_before_the_long_weekend_is_due_on_the_swapped_saturday(vn):
    # Fri 26/4/2024: off 27/4–1/5; day 1 = Thu 2/5, day 2 = Fri 3/5, day 3 = Sat 4/5 (worked).
    assert vn.add_working_days(datetime(2024, 4, 26, 10, 0), 3) == date(2024, 5, 4)


def test_hours_run_over_the_holiday_in_working_hours(vn):
    due = vn.due_at(datetime(2024, 4, 26, 16, 0), hours=4)
    assert due == datetime(2024, 5, 2, 10, 30, tzinfo=VN_TZ)


def test_days_due_at_the_end_of_the_local_day(vn):
    due = vn.due_at(datetime(2024, 4, 26, 16, 0), days=Decimal(2))
    assert due == datetime.combine(date(2024, 5, 3), time(23, 59, 59, 999999), tzinfo=VN_TZ)
