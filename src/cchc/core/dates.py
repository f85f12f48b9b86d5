"""The one date parser of every import: the dates Vietnamese files carry.

Accepted: ``dd/mm/yyyy`` (also ``dd-mm-yyyy``, ``dd.mm.yyyy``), ``dd/mm/yyyy HH:MM[:SS]``, ISO 8601 (``yyyy-mm-dd``,
``yyyy-mm-ddTHH:MM[:SS][±hh:mm]`` or with a space instead of ``T``) and real Excel date cells
(``datetime``/``date`` values from openpyxl). A naive moment is Vietnam time. What a date alone
means (start of day, noon, end of day, refused) is the caller's choice.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _

VN = ZoneInfo("Asia/Ho_Chi_Minh")  # Vietnam time: the one time-zone constant of the project

_DMY = re.compile(
    r"(?P<d>\d{1,2})(?P<sep>[/.-])(?P<m>\d{1,2})(?P=sep)(?P<y>\d{4})"
    r"(?:[ T](?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2}))?)?"
)
_ISO = re.compile(r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?(?:Z|[+-]\d{2}:?\d{2})?)?")
FORMATS_HINT = "dd/mm/yyyy, dd/mm/yyyy HH:MM, yyyy-mm-dd HH:MM"


class DateError(ValueError):
    pass


def _bad(raw) -> DateError:
    return DateError(
        _("không phải ngày hợp lệ: %(v)s (dùng %(formats)s)") % {"v": repr(raw), "formats": FORMATS_HINT}
    )


def parse_moment(raw) -> tuple[dt.date | dt.datetime, bool]:
    """``(value, has_time)``: a ``date`` when the input holds a date alone, else a ``datetime``
    (aware when the input had an offset, naive otherwise). Raises :class:`DateError`."""
    if isinstance(raw, dt.datetime):
        return raw, True
    if isinstance(raw, dt.date):
        return raw, False
    text = str(raw if raw is not None else "").strip()
    if not text:
        raise DateError(_("cần một ngày (%(formats)s)") % {"formats": FORMATS_HINT})
    if m := _DMY.fullmatch(text):
        try:
            day = dt.date(int(m["y"]), int(m["m"]), int(m["d"]))
            if m["H"] is None:
                return day, False
            return dt.datetime.combine(day, dt.time(int(m["H"]), int(m["M"]), int(m["S"] or 0))), True
        except ValueError:
            raise _bad(raw) from None
    if _ISO.fullmatch(text):
        try:
            if len(text) == 10:
                return dt.date.fromisoformat(text), False
            return dt.datetime.fromisoformat(text.replace("Z", "+00:00")), True
        except ValueError:
            raise _bad(raw) from None
    raise _bad(raw)


def parse_date(raw) -> dt.date:
    """A date (a moment with a time is refused: a date column holds dates)."""
    value, has_time = parse_moment(raw)
    if has_time:
        if isinstance(raw, dt.datetime) and raw.time() == dt.time(0, 0):
            return raw.date()  # an Excel date cell comes as midnight
        raise DateError(_("cần một ngày, không kèm giờ: %(v)s") % {"v": repr(raw)})
    return value


def parse_datetime(
    raw, *, date_alone: Callable[[dt.date], dt.datetime] | None = None, tz: dt.tzinfo = VN
) -> dt.datetime:
    """An aware moment (naive = ``tz``). A date alone goes through ``date_alone`` (e.g. noon or
    the end of the day); without it a date alone is refused."""
    value, has_time = parse_moment(raw)
    if not has_time:
        if date_alone is None:
            raise DateError(
                _("cần cả giờ (ví dụ %(example)s), không chỉ ngày: %(v)s")
                % {"example": "04/03/2021 09:30", "v": repr(raw)}
            )
        value = date_alone(value)
    assert isinstance(value, dt.datetime)
    return value if value.tzinfo is not None else value.replace(tzinfo=tz)


def at_noon(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(12, 0))


def at_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0, 0))
