"""Dossier KPIs for any date window and grouping, in the form of the standard periodic report
(definitions: docs/methodology/dossier-kpis.md).

Flow measures (received, resolved early/on time/late, withdrawn, digitised, paid online,
processing time) and the stocks at the window's edges (carried over, in progress) come from the
per-day rollups: carried over = received before the window − finished before it; in progress =
carried over + received − resolved − withdrawn. Only "overdue at the window's end" depends on each
dossier's deadline relative to that moment; it is counted on the raw dossiers open at the end
(received before it, not finished by it), through the ``dossier_unit_received`` index and, for a
window ending today, the partial index on open dossiers. The share of procedures offered online
comes from the procedure–unit links (the catalogue), not from the window.
"""

from __future__ import annotations

import calendar
import datetime as dt
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, fields
from decimal import ROUND_HALF_UP, Decimal
from functools import reduce
from itertools import accumulate, chain
from operator import add, or_, sub

from django.db import connection
from django.db.models import Case, Count, F, IntegerField, Q, QuerySet, Sum, Value, When
from django.utils.translation import gettext as _

from cchc.orgs.models import OrgUnit, path_ids
from cchc.procedures import rules
from cchc.procedures.models import (
    Dossier,
    DossierDay,
    DossierMonth,
    OnlineMode,
    ProcedureLevel,
    ProcedureUnit,
)

GROUPINGS = ("unit", "unit_tree", "level", "field", "procedure", "month", "all")
CLI_COLUMNS = [
    "group",
    "carried_over",
    "received",
    "received_online",
    "resolved",
    "resolved_early",
    "resolved_on_time",
    "resolved_late",
    "in_progress",
    "in_progress_overdue",
    "withdrawn",
    "on_time_rate",
    "online_rate",
    "digitized_rate",
]
HUNDRED = Decimal(100)
CENT = Decimal("0.01")


@dataclass
class KpiRow:
    group: str
    group_key: str
    unit_id: int | None = None
    carried_over: int = 0
    received: int = 0
    received_online: int = 0
    received_direct: int = 0
    received_postal: int = 0
    resolved: int = 0
    resolved_early: int = 0
    resolved_on_time: int = 0
    resolved_late: int = 0
    late_without_apology: int = 0
    in_progress: int = 0
    in_progress_overdue: int = 0
    withdrawn: int = 0
    digitized: int = 0
    paid_online: int = 0
    received_fee: int = 0
    processing_days_sum: Decimal = Decimal(0)
    procedures_handled: int = 0
    procedures_online: int = 0
    procedures_full_online: int = 0
    on_time_rate: Decimal | None = None
    online_rate: Decimal | None = None
    digitized_rate: Decimal | None = None
    online_payment_rate: Decimal | None = None
    overdue_rate: Decimal | None = None
    online_procedure_rate: Decimal | None = None
    full_online_procedure_rate: Decimal | None = None
    avg_processing_days: Decimal | None = None

    COUNTS = (
        "carried_over",
        "received",
        "received_online",
        "received_direct",
        "received_postal",
        "resolved",
        "resolved_early",
        "resolved_on_time",
        "resolved_late",
        "late_without_apology",
        "in_progress",
        "in_progress_overdue",
        "withdrawn",
        "digitized",
        "paid_online",
        "received_fee",
        "processing_days_sum",
    )

    @staticmethod
    def rate(numerator, denominator) -> Decimal | None:
        """Percent with 2 decimals (half up); None when the denominator is 0."""
        if not denominator:
            return None
        return (Decimal(numerator) * HUNDRED / Decimal(denominator)).quantize(CENT, rounding=ROUND_HALF_UP)

    def add(self, other: KpiRow) -> None:
        for name in self.COUNTS:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def finish(self) -> KpiRow:
        self.in_progress = self.carried_over + self.received - self.resolved - self.withdrawn
        self.on_time_rate = self.rate(self.resolved_early + self.resolved_on_time, self.resolved)
        self.online_rate = self.rate(self.received_online, self.received)
        self.digitized_rate = self.rate(self.digitized, self.received)
        self.online_payment_rate = self.rate(self.paid_online, self.received_fee)
        self.overdue_rate = self.rate(
            self.resolved_late + self.in_progress_overdue, self.resolved + self.in_progress
        )
        self.online_procedure_rate = self.rate(self.procedures_online, self.procedures_handled)
        self.full_online_procedure_rate = self.rate(self.procedures_full_online, self.procedures_handled)
        self.avg_processing_days = (
            (Decimal(self.processing_days_sum) / self.resolved).quantize(CENT, rounding=ROUND_HALF_UP)
            if self.resolved
            else None
        )
        return self

    @property
    def empty(self) -> bool:
        return not (self.carried_over or self.received or self.resolved or self.withdrawn or self.in_progress)

    def as_dict(self) -> dict:
        return {f.name: getattr(self, f.name) for f in fields(self)}


# -- windows ------------------------------------------------------------------------------------------


def window_moments(date_from: dt.date, date_to: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The window [from, to] as moments: from 00:00 of ``from`` to 00:00 of the day after ``to``
    (exclusive), Vietnam time."""
    start = dt.datetime.combine(date_from, dt.time(0), tzinfo=rules.VN)
    end = dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time(0), tzinfo=rules.VN)
    return start, end


def month_window(year: int, month: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1])


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


# -- scope -------------------------------------------------------------------------------------------


def _unit_ids(units) -> QuerySet | list[int] | None:
    if units is None:
        return None
    if isinstance(units, QuerySet):
        return units.values("pk")
    return [u.pk if isinstance(u, OrgUnit) else int(u) for u in units]


def _filter(qs, units, level, field, procedure_prefix: str = "procedure__"):
    ids = _unit_ids(units)
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
        _filter(qs, units, level, field).select_related("unit", "procedure").order_by("-finished_at", "code")
    )


def overdue_dossiers(date_from: dt.date, date_to: dt.date, *, units=None, level=None, field=None) -> QuerySet:
    """Dossiers in progress and overdue at the window's end (behind in_progress_overdue)."""
    _start, end = window_moments(date_from, date_to)
    qs = Dossier.objects.filter(open_q(end) & overdue_q(end))
    return _filter(qs, units, level, field).select_related("unit", "procedure").order_by("due_at", "code")


# -- the computation -------------------------------------------------------------------------------------

KEYS = {
    "unit": "unit_id",
    "unit_tree": "unit_id",
    "level": "procedure__level",
    "field": "procedure__field",
    "procedure": "procedure_id",
}


def _flows(date_from, date_to, key, units, level, field) -> dict:
    """Per ``key``: the flows of the window (``s_<counter>``, ``s_received_fee``) and the
    stock before it (``s_before_received``, ``s_before_finished``). Without a level or field
    filter, by unit or in total, whole months come from the month rollups and only the days of
    partial months from the day rollups (:func:`_flows_by_month`)."""
    if level is None and field is None and key in (None, "unit_id"):
        return _flows_by_month(date_from, date_to, key, units)
    return _flows_by_day(date_from, date_to, key, units, level, field)


def _flows_by_month(date_from: dt.date, date_to: dt.date, key, units) -> dict:
    day = dt.timedelta(days=1)
    # The whole months of the window, [first_full, last_full_end] (empty when first > last).
    first_full = date_from if date_from.day == 1 else month_window(date_from.year, date_from.month)[1] + day
    last_full_end = (
        date_to if month_window(date_to.year, date_to.month)[1] == date_to else date_to.replace(day=1) - day
    )
    whole = first_full <= last_full_end
    # The days of the window outside its whole months, and those of its first month before it.
    window_days = (
        [(date_from, first_full - day), (last_full_end + day, date_to)] if whole else [(date_from, date_to)]
    )
    window_days = [(a, b) for a, b in window_days if a <= b]
    before_days = [(date_from.replace(day=1), date_from - day)] if date_from.day > 1 else []
    finished = F("resolved") + F("withdrawn")

    mbefore = Q(month__lt=date_from.replace(day=1))
    aggs = {
        "s_before_received": Sum("received", filter=mbefore),
        "s_before_finished": Sum(finished, filter=mbefore),
    }
    if whole:
        mwin = Q(month__gte=first_full, month__lte=last_full_end.replace(day=1))
        aggs.update({f"s_{c}": Sum(c, filter=mwin) for c in DossierMonth.COUNTERS})
    months = _filter(DossierMonth.objects.filter(month__lte=date_to), units, None, None)
    parts = [_grouped(months, key, aggs)]

    def days_in(ranges) -> Q:
        return reduce(or_, (Q(day__gte=a, day__lte=b) for a, b in ranges))

    aggs = {}
    if window_days:
        dwin = days_in(window_days)
        aggs.update({f"s_{c}": Sum(c, filter=dwin) for c in DossierDay.COUNTERS})
        aggs["s_received_fee"] = Sum("received", filter=dwin & Q(procedure__fee=True))
    if before_days:
        dbefore = days_in(before_days)
        aggs["s_before_received"] = Sum("received", filter=dbefore)
        aggs["s_before_finished"] = Sum(finished, filter=dbefore)
    if aggs:
        days = _filter(DossierDay.objects.filter(days_in(window_days + before_days)), units, None, None)
        parts.append(_grouped(days, key, aggs))
    # The two parts summed per key (a sum over no rows is None).
    out: dict = {}
    for part in parts:
        for k, values in part.items():
            into = out.setdefault(k, {} if key is None else {key: k})
            for name, v in values.items():
                if name != key and v is not None:
                    into[name] = (into.get(name) or 0) + v
    return out


def _grouped(qs, key, aggs) -> dict:
    """``aggs`` over ``qs``: one dict per value of ``key``, or ``{None: …}`` for the total."""
    if key is None:
        return {None: qs.aggregate(**aggs)}
    return {r[key]: r for r in qs.values(key).annotate(**aggs).order_by()}


def _flows_by_day(date_from, date_to, key, units, level, field) -> dict:
    win = Q(day__gte=date_from)
    before = Q(day__lt=date_from)
    aggs = {f"s_{c}": Sum(c, filter=win) for c in DossierDay.COUNTERS}
    aggs["s_received_fee"] = Sum("received", filter=win & Q(procedure__fee=True))
    aggs["s_before_received"] = Sum("received", filter=before)
    aggs["s_before_finished"] = Sum(F("resolved") + F("withdrawn"), filter=before)
    return _grouped(_filter(DossierDay.objects.filter(day__lte=date_to), units, level, field), key, aggs)


def _overdue(end, key, units, level, field) -> dict:
    """Open at ``end`` and overdue, counted in two parts that each follow an index: the
    dossiers not finished at all (the partial index on open dossiers) and those finished after
    ``end`` (``unit, finished_at``). One query with ``finished_at IS NULL OR finished_at >= end``
    would read every dossier of the scope received before ``end``."""
    counts: dict = defaultdict(int)
    for still_open in (Q(finished_at__isnull=True), Q(finished_at__gte=end)):
        qs = Dossier.objects.filter(still_open & Q(received_at__lt=end) & overdue_q(end))
        qs = _filter(qs, units, level, field)
        if key is None:
            counts[None] += qs.count()
        else:
            for r in qs.values(key).annotate(n=Count("id")).order_by():
                counts[r[key]] += r["n"]
    return counts


def _procedures(key, units, level, field) -> dict:
    qs = _filter(ProcedureUnit.objects.all(), units, level, field)
    online = ~Q(procedure__online_mode=OnlineMode.NONE)
    aggs = {
        "handled": Count("procedure_id", distinct=True),
        "online": Count("procedure_id", distinct=True, filter=online),
        "full": Count("procedure_id", distinct=True, filter=Q(procedure__online_mode=OnlineMode.FULL)),
    }
    return _grouped(qs, key, aggs)


def _row_from(flows: dict | None, group: str, key: str) -> KpiRow:
    row = KpiRow(group=group, group_key=key)
    if flows:
        for c in DossierDay.COUNTERS:
            setattr(row, c, flows.get(f"s_{c}") or 0)
        row.processing_days_sum = Decimal(str(flows.get("s_processing_days_sum") or 0)).quantize(CENT)
        row.received_fee = flows.get("s_received_fee") or 0
        row.carried_over = (flows.get("s_before_received") or 0) - (flows.get("s_before_finished") or 0)
    return row


def compute_kpis(
    date_from: dt.date,
    date_to: dt.date,
    by: str,
    *,
    units=None,
    level: str | None = None,
    field: str | None = None,
) -> list[KpiRow]:
    """KPI rows for the window [date_from, date_to] grouped ``by`` one of :data:`GROUPINGS`:

    ``unit`` — each unit's own dossiers; ``unit_tree`` — each unit with its whole subtree
    (numerators and denominators summed up the tree); ``level`` / ``field`` / ``procedure`` —
    the procedure's level, field, code; ``month`` — each calendar month of the window (clipped
    to it); ``all`` — one row.

    ``units`` (a queryset of OrgUnit or ids) is the scope: only their dossiers count.
    ``level`` and ``field`` restrict to procedures of that level / field.
    """
    if by not in GROUPINGS:
        raise ValueError(f"by must be one of {', '.join(GROUPINGS)}")
    if date_to < date_from:
        raise ValueError("date_to is before date_from")
    if by == "month":
        return _by_month(date_from, date_to, units, level, field)
    if by == "unit_tree":
        return _by_unit_tree(date_from, date_to, units, level, field)
    key = KEYS.get(by)
    _start, end = window_moments(date_from, date_to)
    flows = _flows(date_from, date_to, key, units, level, field)
    overdue = _overdue(end, key, units, level, field)
    procs = _procedures(key, units, level, field)
    labels = _labels(by, [k for k in flows if k is not None])
    rows = []
    for k, f in flows.items():
        group, group_key, order = labels.get(k, (_("Tổng cộng"), "", ""))
        row = _row_from(f, group, group_key)
        if by == "unit":
            row.unit_id = k
        row.in_progress_overdue = overdue.get(k, 0)
        p = procs.get(k) or {}
        row.procedures_handled = p.get("handled") or 0
        row.procedures_online = p.get("online") or 0
        row.procedures_full_online = p.get("full") or 0
        row.finish()
        if by == "all" or not row.empty:
            rows.append((order, row))
    rows.sort(key=lambda pair: pair[0])
    return [r for _o, r in rows]


def _labels(by: str, keys: list) -> dict:
    """{key: (label, group_key, sort order)}."""
    from cchc.procedures.models import Procedure

    if by == "unit":
        return {
            pk: (name, code, path)
            for pk, name, code, path in OrgUnit.objects.filter(pk__in=keys).values_list(
                "pk", "name", "code", "path"
            )
        }
    if by == "procedure":
        return {
            pk: (name, code, code)
            for pk, name, code in Procedure.objects.filter(pk__in=keys).values_list("pk", "name", "code")
        }
    if by == "level":
        order = {v: i for i, v in enumerate(ProcedureLevel.values)}
        return {k: (str(ProcedureLevel(k).label), k, order.get(k, 99)) for k in keys}
    if by == "field":
        return {k: (k, k, k) for k in keys}
    return {None: (_("Tổng cộng"), "", "")}


def _by_month(date_from, date_to, units, level, field) -> list[KpiRow]:
    return kpi_overview(date_from, date_to, units=units, level=level, field=field).months


def _months(first: dt.date, last: dt.date) -> Iterable[tuple[int, int]]:
    y, m = first.year, first.month
    while (y, m) <= (last.year, last.month):
        yield y, m
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)


# -- a window's every grouping at once (the dashboard) ------------------------------------------------


@dataclass
class Overview:
    """What :func:`compute_kpis` gives for one window and scope by ``all`` (``total``), ``unit``,
    ``unit_tree`` and ``month``, from one read of the rollups (:func:`kpi_overview`)."""

    total: KpiRow
    units: list[KpiRow]
    tree: list[KpiRow]
    months: list[KpiRow]


BEFORE = -1  # the bucket of the rollups before the window (the carried-over stock)


def month_periods(date_from: dt.date, date_to: dt.date) -> list[tuple[int, int, dt.date, dt.date]]:
    """``(year, month, first, last)`` for each calendar month of the window, clipped to it."""
    out = []
    for y, m in _months(date_from, date_to):
        first, last = month_window(y, m)
        out.append((y, m, max(first, date_from), min(last, date_to)))
    return out


def kpi_overview(
    date_from: dt.date, date_to: dt.date, *, units=None, level: str | None = None, field: str | None = None
) -> Overview:
    """The KPI rows of the window [date_from, date_to] in total, per unit, per unit with its
    subtree and per month (each list equal to :func:`compute_kpis`' rows for that grouping) in
    a fixed number of queries whatever the number of months and units: the rollups grouped by
    unit and month of the window (:func:`_bucket_flows`), the dossiers overdue at every month's
    end in one query (:func:`_overdue_series`), the procedure–unit links and the units."""
    if date_to < date_from:
        raise ValueError("date_to is before date_from")
    periods = month_periods(date_from, date_to)
    flows = _bucket_flows(date_from, date_to, periods, units, level, field)
    ends = [window_moments(first, last)[1] for _y, _m, first, last in periods]
    links = list(
        _filter(ProcedureUnit.objects.all(), units, level, field).values_list(
            "unit_id", "procedure_id", "procedure__online_mode"
        )
    )
    scope = OrgUnit.objects.all() if units is None else OrgUnit.objects.filter(pk__in=_unit_ids(units))
    info = {
        pk: (name, code, path) for pk, name, code, path in scope.values_list("pk", "name", "code", "path")
    }
    # The overdue stock: at the ends of whole months as the import stored it where it can be
    # read (and still agrees with the rollups); at the window's end, and elsewhere, from dossiers.
    stored = {} if level or field else _stored_overdue(periods, ends, flows, info, units)
    overdue = _overdue_series([e for e in ends if e not in stored or e == ends[-1]], units, level, field)

    n = len(SERIES_FLOWS)
    zero = (0,) * n
    at_end = overdue[ends[-1]]

    def as_flows(before: tuple, window: tuple) -> dict:
        """The sums in the form of :func:`_flows` (what :func:`_row_from` reads)."""
        out = {f"s_{c}": v for c, v in zip(SERIES_FLOWS, window, strict=True)}
        out["s_before_received"] = before[_RECEIVED]
        out["s_before_finished"] = before[_RESOLVED] + before[_WITHDRAWN]
        return out

    # Per unit: the stock before the window and the window's flows.
    per_unit: dict[int, dict] = {}
    total_before, total_window = zero, zero
    by_period = [zero] * len(periods)
    for unit_id, buckets in flows.items():
        before = buckets.get(BEFORE, zero)
        window = zero
        for i, sums in buckets.items():
            if i != BEFORE:
                window = tuple(map(add, window, sums))
                by_period[i] = tuple(map(add, by_period[i], sums))
        per_unit[unit_id] = as_flows(before, window)
        total_before = tuple(map(add, total_before, before))
        total_window = tuple(map(add, total_window, window))

    # The procedures handled (and offered online, fully online) in the scope and per unit.
    handled: set = set()
    online: set = set()
    full: set = set()
    own_links: dict[int, tuple[set, set, set]] = defaultdict(lambda: (set(), set(), set()))
    for unit_id, proc_id, mode in links:
        own = own_links[unit_id]
        handled.add(proc_id)
        own[0].add(proc_id)
        if mode != OnlineMode.NONE:
            online.add(proc_id)
            own[1].add(proc_id)
        if mode == OnlineMode.FULL:
            full.add(proc_id)
            own[2].add(proc_id)

    def finished(row: KpiRow, procedures: tuple[set, set, set]) -> KpiRow:
        row.procedures_handled, row.procedures_online, row.procedures_full_online = map(len, procedures)
        return row.finish()

    # In total ("all": always one row).
    total = _row_from(as_flows(total_before, total_window), _("Tổng cộng"), "")
    total.in_progress_overdue = sum(at_end.values())
    finished(total, (handled, online, full))

    # Per unit, its own dossiers ("unit"), in the order of the tree.
    unit_rows = []
    for unit_id, unit_flows in per_unit.items():
        name, code, path = info[unit_id]
        row = _row_from(unit_flows, name, code)
        row.unit_id = unit_id
        row.in_progress_overdue = at_end.get(unit_id, 0)
        finished(row, own_links[unit_id])
        if not row.empty:
            unit_rows.append((path, row))
    unit_rows.sort(key=lambda pair: pair[0])

    # Per unit with its subtree ("unit_tree").
    scope_ids = None if units is None else set(info)
    tree = _Tree(set(per_unit) | set(at_end) | {u for u, _p, _m in links}, links, scope_ids)
    tree.info.update(info)
    tree_rows = tree.rows(per_unit, at_end)

    # Per month ("month"): each month's carried-over stock is the window's plus the months before.
    month_rows = []
    before = total_before
    for (y, m, _first, _last), sums, end in zip(periods, by_period, ends, strict=True):
        row = _row_from(as_flows(before, sums), f"{m:02d}/{y}", f"{y:04d}-{m:02d}")
        row.in_progress_overdue = stored[end] if end in stored else sum(overdue[end].values())
        month_rows.append(finished(row, (handled, online, full)))
        before = tuple(map(add, before, sums))
    return Overview(total=total, units=[r for _p, r in unit_rows], tree=tree_rows, months=month_rows)


def _stored_overdue(periods, ends, flows, info, units) -> dict[dt.datetime, int]:
    """The scope's dossiers overdue at the end of each whole month of the window (the last month
    excepted), read from what the dossier import stored for that month: ``dossiers.overdue_rate``
    of each unit with its subtree has the numerator resolved late + overdue at the month's end
    and the denominator resolved + in progress at its end (:func:`unit_tree_counts`, through the
    same :func:`_overdue_series`). Only for a scope of whole subtrees (every child of a unit in it
    is in it), summed over the tops of the scope; a month for which some top's stored
    denominator is not what the rollups give now (stale, or never written) is left out and
    counted from the dossiers by the caller. Counted from the dossiers, the stock at every
    month's end is a pass over every dossier open at one of them (seconds at province scale);
    stored, it is one read of a few values."""
    from cchc.indicators.models import IndicatorValue, PeriodKind

    months = [i for i, (_y, _m, first, _last) in enumerate(periods[:-1]) if first.day == 1]
    if not months:
        return {}
    if units is not None:
        ids = _unit_ids(units)
        if OrgUnit.objects.filter(parent__in=ids).exclude(pk__in=ids).exists():
            return {}  # a unit without its children: no stored subtree value is the scope's
    tops = {pk for pk, (_n, _c, path) in info.items() if _parent_id(path) not in info}
    # Per top: the sums of each bucket (BEFORE first) over its subtree.
    zero = (0,) * len(SERIES_FLOWS)
    sums: dict[int, list] = {}
    for unit_id, buckets in flows.items():
        top = next(p for p in path_ids(info[unit_id][2]) if p in tops)
        into = sums.setdefault(top, [zero] * (len(periods) + 1))
        for i, values in buckets.items():
            into[i + 1] = tuple(map(add, into[i + 1], values))
    late = SERIES_FLOWS.index("resolved_late")
    # Per top and month: (resolved + in progress at the month's end, resolved late).
    expected: dict[tuple[int, int], tuple[int, int]] = {}
    for top, by_bucket in sums.items():
        stock = 0
        for i, f in enumerate(by_bucket):
            stock += f[_RECEIVED] - f[_RESOLVED] - f[_WITHDRAWN]
            if i:
                expected[top, i - 1] = (f[_RESOLVED] + stock, f[late])
    values = {
        (unit_id, start): (numerator, denominator)
        for unit_id, start, numerator, denominator in IndicatorValue.objects.filter(
            indicator__code="dossiers.overdue_rate",
            period_kind=PeriodKind.MONTH,
            unit_id__in=list(tops),
            period_start__in=[periods[i][2] for i in months],
        ).values_list("unit_id", "period_start", "numerator", "denominator")
    }
    out: dict[dt.datetime, int] = {}
    for i in months:
        total = 0
        for top in tops:
            den, resolved_late = expected.get((top, i), (0, 0))
            value = values.get((top, periods[i][2]))
            if value is None and den == 0:
                continue  # nothing resolved nor open: nothing overdue, nothing stored
            if value is None or value[0] is None or value[1] != den or value[0] < resolved_late:
                break
            total += int(value[0]) - resolved_late
        else:
            out[ends[i]] = total
    return out


def _parent_id(path: str) -> int | None:
    ids = path_ids(path)
    return ids[-2] if len(ids) > 1 else None


def _bucket_flows(date_from, date_to, periods, units, level, field) -> dict[int, dict[int, tuple]]:
    """``{unit_id: {bucket: sums of SERIES_FLOWS}}``, the bucket being the index of the month in
    ``periods`` or :data:`BEFORE`. Without a level or field filter the whole months (and those
    before the window) come from the month rollups and only the days of partial months from the
    day rollups, as :func:`_flows_by_month`; with one, every day from the day rollups."""
    whole = [
        i for i, (y, m, first, last) in enumerate(periods) if first.day == 1 and last == month_window(y, m)[1]
    ]
    partial = [i for i in range(len(periods)) if i not in whole]
    first_month = date_from.replace(day=1)

    def day_bucket(indexes) -> Case:
        return Case(
            When(day__lt=date_from, then=Value(BEFORE)),
            *(When(day__lte=periods[i][3], then=Value(i)) for i in indexes),
            output_field=IntegerField(),
        )

    day_sums = {f"s_{c}": Sum(c) for c in DossierDay.COUNTERS}
    day_sums["s_received_fee"] = Sum("received", filter=Q(procedure__fee=True))
    parts = []
    if level is None and field is None:
        month_bucket = Case(
            When(month__lt=first_month, then=Value(BEFORE)),
            *(When(month=periods[i][2], then=Value(i)) for i in whole),
            output_field=IntegerField(),
        )
        months = DossierMonth.objects.filter(
            Q(month__lt=first_month) | Q(month__in=[periods[i][2] for i in whole])
        )
        parts.append(
            _filter(months, units, None, None)
            .values("unit_id", bucket=month_bucket)
            .annotate(**{f"s_{c}": Sum(c) for c in SERIES_FLOWS})
        )
        ranges = [(periods[i][2], periods[i][3]) for i in partial]
        if date_from.day > 1:
            ranges.append((first_month, date_from - dt.timedelta(days=1)))
        if ranges:
            days = DossierDay.objects.filter(reduce(or_, (Q(day__gte=a, day__lte=b) for a, b in ranges)))
            parts.append(
                _filter(days, units, None, None)
                .values("unit_id", bucket=day_bucket(partial))
                .annotate(**day_sums)
            )
    else:
        days = _filter(DossierDay.objects.filter(day__lte=date_to), units, level, field)
        parts.append(days.values("unit_id", bucket=day_bucket(range(len(periods)))).annotate(**day_sums))
    out: dict[int, dict[int, tuple]] = defaultdict(dict)
    columns = ("unit_id", "bucket", *(f"s_{c}" for c in SERIES_FLOWS))
    for part in parts:
        for unit_id, bucket, *values in _raw_rows(part.order_by().values_list(*columns)):
            if None in values:  # a filtered sum (received_fee) over no matching row
                values = [0 if v is None else v for v in values]
            for i, places in _SERIES_DECIMAL:
                values[i] = _decimal_sum(values[i], places)
            sums = tuple(values)
            buckets = out[unit_id]
            found = buckets.get(bucket)
            buckets[bucket] = sums if found is None else tuple(map(add, found, sums))
    return out


def _decimal_sum(value, places: int) -> Decimal:
    """A raw sum of a decimal rollup counter as a Decimal of ``places`` places (SQLite gives
    such sums as floats; the integer counters' sums are the driver's integers)."""
    return Decimal(str(value or 0)).quantize(Decimal(1).scaleb(-places))


def _raw_rows(queryset: QuerySet) -> list[tuple]:
    """The rows of ``queryset`` as the database driver returns them, without Django's per-value
    converters and row objects: for the grouped rollups (a row per unit and month, a thousand
    and more on a province), whose values are plain integers that need no conversion."""
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _by_unit_tree(date_from, date_to, units, level, field) -> list[KpiRow]:
    _start, end = window_moments(date_from, date_to)
    flows = _flows(date_from, date_to, "unit_id", units, level, field)
    overdue = _overdue(end, "unit_id", units, level, field)
    links = list(
        _filter(ProcedureUnit.objects.all(), units, level, field).values_list(
            "unit_id", "procedure_id", "procedure__online_mode"
        )
    )
    scope_ids = (
        None
        if units is None
        else set(OrgUnit.objects.filter(pk__in=_unit_ids(units)).values_list("pk", flat=True))
    )
    return _tree_rows(flows, overdue, links, scope_ids)


# The sums that unit_tree_series reads per unit and month, in this order: the flows of a KpiRow,
# then the dossiers finished (resolved or withdrawn) for the carried-over stock.
SERIES_FLOWS = (*DossierDay.COUNTERS, "received_fee")
_RECEIVED, _RESOLVED, _WITHDRAWN = (SERIES_FLOWS.index(c) for c in ("received", "resolved", "withdrawn"))
_FINISHED = len(SERIES_FLOWS)
# (index, decimal places) of each flow that is not an integer counter.
_SERIES_DECIMAL = tuple(
    (i, field.decimal_places)
    for i, c in enumerate(SERIES_FLOWS)
    if c in DossierDay.COUNTERS
    and (field := DossierDay._meta.get_field(c)).get_internal_type() == "DecimalField"
)


def unit_tree_series(periods: list[tuple[dt.date, dt.date]]) -> list[list[KpiRow]]:
    """``compute_kpis(start, end, "unit_tree")`` for many periods of whole months at once: the
    rows of :func:`unit_tree_counts`, finished. Same rows as :func:`compute_kpis`."""
    return [[KpiRow(**counts).finish() for counts in rows] for rows in unit_tree_counts(periods)]


def unit_tree_counts(periods: list[tuple[dt.date, dt.date]]) -> list[list[dict]]:
    """The rows of :func:`unit_tree_series` before :meth:`KpiRow.finish`: for each period, one
    dict of KpiRow fields per unit (``group``, ``group_key``, ``unit_id``, the counts and
    ``in_progress``; no rates), in the same order. The indicator values of an import take
    these, and compute only the rates they store.

    The rollups are read once, grouped by unit and month; each unit's months are added into
    every unit of its path (itself and its ancestors) and turned into running sums, so that a
    period's flows are the difference of two running sums and its carried-over stock one
    running sum: O(units) per period, whatever the number of months."""
    if not periods:
        return []
    last = max(end for _s, end in periods)
    # The month rollups: a few rows per unit and month whatever the number of dossiers.
    qs = (
        DossierMonth.objects.filter(month__lte=last)
        .annotate(s_finished=F("resolved") + F("withdrawn"))
        .order_by()
        .values_list("unit_id", "month", *DossierMonth.COUNTERS, "s_finished")
    )
    if connection.vendor == "postgresql":
        # The driver's values as they come (ints, decimals, dates): Django's converters, one
        # call per value, cost more than the rest of the reading.
        with connection.cursor() as cur:
            cur.execute(*qs.query.sql_with_params())
            monthly = cur.fetchall()
    else:
        monthly = list(qs)
    links = list(ProcedureUnit.objects.values_list("unit_id", "procedure_id", "procedure__online_mode"))
    tree = _Tree(None, links, None)
    running, months = tree.running_sums(monthly)
    ends = [window_moments(start, end)[1] for start, end in periods]
    overdue_at = _overdue_series(ends)
    return [
        tree.period_counts(running, bisect_left(months, start), bisect_right(months, end), overdue_at[moment])
        for (start, end), moment in zip(periods, ends, strict=True)
    ]


# The overdue test of :func:`overdue_q` at the moment ``e.t``, on the columns of ``d``.
_OVERDUE_AT_T = """
    ((d.sreq IS NULL OR d.sreq >= e.t) AND d.due_at < e.t)
    OR (d.sreq < e.t AND d.srec < e.t AND d.effective_due_at < e.t)
    OR (d.sreq < e.t AND (d.srec IS NULL OR d.srec >= e.t) AND d.due_at < d.sreq)
"""


def _overdue_series(ends: list[dt.datetime], units=None, level=None, field=None) -> dict[dt.datetime, dict]:
    """``_overdue(end, "unit_id", units, level, field)`` for many ends, in one query: the
    dossiers of the scope open at some end (received before the last, not finished before the
    first), each paired with the ends at which it is open, then :func:`overdue_q` at that end.
    PostgreSQL pairs a dossier only with those ends (``width_bucket`` over the sorted ends);
    other databases join the ends as a ``VALUES`` list."""
    ends = sorted(set(ends))
    out: dict[dt.datetime, dict] = {end: defaultdict(int) for end in ends}
    if not ends:
        return out
    # In two parts that each follow an index (as :func:`_overdue`): the dossiers not finished
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
        _filter(Dossier.objects.filter(still_open, received_at__lt=ends[-1]), units, level, field)
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


def _tree_rows(flows: dict, overdue: dict, links: list, scope_ids: set | None) -> list[KpiRow]:
    """Each unit with its whole subtree, from the per-unit flows and overdue counts."""
    own_ids = set(flows) | set(overdue)
    return _Tree(own_ids | {u for u, _p, _m in links}, links, scope_ids).rows(flows, overdue)


class _Tree:
    """The unit tree behind ``unit_tree`` rows: each unit's targets (itself and its ancestors,
    within the scope) and the procedures each target handles, read once for many periods."""

    def __init__(self, unit_ids: set | None, links: list, scope_ids: set | None):
        units = OrgUnit.objects.all() if unit_ids is None else OrgUnit.objects.filter(pk__in=unit_ids)
        self.paths = dict(units.values_list("pk", "path"))
        self.scope_ids = scope_ids
        self._targets: dict[int, list[int]] = {}
        self.handled: dict[int, set] = defaultdict(set)
        self.online: dict[int, set] = defaultdict(set)
        self.full: dict[int, set] = defaultdict(set)
        for unit_id, proc_id, mode in links:
            for target in self.targets(unit_id):
                self.handled[target].add(proc_id)
                if mode != OnlineMode.NONE:
                    self.online[target].add(proc_id)
                if mode == OnlineMode.FULL:
                    self.full[target].add(proc_id)
        self.info: dict[int, tuple] = {}
        self._fixed_rows: dict[int, tuple[str, dict]] = {}

    def targets(self, unit_id: int) -> list[int]:
        found = self._targets.get(unit_id)
        if found is None:
            ids = path_ids(self.paths.get(unit_id, ""))
            found = [i for i in ids if self.scope_ids is None or i in self.scope_ids]
            self._targets[unit_id] = found
        return found

    def _load_info(self, unit_ids) -> None:
        missing = [pk for pk in unit_ids if pk not in self.info]
        if missing:
            self.info.update(
                (pk, (name, code, path))
                for pk, name, code, path in OrgUnit.objects.filter(pk__in=missing).values_list(
                    "pk", "name", "code", "path"
                )
            )

    def running_sums(self, monthly: list[tuple]) -> tuple[dict[int, list[tuple]], list[dt.date]]:
        """From ``(unit_id, month, *sums)`` rows (the sums of :data:`SERIES_FLOWS`, then the
        finished dossiers): the sorted months, and for each unit of the tree the running sums of
        its subtree over them: ``sums[i]`` = the sums over the months before ``months[i]``
        (exact integers and decimals; none is NULL). A unit without rollups has none."""
        as_date = {m: m.date() if isinstance(m, dt.datetime) else m for m in {row[1] for row in monthly}}
        months = sorted(set(as_date.values()))
        position = {m: i for i, m in enumerate(months)}
        index = {m: position[d] for m, d in as_date.items()}
        zero = (0,) * (_FINISHED + 1)
        own: dict[int, list] = {}
        for row in monthly:
            by_month = own.get(row[0])
            if by_month is None:
                by_month = own[row[0]] = [zero] * len(months)
            i = index[row[1]]
            values = row[2:]
            by_month[i] = values if by_month[i] is zero else tuple(map(add, by_month[i], values))
        # Column by column (each column's running sums end to end in one list), so that a unit is
        # added into each of its targets with one ``map``.
        n = len(months) + 1
        running: dict[int, list] = {}
        for unit_id, by_month in own.items():
            columns = zip(*by_month, strict=True)
            sums = list(chain.from_iterable(accumulate(column, initial=0) for column in columns))
            for target in self.targets(unit_id):
                below = running.get(target)
                running[target] = sums if below is None else list(map(add, below, sums))
        # Then month by month: ``sums[i]`` holds every column's running sum before ``months[i]``.
        width = range(0, (_FINISHED + 1) * n, n)
        return {
            t: list(zip(*(sums[c : c + n] for c in width), strict=True)) for t, sums in running.items()
        }, months

    def period_counts(self, running: dict[int, list], lo: int, hi: int, overdue: dict) -> list[dict]:
        """The rows of :meth:`rows`, unfinished (see :func:`unit_tree_counts`), for the months
        ``lo`` (included) to ``hi`` (excluded) of :meth:`running_sums`: a unit's flows are
        ``running[hi] - running[lo]`` and its carried-over stock comes from ``running[lo]``. A
        unit whose row would be empty is left out, as :meth:`rows` leaves it out (a unit with no
        dossier up to the period's end sums to zero)."""
        overdue_below: dict[int, int] = defaultdict(int)
        for unit_id, n in overdue.items():
            for target in self.targets(unit_id):
                overdue_below[target] += n
        fixed = self._fixed(set(running) | set(overdue_below))
        zero = (0,) * (_FINISHED + 1)
        out = []
        for target in set(running) | set(overdue_below):
            sums = running.get(target)
            if sums is None:
                before = window = zero
            else:
                before = sums[lo]
                window = tuple(map(sub, sums[hi], before))
            carried_over = before[_RECEIVED] - before[_FINISHED]
            received, resolved, withdrawn = window[_RECEIVED], window[_RESOLVED], window[_WITHDRAWN]
            in_progress = carried_over + received - resolved - withdrawn
            if not (carried_over or received or resolved or withdrawn or in_progress):
                continue
            path, labels = fixed[target]
            # The window's last sum is the finished dossiers, not a KpiRow field.
            counts: dict = dict(zip(SERIES_FLOWS, window, strict=False))
            counts.update(labels)
            counts["processing_days_sum"] = Decimal(counts["processing_days_sum"]).quantize(CENT)
            counts["carried_over"] = carried_over
            counts["in_progress"] = in_progress
            counts["in_progress_overdue"] = overdue_below.get(target, 0)
            out.append((path, counts))
        out.sort(key=lambda pair: pair[0])
        return [counts for _path, counts in out]

    def _fixed(self, unit_ids: set[int]) -> dict[int, tuple[str, dict]]:
        """For :meth:`period_counts`: each unit's path (the order of the rows) and the fields of
        its row that do not depend on the period (labels, procedures handled)."""
        missing = unit_ids - self._fixed_rows.keys()
        if missing:
            self._load_info(missing)
            for pk in missing:
                name, code, path = self.info[pk]
                self._fixed_rows[pk] = (
                    path,
                    {
                        "group": name,
                        "group_key": code,
                        "unit_id": pk,
                        "procedures_handled": len(self.handled[pk]),
                        "procedures_online": len(self.online[pk]),
                        "procedures_full_online": len(self.full[pk]),
                    },
                )
        return self._fixed_rows

    def rows(self, flows: dict, overdue: dict) -> list[KpiRow]:
        totals: dict[int, KpiRow] = {}
        for unit_id in set(flows) | set(overdue):
            own = _row_from(flows.get(unit_id), "", "")
            own.in_progress_overdue = overdue.get(unit_id, 0)
            for target in self.targets(unit_id):
                totals.setdefault(target, KpiRow(group="", group_key="", unit_id=target)).add(own)
        self._load_info(totals)
        rows = []
        for unit_id, row in totals.items():
            row.group, row.group_key, order = self.info[unit_id]
            row.procedures_handled = len(self.handled[unit_id])
            row.procedures_online = len(self.online[unit_id])
            row.procedures_full_online = len(self.full[unit_id])
            row.finish()
            if not row.empty:
                rows.append((order, row))
        rows.sort(key=lambda pair: pair[0])
        return [r for _o, r in rows]
