"""Tết, Giỗ Tổ Hùng Vương, 30/4–1/5 and 2/9 of 2024, 2025 and 2026 with the swapped days, as
announced for civil servants (sources in src/cchc/data/calendar/vn-overrides.yaml)."""

from datetime import date, timedelta

import pytest

from cchc.workdays.calendar import WorkCalendar
from cchc.workdays.services import DEFAULT_OVERRIDES_FILE, parse_overrides, statutory_calendar


def days(first: date, last: date) -> list[date]:
    return [first + timedelta(n) for n in range((last - first).days + 1)]


OFF = {
    # 2024: Tết 8/2–14/2 (CV 8662/VPCP-KGVX); Hùng Kings 18/4; 27/4–1/5 with Mon 29/4 swapped
    # for Sat 4/5 (CV 2450/VPCP-KGVX); National Day 31/8–3/9.
    "tet-2024": days(date(2024, 2, 8), date(2024, 2, 14)),
    "hung-kings-2024": [date(2024, 4, 18)],
    "30-4-2024": days(date(2024, 4, 27), date(2024, 5, 1)),
    "2-9-2024": days(date(2024, 8, 31), date(2024, 9, 3)),
    # 2025: Tết 25/1–2/2; Hùng Kings 7/4; 30/4–4/5 with Fri 2/5 swapped for Sat 26/4; 30/8–2/9.
    "tet-2025": days(date(2025, 1, 25), date(2025, 2, 2)),
    "hung-kings-2025": [date(2025, 4, 7)],
    "30-4-2025": days(date(2025, 4, 30), date(2025, 5, 4)),
    "2-9-2025": days(date(2025, 8, 30), date(2025, 9, 2)),
    # 2026: New Year 1/1–4/1 with Fri 2/1 swapped for Sat 10/1 (CV 12729/VPCP-KGVX); Tết 14/2–22/2;
    # Hùng Kings Sun 26/4 + Mon 27/4; 30/4–3/5; 29/8–2/9 with Mon 31/8 swapped for Sat 22/8;
    # Ngày Văn hóa Việt Nam 24/11.
    "new-year-2026": days(date(2026, 1, 1), date(2026, 1, 4)),
    "tet-2026": days(date(2026, 2, 14), date(2026, 2, 22)),
    "hung-kings-2026": days(date(2026, 4, 25), date(2026, 4, 27)),
    "30-4-2026": days(date(2026, 4, 30), date(2026, 5, 3)),
    "2-9-2026": days(date(2026, 8, 29), date(2026, 9, 2)),
    "culture-day-2026": [date(2026, 11, 24)],
}

WORKED = {
    # The working days on either side of each break, and the swapped Saturdays.
    "tet-2024": [date(2024, 2, 7), date(2024, 2, 15)],
    "30-4-2024": [date(2024, 4, 26), date(2024, 5, 2), date(2024, 5, 4)],
    "2-9-2024": [date(2024, 8, 30), date(2024, 9, 4)],
    "tet-2025": [date(2025, 1, 24), date(2025, 2, 3)],
    "30-4-2025": [date(2025, 4, 26), date(2025, 4, 29), date(2025, 5, 5)],
    "2-9-2025": [date(2025, 8, 29), date(2025, 9, 3)],
    "new-year-2026": [date(2025, 12, 31), date(2026, 1, 5), date(2026, 1, 10)],
    "tet-2026": [date(2026, 2, 13), date(2026, 2, 23)],
    "hung-kings-2026": [date(2026, 4, 24), date(2026, 4, 28), date(2026, 4, 29)],
    "2-9-2026": [date(2026, 8, 22), date(2026, 8, 28), date(2026, 9, 3)],
    "culture-day-2026": [date(2026, 11, 23), date(2026, 11, 25)],
}


@pytest.mark.parametrize("holiday", sorted(OFF))
def test_every_day_of_the_break_is_off(vn, holiday):
    assert [d for d in OFF[holiday] if vn.is_working_day(d)] == []


@pytest.mark.parametrize("holiday", sorted(WORKED))
def test_the_days_around_the_break_and_the_swapped_saturdays_are_worked(vn, holiday):
    assert [d for d in WORKED[holiday] if not vn.is_working_day(d)] == []


@pytest.mark.parametrize(
    ("year", "working_days"),
    [
        # 262 weekdays − 12 weekdays off + Sat 4/5
        (2024, 251),
        # 261 weekdays − 12 weekdays off + Sat 26/4
        (2025, 250),
        # 261 weekdays − 14 weekdays off (incl. 2/1 and 24/11) + Sat 10/1 + Sat 22/8
        (2026, 249),
    ],
)
def test_working_days_in_the_year(vn, year, working_days):
    assert vn.count_working_days(date(year, 1, 1), date(year, 12, 31)) == working_days


@pytest.mark.parametrize(
    ("received", "limit", "due"),
    [
        # Fri 2/2/2024 + 5: 5/2, 6/2, 7/2, (Tết 8/2–14/2), 15/2, 16/2.
        (date(2024, 2, 2), 5, date(2024, 2, 16)),
        # Fri 26/4/2024 + 3: (27/4–1/5 off) 2/5, 3/5, Sat 4/5 (worked).
        (date(2024, 4, 26), 3, date(2024, 5, 4)),
        # Fri 25/4/2025 + 1: Sat 26/4 is worked.
        (date(2025, 4, 25), 1, date(2025, 4, 26)),
        # Tue 29/4/2025 + 1: 30/4–4/5 off.
        (date(2025, 4, 29), 1, date(2025, 5, 5)),
        # Wed 31/12/2025 + 2: (1/1–4/1 off) Mon 5/1, Tue 6/1.
        (date(2025, 12, 31), 2, date(2026, 1, 6)),
        # Fri 21/8/2026 + 1: Sat 22/8 (worked); + 2: Mon 24/8.
        (date(2026, 8, 21), 1, date(2026, 8, 22)),
        (date(2026, 8, 21), 2, date(2026, 8, 24)),
        # Fri 28/8/2026 + 1: 29/8–2/9 off, Thu 3/9.
        (date(2026, 8, 28), 1, date(2026, 9, 3)),
        # Mon 23/11/2026 + 1: Ngày Văn hóa Việt Nam, Wed 25/11.
        (date(2026, 11, 23), 1, date(2026, 11, 25)),
    ],
)
def test_due_dates_across_the_breaks(vn, received, limit, due):
    assert vn.add_working_days(received, limit) == due


def test_holidays_has_vietnam_culture_day_2026_and_not_before():
    h = statutory_calendar()
    assert h.get(date(2026, 11, 24)) == "Ngày Văn hóa Việt Nam"
    assert date(2025, 11, 24) not in h


def test_the_shipped_file_differs_from_holidays_only_on_the_new_year_2026_swap():
    """Everything else the file lists, `holidays` 0.109 derives by itself; the file documents it."""
    bare = WorkCalendar(base=statutory_calendar())
    rows = parse_overrides(DEFAULT_OVERRIDES_FILE)
    shipped = WorkCalendar(
        base=statutory_calendar(),
        days_off={r.date: r.name for r in rows if r.kind == "day_off"},
        working_days={r.date: r.name for r in rows if r.kind == "working_day"},
    )
    differences = {
        d: shipped.is_working_day(d)
        for d in days(date(2020, 1, 1), date(2026, 12, 31))
        if shipped.is_working_day(d) != bare.is_working_day(d)
    }
    assert differences == {date(2026, 1, 2): False, date(2026, 1, 10): True}


def test_the_shipped_file_covers_every_year_from_2020_to_2026_with_a_document():
    rows = parse_overrides(DEFAULT_OVERRIDES_FILE)
    assert {r.date.year for r in rows} == set(range(2020, 2027))
    assert all(r.source_document and r.source_url.startswith("http") for r in rows)
    swaps = {r.date: r.kind for r in rows if r.kind == "working_day"}
    assert swaps == {
        date(2024, 5, 4): "working_day",
        date(2025, 4, 26): "working_day",
        date(2026, 1, 10): "working_day",
        date(2026, 8, 22): "working_day",
    }
    documents = {r.date: r.source_document for r in rows}
    assert "2450/VPCP-KGVX" in documents[date(2024, 4, 29)]
    assert "12729/VPCP-KGVX" in documents[date(2026, 1, 2)]


def test_lunar_new_year_follows_the_vietnamese_calendar_not_the_chinese_one():
    # 2007 and 1985 are the years the two calendars disagree (STACK_NOTES §2).
    h = statutory_calendar()
    assert h.get(date(2007, 2, 17)) == "Tết Nguyên Đán"
    assert h.get(date(1985, 1, 21)) == "Tết Nguyên Đán"


def test_holidays_are_derived_for_years_nobody_has_announced(vn):
    # 2030: Tết (mùng 1) on Sun 3/2/2030 — at least the three core days are off.
    assert not vn.is_working_day(date(2030, 2, 4))
    assert not vn.is_working_day(date(2030, 9, 2))
    assert vn.count_working_days(date(2030, 1, 1), date(2030, 12, 31)) > 240
