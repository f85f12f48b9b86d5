"""What a KPI query covers: the window as moments and as calendar months, the scope (units,
procedure level and field), and the two tests on a dossier at a moment — open, and overdue — as a
``Q`` and, for many moments at once, in SQL (:func:`overdue_series`). Also the drill-downs behind
resolved late and overdue (:func:`late_dossiers`, :func:`overdue_dossiers`)."""

from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from django.db import connection
from django.db.models import F, Q, QuerySet

from cchc.orgs.models import OrgUnit
from cchc.procedures import rules
from cchc.procedures.models import Dossier


def window_moments(date_from: dt.date, date_to: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The window [from, to] as moments: from 00:00 of ``from`` to 00:00 of the day after ``to``
    (exclusive), Vietnam time."""
    start = dt.datetime.combine(date_from, dt.time(0), tzinfo=rules.VN)
    end = dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time(0), tzinfo=rules.VN)
    return start, end


def month_window(year: int, month: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1])


def _months(first: dt.date, last: dt.date) -> Iterable[tuple[int, int]]:
    y, m = first.year, first.month
    while (y, m) <= (last.year, last.month):
        yield y, m
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)


def month_periods(date_from: dt.date, date_to: dt.date) -> list[tuple[int, int, dt.date, dt.date]]:
    """``(year, month, first, last)`` for each calendar month of the window, clipped to it."""
    out = []
    for y, m in _months(date_from, date_to):
        first, last = month_window(y, m)
        out.append((y, m, max(first, date_from), min(last, date_to)))
    return out


def overdue_q(end: dt.datetime) -> Q:
    """Open dossiers whose effective deadline, as seen at ``end``, is before ``end`` (the SQL
    form of :func:`cchc.procedures.rules.is_overdue`)."""
    no_pause = Q(supplement_requested_at__isnull=True) | Q(supplement_requested_at__gte=end)
    back = Q(supplement_requested_at__lt=end, supplement_received_at__lt=end)
    pending = Q(supplement_requested_at__lt=end) & (
        Q(supplement_received_at__isnull=True) | Q(supplement_received_at__gte=end)
    )
    return (
        (no_pause & Q(due_at__lt=end))
        | (back & Q(effective_due_at__lt=end))
        | (pending & Q(due_at__lt=F("supplement_requested_at")))
    )


def open_q(end: dt.datetime) -> Q:
    return Q(received_at__lt=end) & (Q(finished_at__isnull=True) | Q(finished_at__gte=end))


def unit_ids(units) -> QuerySet | list[int] | None:
    if units is None:
        return None
    if isinstance(units, QuerySet):
        return units.values("pk")
    return [u.pk if isinstance(u, OrgUnit) else int(u) for u in units]


def in_scope(qs, units, level, field, procedure_prefix: str = "procedure__"):
    ids = unit_ids(units)
    if ids is not None:
        qs = qs.filter(unit_id__in=ids)
    if level:
        qs = qs.filter(**{f"{procedure_prefix}level": level})
    if field:
        qs = qs.filter(**{f"{procedure_prefix}field": field})
    return qs


def late_dossiers(date_from: dt.date, date_to: dt.date, *, units=None, level=None, field=None) -> QuerySet:
    """Dossiers resolved late in the window (the drill-down behind resolved_late)."""
    start, end = window_moments(date_from, date_to)
    qs = Dossier.objects.filter(
        outcome=rules.LATE,
        status__in=rules.RESOLVED_STATUSES,
        finished_at__gte=start,
        finished_at__lt=end,
    )
    return (
        in_scope(qs, units, level, field).select_related("unit", "procedure").order_by("-finished_at", "code")
    )


def overdue_dossiers(date_from: dt.date, date_to: dt.date, *, units=None, level=None, field=None) -> QuerySet:
    """Dossiers in progress and overdue at the window's end (behind in_progress_overdue)."""
    _start, end = window_moments(date_from, date_to)
    qs = Dossier.objects.filter(open_q(end) & overdue_q(end))
    return in_scope(qs, units, level, field).select_related("unit", "procedure").order_by("due_at", "code")


# The overdue test of :func:`overdue_q` at the moment ``e.t``, on the columns of ``d``.
_OVERDUE_AT_T = """
    ((d.sreq IS NULL OR d.sreq >= e.t) AND d.due_at < e.t)
    OR (d.sreq < e.t AND d.srec < e.t AND d.effective_due_at < e.t)
    OR (d.sreq < e.t AND (d.srec IS NULL OR d.srec >= e.t) AND d.due_at < d.sreq)
"""


def overdue_series(ends: list[dt.datetime], units=None, level=None, field=None) -> dict[dt.datetime, dict]:
    """``window._overdue(end, "unit_id", units, level, field)`` for many ends, in one query: the
    dossiers of the scope open at some end (received before the last, not finished before the
    first), each paired with the ends at which it is open, then :func:`overdue_q` at that end.
    PostgreSQL pairs a dossier only with those ends (``width_bucket`` over the sorted ends);
    other databases join the ends as a ``VALUES`` list."""
    ends = sorted(set(ends))
    out: dict[dt.datetime, dict] = {end: defaultdict(int) for end in ends}
    if not ends:
        return out
    # In two parts that each follow an index (as ``window._overdue``): the dossiers not finished
    # at all (the partial index on open dossiers), and those finished after the first end.
    columns = (
        "unit_id",
        "due_at",
        "effective_due_at",
        "supplement_requested_at",
        "supplement_received_at",
        "received_at",
        "finished_at",
    )
    parts = [
        in_scope(Dossier.objects.filter(still_open, received_at__lt=ends[-1]), units, level, field)
        .order_by()
        .values_list(*columns)
        for still_open in (Q(finished_at__isnull=True), Q(finished_at__gte=ends[0]))
    ]
    inner, inner_params = parts[0].union(parts[1], all=True).query.sql_with_params()
    if connection.vendor == "postgresql":
        sql = f"""
        SELECT e.i, d.unit_id, count(*)
        FROM (SELECT unit_id, due_at, effective_due_at, sreq, srec,
                     width_bucket(received_at, %s::timestamptz[]) + 1 first_i,
                     CASE WHEN finished_at IS NULL THEN %s
                          ELSE width_bucket(finished_at, %s::timestamptz[]) END last_i
              FROM ({inner}) c (unit_id, due_at, effective_due_at, sreq, srec, received_at, finished_at)
             ) d
        CROSS JOIN LATERAL (
            SELECT i, (%s::timestamptz[])[i] t FROM generate_series(d.first_i, d.last_i) i) e
        WHERE {_OVERDUE_AT_T}
        GROUP BY 1, 2
        """  # noqa: S608 - the inner query is Django's, with its parameters
        params = [ends, len(ends), ends, *inner_params, ends]
    else:
        values = ", ".join(["(%s, %s)"] * len(ends))
        sql = f"""
        WITH e (i, t) AS (VALUES {values})
        SELECT e.i, d.unit_id, count(*)
        FROM (SELECT unit_id, due_at, effective_due_at, supplement_requested_at sreq,
                     supplement_received_at srec, received_at, finished_at
              FROM ({inner}) c) d
        JOIN e ON d.received_at < e.t AND (d.finished_at IS NULL OR d.finished_at >= e.t)
        WHERE {_OVERDUE_AT_T}
        GROUP BY 1, 2
        """  # noqa: S608 - the inner query is Django's, with its parameters
        adapt = connection.ops.adapt_datetimefield_value
        params = [v for i, end in enumerate(ends, 1) for v in (i, adapt(end))] + list(inner_params)
    with connection.cursor() as cur:
        cur.execute(sql, params)
        for i, unit_id, n in cur.fetchall():
            out[ends[i - 1]][unit_id] += n
    return out
