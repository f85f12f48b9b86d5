"""The working-day calendar (lịch ngày làm việc) as a pure object: no database.

A day is a working day unless it is a Saturday or Sunday, a statutory holiday (including the
lunar ones and the compensatory days off), or a day off announced by the government; a Saturday
the government swaps into a working day is a working day. Explicit ``working_days`` and
``days_off`` (the admin's override table) win over everything else.

Time limits in working days (ngày làm việc) give a due *date*; the due moment is the end of that
day in Asia/Ho_Chi_Minh. Time limits in hours count working hours between ``work_start`` and
``work_end`` of working days. The rules and their sources: docs/methodology/working-days.md.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from cchc.core.dates import VN

VN_TZ = VN  # the one time-zone constant (cchc.core.dates.VN)
END_OF_DAY = time(23, 59, 59, 999999)
_EMPTY: Mapping[date, str] = {}
_SECONDS = Decimal(1) / Decimal(1_000_000)
_PRECISION = Decimal("0.0001")


def local(moment: datetime) -> datetime:
    """``moment`` in Vietnam time; a naive datetime is taken to be Vietnam time already."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=VN_TZ)
    return moment.astimezone(VN_TZ)


def _as_date(value: date | datetime) -> date:
    if isinstance(value, datetime):
        return local(value).date()
    return value


class WorkCalendar:
    """Working days and working hours of Vietnamese public administration.

    ``base`` is an optional statutory calendar with the interface of ``holidays.HolidayBase``
    (``day in base`` and ``base.weekend_workdays``), derived for any year on demand, e.g.
    ``holidays.VN(language="vi")``. ``days_off`` and ``working_days`` override it.
    ``cutoff``: a receipt after this local time counts as received the next working day
    (None = off). ``clock_starts_next_day``: the first day counted is the working day after the
    (effective) receipt day; when False the receipt day itself is day 1.
    """

    def __init__(
        self,
        *,
        days_off: Mapping[date, str] = _EMPTY,
        working_days: Mapping[date, str] = _EMPTY,
        cutoff: time | None = None,
        clock_starts_next_day: bool = True,
        work_start: time = time(7, 30),
        work_end: time = time(17, 0),
        base=None,
    ) -> None:
        if work_end <= work_start:
            raise ValueError("work_end must be after work_start")
        clash = set(days_off) & set(working_days)
        if clash:
            raise ValueError(f"dates both off and working: {sorted(clash)}")
        self.days_off = dict(days_off)
        self.working_days = dict(working_days)
        self.cutoff = cutoff
        self.clock_starts_next_day = clock_starts_next_day
        self.work_start = work_start
        self.work_end = work_end
        self.base = base
        # Sorted ordinals of the working days of the years loaded so far, for O(log n) counts.
        self._years: tuple[int, int] | None = None
        self._ordinals: list[int] = []
        self._day_seconds = (
            datetime.combine(date.min, work_end) - datetime.combine(date.min, work_start)
        ).total_seconds()

    def __repr__(self) -> str:
        return (
            f"WorkCalendar(days_off={len(self.days_off)}, working_days={len(self.working_days)}, "
            f"cutoff={self.cutoff}, clock_starts_next_day={self.clock_starts_next_day})"
        )

    # -- days ---------------------------------------------------------------------------------

    def _computed_is_working_day(self, day: date) -> bool:
        if day in self.working_days:
            return True
        if day in self.days_off:
            return False
        if self.base is not None:
            if day in self.base:  # also derives the year's holidays and swapped Saturdays
                return False
            if day in self.base.weekend_workdays:
                return True
        return day.weekday() < 5

    def reason(self, day: date) -> str:
        """Why ``day`` is off or worked, for people: the override's or the holiday's name."""
        if day in self.working_days:
            return self.working_days[day]
        if day in self.days_off:
            return self.days_off[day]
        if self.base is not None:
            name = self.base.get(day)
            if name:
                return name
            if day in self.base.weekend_workdays:
                return "Làm bù"
        return ""

    def _ensure_years(self, first: int, last: int) -> None:
        if self._years and self._years[0] <= first and last <= self._years[1]:
            return
        if self._years:
            first, last = min(first, self._years[0]), max(last, self._years[1])
        start, end = date(first, 1, 1).toordinal(), date(last, 12, 31).toordinal()
        self._ordinals = [
            o for o in range(start, end + 1) if self._computed_is_working_day(date.fromordinal(o))
        ]
        self._years = (first, last)

    def _span(self) -> tuple[int, int]:
        """The first and last year loaded (some are, once a lookup has run)."""
        assert self._years is not None
        return self._years

    def _ordinals_covering(self, ordinal: int) -> list[int]:
        year = date.fromordinal(ordinal).year
        self._ensure_years(year, year)
        return self._ordinals

    def is_working_day(self, day: date) -> bool:
        day = _as_date(day)
        ordinals = self._ordinals_covering(day.toordinal())
        o = day.toordinal()
        i = bisect_left(ordinals, o)
        return i < len(ordinals) and ordinals[i] == o

    def next_working_day(self, day: date) -> date:
        """The first working day strictly after ``day``."""
        day = _as_date(day)
        o = day.toordinal()
        while True:
            ordinals = self._ordinals_covering(o)
            i = bisect_right(ordinals, o)
            if i < len(ordinals):
                return date.fromordinal(ordinals[i])
            # Past the loaded years: load the next one and look again.
            nxt = date(self._span()[1] + 1, 1, 1)
            self._ensure_years(nxt.year, nxt.year)

    def _working_day_on_or_after(self, day: date) -> date:
        return day if self.is_working_day(day) else self.next_working_day(day)

    def received_day(self, received: date | datetime) -> date:
        """The working day on which a receipt counts as received: the same day when it is a
        working day (and before the cut-off), else the next working day."""
        if isinstance(received, datetime):
            moment = local(received)
            day = moment.date()
            if not self.is_working_day(day):
                return self.next_working_day(day)
            if self.cutoff is not None and moment.time() > self.cutoff:
                return self.next_working_day(day)
            return day
        return self._working_day_on_or_after(received)

    def add_working_days(self, start: date | datetime, days: int) -> date:
        """The due date of a time limit of ``days`` working days received at ``start``."""
        if isinstance(days, Decimal):
            if days != days.to_integral_value():
                raise ValueError(f"whole working days expected, got {days}")
            days = int(days)
        if isinstance(days, bool) or not isinstance(days, int):
            raise TypeError(f"days must be an integer, got {days!r}")
        if days < 0:
            raise ValueError(f"days must not be negative, got {days}")
        day = self.received_day(start)
        steps = days if self.clock_starts_next_day else days - 1
        if steps <= 0:
            return day
        return self._shift(day, steps)

    def working_days_between(self, first: date, last: date) -> list[date]:
        """The working days of the closed interval [first, last], in order."""
        if last < first:
            return []
        self._ensure_years(first.year, last.year)
        lo = bisect_left(self._ordinals, first.toordinal())
        hi = bisect_right(self._ordinals, last.toordinal())
        return [date.fromordinal(o) for o in self._ordinals[lo:hi]]

    def count_working_days(self, start: date | datetime, end: date | datetime) -> int:
        """Working days in the closed interval [start, end]; 0 when end is before start."""
        start, end = _as_date(start), _as_date(end)
        if end < start:
            return 0
        self._ensure_years(start.year, end.year)
        return bisect_right(self._ordinals, end.toordinal()) - bisect_left(self._ordinals, start.toordinal())

    # -- moments ------------------------------------------------------------------------------

    def due_at(
        self,
        received_at: datetime,
        *,
        days: Decimal | int | None = None,
        hours: Decimal | int | None = None,
    ) -> datetime:
        """The due moment (aware, Asia/Ho_Chi_Minh) of a time limit given in working days or in
        working hours. Whole days: the end of the due working day. Fractional days (e.g. 0.5)
        are converted to working hours (days × the length of the working day)."""
        if (days is None) == (hours is None):
            raise ValueError("give exactly one of days or hours")
        if days is not None:
            value = Decimal(days)
            if value < 0:
                raise ValueError(f"days must not be negative, got {days}")
            if value == value.to_integral_value():
                due = self.add_working_days(received_at, int(value))
                return datetime.combine(due, END_OF_DAY, tzinfo=VN_TZ)
            hours = value * Decimal(str(self._day_seconds)) / Decimal(3600)
        assert hours is not None
        value = Decimal(hours)
        if value < 0:
            raise ValueError(f"hours must not be negative, got {hours}")
        return self._add_working_seconds(received_at, value * 3600)

    def _clock_start(self, received_at: datetime) -> datetime:
        """Where the working-hours clock starts for a receipt at ``received_at``."""
        moment = local(received_at)
        day = moment.date()
        after_cutoff = self.cutoff is not None and moment.time() > self.cutoff
        if not self.is_working_day(day) or moment.time() >= self.work_end or after_cutoff:
            return datetime.combine(self.next_working_day(day), self.work_start, tzinfo=VN_TZ)
        if moment.time() < self.work_start:
            return datetime.combine(day, self.work_start, tzinfo=VN_TZ)
        return moment

    def _add_working_seconds(self, received_at: datetime, seconds: Decimal) -> datetime:
        position = self._clock_start(received_at)
        day_end = datetime.combine(position.date(), self.work_end, tzinfo=VN_TZ)
        available = Decimal(str((day_end - position).total_seconds()))
        if seconds > available:
            # Whole working days after the first one, then the rest on the day it ends.
            length = Decimal(str(self._day_seconds))
            whole, rest = divmod(seconds - available, length)
            if rest == 0:
                whole, rest = whole - 1, length
            day = self._shift(self.next_working_day(position.date()), int(whole))
            position, seconds = datetime.combine(day, self.work_start, tzinfo=VN_TZ), rest
        micro = (seconds / _SECONDS).to_integral_value(rounding=ROUND_HALF_UP)
        return position + timedelta(microseconds=int(micro))

    def _shift(self, day: date, steps: int) -> date:
        """The working day ``steps`` working days after the working day ``day``."""
        o = day.toordinal()
        while True:
            ordinals = self._ordinals_covering(o)
            i = bisect_left(ordinals, o)
            if i + steps < len(ordinals):
                return date.fromordinal(ordinals[i + steps])
            first, last = self._span()
            self._ensure_years(first, last + steps // 240 + 1)

    def _working_seconds_on(self, day: date, start: datetime, end: datetime) -> float:
        if not self.is_working_day(day):
            return 0.0
        lo = max(start, datetime.combine(day, self.work_start, tzinfo=VN_TZ))
        hi = min(end, datetime.combine(day, self.work_end, tzinfo=VN_TZ))
        return max(0.0, (hi - lo).total_seconds())

    def working_time_between(self, start: datetime, end: datetime) -> Decimal:
        """The working time from ``start`` to ``end`` in working days (fractional, 4 decimals):
        the working hours inside the interval divided by the length of a working day.
        Negative when ``end`` is before ``start``."""
        start, end = local(start), local(end)
        if end < start:
            return -self.working_time_between(end, start)
        first, last = start.date(), end.date()
        if first == last:
            seconds = self._working_seconds_on(first, start, end)
            whole = 0
        else:
            seconds = self._working_seconds_on(first, start, end) + self._working_seconds_on(last, start, end)
            whole = self.count_working_days(first + timedelta(days=1), last - timedelta(days=1))
        value = Decimal(whole) + Decimal(str(seconds)) / Decimal(str(self._day_seconds))
        return value.quantize(_PRECISION, rounding=ROUND_HALF_UP)
