"""CCHC reporting periods. Figures of a report are "chốt số liệu" from the 15th of the month
before the period to the 14th of its last month (Nghị định 09/2019/NĐ-CP, Điều 12; Thông tư
01/2020/TT-BNV): the reporting year runs 15/12 of the year before to 14/12, the first half-year
to 14/6, a quarter from 15/12, 15/3, 15/6, 15/9 to the 14th of its last month, a month from the
15th of the month before to the 14th."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext as _

MONTH, QUARTER, HALF_YEAR, YEAR = "month", "quarter", "half_year", "year"
KINDS = (MONTH, QUARTER, HALF_YEAR, YEAR)


def _fifteenth_before(year: int, month: int) -> dt.date:
    """The 15th of the month before ``month`` of ``year``."""
    return dt.date(year - 1, 12, 15) if month == 1 else dt.date(year, month - 1, 15)


@dataclass(frozen=True)
class ReportingPeriod:
    kind: str
    year: int
    number: int  # the month, quarter or half (1 for the year)
    start: dt.date
    end: dt.date  # the day figures are closed (the reporting date)

    @property
    def label(self) -> str:
        if self.kind == MONTH:
            return _("Tháng %(n)s/%(y)s") % {"n": self.number, "y": self.year}
        if self.kind == QUARTER:
            return _("Quý %(n)s/%(y)s") % {"n": self.number, "y": self.year}
        if self.kind == HALF_YEAR:
            return _("6 tháng đầu năm %(y)s") % {"y": self.year}
        return _("Năm %(y)s") % {"y": self.year}


def reporting_period(kind: str, year: int, number: int = 1) -> ReportingPeriod:
    if kind == MONTH:
        if not 1 <= number <= 12:
            raise ValueError(_("tháng không hợp lệ: %(n)s") % {"n": number})
        return ReportingPeriod(kind, year, number, _fifteenth_before(year, number), dt.date(year, number, 14))
    if kind == QUARTER:
        if not 1 <= number <= 4:
            raise ValueError(_("quý không hợp lệ: %(n)s") % {"n": number})
        first = 3 * (number - 1) + 1
        return ReportingPeriod(
            kind, year, number, _fifteenth_before(year, first), dt.date(year, first + 2, 14)
        )
    if kind == HALF_YEAR:
        return ReportingPeriod(kind, year, 1, dt.date(year - 1, 12, 15), dt.date(year, 6, 14))
    if kind == YEAR:
        return ReportingPeriod(kind, year, 1, dt.date(year - 1, 12, 15), dt.date(year, 12, 14))
    raise ValueError(_("loại kỳ báo cáo không hợp lệ: %(k)s") % {"k": kind})


def reporting_year(day: dt.date) -> int:
    """The CCHC reporting year ``day`` falls in (15/12/2024 belongs to 2025)."""
    return day.year + 1 if (day.month, day.day) >= (12, 15) else day.year


def last_closed(kind: str, today: dt.date) -> ReportingPeriod:
    """The latest period of ``kind`` whose reporting date is today or before."""
    year = reporting_year(today)
    candidates: list[ReportingPeriod] = []
    for y in (year - 1, year):
        if kind == MONTH:
            candidates += [reporting_period(MONTH, y, m) for m in range(1, 13)]
        elif kind == QUARTER:
            candidates += [reporting_period(QUARTER, y, q) for q in range(1, 5)]
        else:
            candidates.append(reporting_period(kind, y))
    closed = [p for p in candidates if p.end <= today]
    return closed[-1]
