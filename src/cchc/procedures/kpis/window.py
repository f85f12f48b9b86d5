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

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from functools import reduce
from operator import add, or_

from django.db import connection
from django.db.models import Case, Count, F, IntegerField, Q, QuerySet, Sum, Value, When
from django.utils.translation import gettext as _

from cchc.orgs.models import OrgUnit, path_ids
from cchc.procedures.kpis.row import KpiRow, row_from
from cchc.procedures.kpis.scope import (
    in_scope,
    month_periods,
    month_window,
    overdue_q,
    overdue_series,
    unit_ids,
    window_moments,
)
from cchc.procedures.kpis.tree import RECEIVED, RESOLVED, SERIES_FLOWS, WITHDRAWN, UnitTree, tree_rows
from cchc.procedures.models import (
    Dossier,
    DossierDay,
    DossierMonth,
    OnlineMode,
    ProcedureLevel,
    ProcedureUnit,
)

GROUPINGS = ("unit", "unit_tree", "level", "field", "procedure", "month", "all")


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
    months = in_scope(DossierMonth.objects.filter(month__lte=date_to), units, None, None)
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
        days = in_scope(DossierDay.objects.filter(days_in(window_days + before_days)), units, None, None)
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
    return _grouped(in_scope(DossierDay.objects.filter(day__lte=date_to), units, level, field), key, aggs)


def _overdue(end, key, units, level, field) -> dict:
    """Open at ``end`` and overdue, counted in two parts that each follow an index: the
    dossiers not finished at all (the partial index on open dossiers) and those finished after
    ``end`` (``unit, finished_at``). One query with ``finished_at IS NULL OR finished_at >= end``
    would read every dossier of the scope received before ``end``."""
    counts: dict = defaultdict(int)
    for still_open in (Q(finished_at__isnull=True), Q(finished_at__gte=end)):
        qs = Dossier.objects.filter(still_open & Q(received_at__lt=end) & overdue_q(end))
        qs = in_scope(qs, units, level, field)
        if key is None:
            counts[None] += qs.count()
        else:
            for r in qs.values(key).annotate(n=Count("id")).order_by():
                counts[r[key]] += r["n"]
    return counts


def _procedures(key, units, level, field) -> dict:
    qs = in_scope(ProcedureUnit.objects.all(), units, level, field)
    online = ~Q(procedure__online_mode=OnlineMode.NONE)
    aggs = {
        "handled": Count("procedure_id", distinct=True),
        "online": Count("procedure_id", distinct=True, filter=online),
        "full": Count("procedure_id", distinct=True, filter=Q(procedure__online_mode=OnlineMode.FULL)),
    }
    return _grouped(qs, key, aggs)


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
        row = row_from(f, group, group_key)
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


@dataclass
class Overview:
    """What :func:`compute_kpis` gives for one window and scope by ``all`` (``total``), ``unit``,
    ``unit_tree`` and ``month``, from one read of the rollups (:func:`kpi_overview`)."""

    total: KpiRow
    units: list[KpiRow]
    tree: list[KpiRow]
    months: list[KpiRow]


BEFORE = -1  # the bucket of the rollups before the window (the carried-over stock)


def kpi_overview(
    date_from: dt.date, date_to: dt.date, *, units=None, level: str | None = None, field: str | None = None
) -> Overview:
    """The KPI rows of the window [date_from, date_to] in total, per unit, per unit with its
    subtree and per month (each list equal to :func:`compute_kpis`' rows for that grouping) in
    a fixed number of queries whatever the number of months and units: the rollups grouped by
    unit and month of the window (:func:`_bucket_flows`), the dossiers overdue at every month's
    end in one query (:func:`overdue_series`), the procedure–unit links and the units."""
    if date_to < date_from:
        raise ValueError("date_to is before date_from")
    periods = month_periods(date_from, date_to)
    flows = _bucket_flows(date_from, date_to, periods, units, level, field)
    ends = [window_moments(first, last)[1] for _y, _m, first, last in periods]
    links = list(
        in_scope(ProcedureUnit.objects.all(), units, level, field).values_list(
            "unit_id", "procedure_id", "procedure__online_mode"
        )
    )
    scope = OrgUnit.objects.all() if units is None else OrgUnit.objects.filter(pk__in=unit_ids(units))
    info = {
        pk: (name, code, path) for pk, name, code, path in scope.values_list("pk", "name", "code", "path")
    }
    # The overdue stock: at the ends of whole months as the import stored it where it can be
    # read (and still agrees with the rollups); at the window's end, and elsewhere, from dossiers.
    stored = {} if level or field else _stored_overdue(periods, ends, flows, info, units)
    overdue = overdue_series([e for e in ends if e not in stored or e == ends[-1]], units, level, field)

    n = len(SERIES_FLOWS)
    zero = (0,) * n
    at_end = overdue[ends[-1]]

    def as_flows(before: tuple, window: tuple) -> dict:
        """The sums in the form of :func:`_flows` (what :func:`row_from` reads)."""
        out = {f"s_{c}": v for c, v in zip(SERIES_FLOWS, window, strict=True)}
        out["s_before_received"] = before[RECEIVED]
        out["s_before_finished"] = before[RESOLVED] + before[WITHDRAWN]
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
    total = row_from(as_flows(total_before, total_window), _("Tổng cộng"), "")
    total.in_progress_overdue = sum(at_end.values())
    finished(total, (handled, online, full))

    # Per unit, its own dossiers ("unit"), in the order of the tree.
    unit_rows = []
    for unit_id, unit_flows in per_unit.items():
        name, code, path = info[unit_id]
        row = row_from(unit_flows, name, code)
        row.unit_id = unit_id
        row.in_progress_overdue = at_end.get(unit_id, 0)
        finished(row, own_links[unit_id])
        if not row.empty:
            unit_rows.append((path, row))
    unit_rows.sort(key=lambda pair: pair[0])

    # Per unit with its subtree ("unit_tree").
    scope_ids = None if units is None else set(info)
    tree = UnitTree(set(per_unit) | set(at_end) | {u for u, _p, _m in links}, links, scope_ids)
    tree.info.update(info)
    tree_rows = tree.rows(per_unit, at_end)

    # Per month ("month"): each month's carried-over stock is the window's plus the months before.
    month_rows = []
    before = total_before
    for (y, m, _first, _last), sums, end in zip(periods, by_period, ends, strict=True):
        row = row_from(as_flows(before, sums), f"{m:02d}/{y}", f"{y:04d}-{m:02d}")
        row.in_progress_overdue = stored[end] if end in stored else sum(overdue[end].values())
        month_rows.append(finished(row, (handled, online, full)))
        before = tuple(map(add, before, sums))
    return Overview(total=total, units=[r for _p, r in unit_rows], tree=tree_rows, months=month_rows)


def _stored_overdue(periods, ends, flows, info, units) -> dict[dt.datetime, int]:
    """The scope's dossiers overdue at the end of each whole month of the window (the last month
    excepted), read from what the dossier import stored for that month: ``dossiers.overdue_rate``
    of each unit with its subtree has the numerator resolved late + overdue at the month's end
    and the denominator resolved + in progress at its end (:func:`unit_tree_counts`, through the
    same :func:`overdue_series`). Only for a scope of whole subtrees (every child of a unit in it
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
        ids = unit_ids(units)
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
            stock += f[RECEIVED] - f[RESOLVED] - f[WITHDRAWN]
            if i:
                expected[top, i - 1] = (f[RESOLVED] + stock, f[late])
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


# (index, decimal places) of each flow that is not an integer counter.
_SERIES_DECIMAL = tuple(
    (i, field.decimal_places)
    for i, c in enumerate(SERIES_FLOWS)
    if c in DossierDay.COUNTERS
    and (field := DossierDay._meta.get_field(c)).get_internal_type() == "DecimalField"
)


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
            in_scope(months, units, None, None)
            .values("unit_id", bucket=month_bucket)
            .annotate(**{f"s_{c}": Sum(c) for c in SERIES_FLOWS})
        )
        ranges = [(periods[i][2], periods[i][3]) for i in partial]
        if date_from.day > 1:
            ranges.append((first_month, date_from - dt.timedelta(days=1)))
        if ranges:
            days = DossierDay.objects.filter(reduce(or_, (Q(day__gte=a, day__lte=b) for a, b in ranges)))
            parts.append(
                in_scope(days, units, None, None)
                .values("unit_id", bucket=day_bucket(partial))
                .annotate(**day_sums)
            )
    else:
        days = in_scope(DossierDay.objects.filter(day__lte=date_to), units, level, field)
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
        in_scope(ProcedureUnit.objects.all(), units, level, field).values_list(
            "unit_id", "procedure_id", "procedure__online_mode"
        )
    )
    scope_ids = (
        None
        if units is None
        else set(OrgUnit.objects.filter(pk__in=unit_ids(units)).values_list("pk", flat=True))
    )
    return tree_rows(flows, overdue, links, scope_ids)
