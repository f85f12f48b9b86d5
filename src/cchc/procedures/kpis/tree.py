"""The unit-tree roll-up behind the ``unit_tree`` rows: each unit with its whole subtree
(numerators and denominators summed up the tree), for one window (:func:`tree_rows`, through
:class:`UnitTree`) or for many periods of whole months at once (:func:`unit_tree_series`,
:func:`unit_tree_counts`: running sums over the month rollups)."""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left, bisect_right
from collections import defaultdict
from decimal import Decimal
from itertools import accumulate, chain
from operator import add, sub

from django.db import connection
from django.db.models import F

from cchc.orgs.models import OrgUnit, path_ids
from cchc.procedures.kpis.row import CENT, KpiRow, row_from
from cchc.procedures.kpis.scope import overdue_series, window_moments
from cchc.procedures.models import DossierDay, DossierMonth, OnlineMode, ProcedureUnit

# The sums that unit_tree_series reads per unit and month, in this order: the flows of a KpiRow,
# then the dossiers finished (resolved or withdrawn) for the carried-over stock.
SERIES_FLOWS = (*DossierDay.COUNTERS, "received_fee")
RECEIVED, RESOLVED, WITHDRAWN = (SERIES_FLOWS.index(c) for c in ("received", "resolved", "withdrawn"))
FINISHED = len(SERIES_FLOWS)


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
    tree = UnitTree(None, links, None)
    running, months = tree.running_sums(monthly)
    ends = [window_moments(start, end)[1] for start, end in periods]
    overdue_at = overdue_series(ends)
    return [
        tree.period_counts(running, bisect_left(months, start), bisect_right(months, end), overdue_at[moment])
        for (start, end), moment in zip(periods, ends, strict=True)
    ]


def tree_rows(flows: dict, overdue: dict, links: list, scope_ids: set | None) -> list[KpiRow]:
    """Each unit with its whole subtree, from the per-unit flows and overdue counts."""
    own_ids = set(flows) | set(overdue)
    return UnitTree(own_ids | {u for u, _p, _m in links}, links, scope_ids).rows(flows, overdue)


class UnitTree:
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
        zero = (0,) * (FINISHED + 1)
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
        width = range(0, (FINISHED + 1) * n, n)
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
        zero = (0,) * (FINISHED + 1)
        out = []
        for target in set(running) | set(overdue_below):
            sums = running.get(target)
            if sums is None:
                before = window = zero
            else:
                before = sums[lo]
                window = tuple(map(sub, sums[hi], before))
            carried_over = before[RECEIVED] - before[FINISHED]
            received, resolved, withdrawn = window[RECEIVED], window[RESOLVED], window[WITHDRAWN]
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
            own = row_from(flows.get(unit_id), "", "")
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
