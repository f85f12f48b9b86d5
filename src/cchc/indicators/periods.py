"""Reporting periods of indicator values: a year ``2024``, a quarter ``2024-Q2``, a month
``2024-05`` — parsed, printed and compared without the database."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

YEAR, QUARTER, MONTH = "year", "quarter", "month"
_PATTERN = re.compile(r"^(\d{4})(?:-(?:Q([1-4])|(\d{2})))?$", re.IGNORECASE)


@dataclass(frozen=True, order=True)
class Period:
    start: dt.date
    end: dt.date
    kind: str

    @classmethod
    def year(cls, year: int) -> Period:
        return cls(dt.date(year, 1, 1), dt.date(year, 12, 31), YEAR)

    @classmethod
    def quarter(cls, year: int, quarter: int) -> Period:
        first = 3 * (quarter - 1) + 1
        return cls(dt.date(year, first, 1), _month_end(year, first + 2), QUARTER)

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        return cls(dt.date(year, month, 1), _month_end(year, month), MONTH)

    @classmethod
    def parse(cls, raw: str) -> Period:
        """``YYYY``, ``YYYY-Qn`` or ``YYYY-MM``; ValueError with a translated reason."""
        m = _PATTERN.match((raw or "").strip())
        if not m or not 1900 <= int(m.group(1)) <= 2200:
            raise ValueError(_("kỳ không hợp lệ: %(v)r (cần YYYY, YYYY-Qn hoặc YYYY-MM)") % {"v": raw})
        year = int(m.group(1))
        if m.group(2):
            return cls.quarter(year, int(m.group(2)))
        if m.group(3):
            month = int(m.group(3))
            if not 1 <= month <= 12:
                raise ValueError(_("tháng không hợp lệ: %(v)r") % {"v": raw})
            return cls.month(year, month)
        return cls.year(year)

    def __str__(self) -> str:
        if self.kind == MONTH:
            return f"{self.start.year}-{self.start.month:02d}"
        if self.kind == QUARTER:
            return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"
        return str(self.start.year)

    def months(self) -> list[Period]:
        """The months the period holds, in order."""
        out, y, m = [], self.start.year, self.start.month
        while dt.date(y, m, 1) <= self.end:
            out.append(Period.month(y, m))
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
        return out

    def contains(self, other: Period) -> bool:
        return self.start <= other.start and other.end <= self.end


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])
