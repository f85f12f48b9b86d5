"""The dossier indicators (chỉ số hồ sơ TTHC): on-time, online, digitisation, overdue, online
payment and online procedure rates of every unit's subtree, computed from the rollups and written
through the one writer of the indicator spine. Read by the dossier import (both paths) and by the
yearly refresh; below the import, above the rollups and the KPIs."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from operator import itemgetter


def months_between(first: dt.date, last: dt.date) -> list[tuple[int, int]]:
    out = []
    y, m = first.year, first.month
    while (y, m) <= (last.year, last.month):
        out.append((y, m))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


# -- indicator values --------------------------------------------------------------------------------------

INDICATOR_RATES = {
    "dossiers.on_time_rate": ("resolved_early+resolved_on_time", "resolved"),
    "dossiers.online_rate": ("received_online", "received"),
    "dossiers.digitized_rate": ("digitized", "received"),
    "dossiers.overdue_rate": ("resolved_late+in_progress_overdue", "resolved+in_progress"),
    "dossiers.online_payment_rate": ("paid_online", "received_fee"),
    "dossiers.online_procedure_rate": ("procedures_online", "procedures_handled"),
}


def write_indicator_values(months: list[tuple[int, int]], *, years: set[int] | None = None) -> int:
    """Write every dossier indicator for every unit (its whole subtree, summed from numerators
    and denominators) for the given months and for the years they fall in. Returns the number
    of values written.

    The periods are rewritten whole through the one writer,
    :func:`cchc.indicators.services.replace_values` (one transaction, COPY on PostgreSQL). The
    units' counts come from :func:`~cchc.procedures.kpis.unit_tree_counts` (no KpiRow is built)."""
    from cchc.indicators.models import Indicator, ValueOrigin
    from cchc.indicators.periods import Period
    from cchc.indicators.services import Value, replace_values
    from cchc.procedures.kpis import KpiRow, unit_tree_counts

    indicators = {i.code: i for i in Indicator.objects.filter(code__in=INDICATOR_RATES)}
    rates = [
        (indicators[code].pk, _summed(num), _summed(den))
        for code, (num, den) in INDICATOR_RATES.items()
        if code in indicators
    ]
    periods = [Period.month(y, m) for y, m in months]
    periods += [Period.year(y) for y in sorted((years or set()) | {y for y, _m in months})]
    if not periods:
        return 0
    series = unit_tree_counts([(p.start, p.end) for p in periods])
    # A value is computed once per indicator, numerator and denominator: most repeat across
    # units and periods.
    rated: dict[tuple, Decimal] = {}
    values: list[Value] = []
    for period, kpi_rows in zip(periods, series, strict=True):
        window = f";from={period.start.isoformat()};to={period.end.isoformat()}"
        for row in kpi_rows:
            if not (row["received"] or row["resolved"] or row["in_progress"] or row["withdrawn"]):
                continue
            source = f"dossiers:unit={row['group_key']}{window}"
            for indicator_id, numerator, denominator in rates:
                den = denominator(row)
                if den == 0:
                    continue
                num = numerator(row)
                value = rated.get((num, den))
                if value is None:
                    value = rated[num, den] = KpiRow.rate(num, den)
                values.append(Value(indicator_id, row["unit_id"], period, value, num, den, source))
    # The periods are rewritten whole: a unit whose dossiers moved away keeps no stale value.
    written, _removed = replace_values(
        ValueOrigin.COMPUTED, values, periods, indicators=[i.pk for i in indicators.values()]
    )
    return written


def _summed(expr: str) -> Callable:
    """``"a+b"`` → a function giving ``row["a"] + row["b"]`` (``sum`` of the values)."""
    names = expr.split("+")
    if len(names) == 1:
        return itemgetter(names[0])
    get = itemgetter(*names)
    return lambda row: sum(get(row))


def write_year_indicators(year: int) -> int:
    return write_indicator_values(months_between(dt.date(year, 1, 1), dt.date(year, 12, 31)), years={year})
