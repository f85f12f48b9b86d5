"""The indicator spine: the catalogue, the one writer of values, the one roll-up up the unit tree
and the targets.

- :func:`replace_values` is the only code that writes :class:`IndicatorValue` rows (dossiers,
  surveys, monthly entry and imports all call it; a test fails if anything else does).
- :func:`rolled_values` is the one reader that combines values: a unit's value is its own stored
  value for the period when it has one; otherwise its months (or quarters) combined, otherwise its
  children's values combined — ratios as Σ numerators / Σ denominators, never a mean of rates.
- :func:`target_for` and :func:`target_status` are the one place plans, commitments and
  dashboards ask "which target applies, and are we on track".
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from cchc.core.bulk import insert_rows
from cchc.core.importing import YamlError, load_yaml
from cchc.core.numbers import vn_number
from cchc.indicators.models import (
    Aggregation,
    Indicator,
    IndicatorSource,
    IndicatorValue,
    Periodicity,
    PeriodKind,
    Target,
    ValueOrigin,
    year_period,
)
from cchc.indicators.periods import Period
from cchc.orgs.models import OrgUnit

CATALOGUE = Path(__file__).resolve().parent.parent / "data" / "indicators.yaml"
Q4 = Decimal("0.0001")
ORIGIN_PRECEDENCE = [ValueOrigin.COMPUTED, ValueOrigin.ENTRY, ValueOrigin.IMPORTED]


# -- the catalogue ------------------------------------------------------------------------------------


CATALOGUE_KEYS = {
    "code",
    "name",
    "unit",
    "direction",
    "aggregation",
    "periodicity",
    "range",
    "source",
    "methodology",
    "description",
}
REQUIRED_KEYS = CATALOGUE_KEYS - {"description"}


def read_catalogue(path: Path = CATALOGUE) -> list[dict]:
    """The entries of the catalogue file, checked strictly: unknown or missing keys, unknown
    choices and bad ranges are errors (ValueError naming the entry and the key)."""
    try:
        data = load_yaml(path)
    except YamlError as exc:
        raise ValueError(f"{path.name}: " + "; ".join(exc.problems)) from None
    if not isinstance(data, dict) or set(data) != {"indicators"}:
        raise ValueError(_("%(f)s: cần đúng một khoá 'indicators'") % {"f": path.name})
    entries, seen = [], set()
    for n, raw in enumerate(data["indicators"], start=1):
        where = f"{path.name}, #{n} ({raw.get('code', '?') if isinstance(raw, dict) else '?'})"
        if not isinstance(raw, dict):
            raise ValueError(_("%(w)s: không phải một chỉ tiêu") % {"w": where})
        unknown, missing = set(raw) - CATALOGUE_KEYS, REQUIRED_KEYS - set(raw)
        if unknown or missing:
            raise ValueError(
                _("%(w)s: khoá không hợp lệ %(u)s, thiếu %(m)s")
                % {"w": where, "u": sorted(unknown), "m": sorted(missing)}
            )
        choices = {
            "direction": {"higher", "lower"},
            "aggregation": set(Aggregation.values),
            "periodicity": set(Periodicity.values),
            "source": set(IndicatorSource.values),
        }
        for key, allowed in choices.items():
            if raw[key] not in allowed:
                raise ValueError(
                    _("%(w)s: %(k)s phải là một trong %(a)s") % {"w": where, "k": key, "a": sorted(allowed)}
                )
        name = raw["name"]
        if not isinstance(name, dict) or set(name) != {"vi", "en"}:
            raise ValueError(_("%(w)s: name cần hai khoá vi và en") % {"w": where})
        low, high = (Decimal(str(v)) for v in raw["range"])
        if low > high:
            raise ValueError(_("%(w)s: range cần min ≤ max") % {"w": where})
        if raw["code"] in seen:
            raise ValueError(_("%(w)s: mã bị lặp") % {"w": where})
        seen.add(raw["code"])
        entries.append({**raw, "range": (low, high)})
    return entries


def sync_catalogue(path: Path = CATALOGUE, *, indicator_model=Indicator) -> int:
    """Create or update every indicator of the catalogue (idempotent). Returns their number.
    ``indicator_model`` lets a migration pass its historical model."""
    entries = read_catalogue(path)
    for e in entries:
        indicator_model.objects.update_or_create(
            code=e["code"],
            defaults={
                "name": e["name"]["vi"],
                "name_en": e["name"]["en"],
                "unit_of_measure": e["unit"],
                "higher_is_better": e["direction"] == "higher",
                "aggregation": e["aggregation"],
                "periodicity": e["periodicity"],
                "min_value": e["range"][0],
                "max_value": e["range"][1],
                "source": e["source"],
                "methodology": e["methodology"],
                "description": e.get("description", ""),
            },
        )
    return len(entries)


# -- the one writer ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Value:
    """One value to write: ``indicator`` is an Indicator id."""

    indicator: int
    unit: int
    period: Period
    value: Decimal
    numerator: Decimal | None = None
    denominator: Decimal | None = None
    source: str = ""


VALUE_COLUMNS = [
    "indicator_id",
    "unit_id",
    "period_kind",
    "period_start",
    "period_end",
    "value",
    "numerator",
    "denominator",
    "origin",
    "source",
    "updated_at",
]


@transaction.atomic
def replace_values(
    origin: str,
    values: Iterable[Value],
    periods: Iterable[Period] | None,
    *,
    indicators: Iterable[int] | None = None,
    units: Iterable[int] | None = None,
) -> tuple[int, int]:
    """Write ``values`` of ``origin`` (a :class:`ValueOrigin`) in one transaction, in bulk (COPY
    on PostgreSQL).

    With ``periods``, those periods are rewritten whole for ``indicators`` (default: those of the
    values) and, when given, only for ``units``: a stored value of the same origin that is not
    among ``values`` goes (a unit whose dossiers moved away keeps no stale value). With
    ``periods=None`` each value replaces just its own key (indicator, unit, period): an upsert,
    which is what an import needs. Values of other origins are never touched. Returns
    (values written, values removed)."""
    if origin not in ValueOrigin.values:
        raise ValueError(f"unknown origin {origin!r}")
    values = list(values)
    indicator_ids = set(indicators) if indicators is not None else {v.indicator for v in values}
    if periods is not None:
        periods = set(periods)
        outside = [v for v in values if v.period not in periods or v.indicator not in indicator_ids]
        if outside:
            raise ValueError(f"value outside the periods or indicators being replaced: {outside[0]}")
        stale = Q(pk__in=[])
        for kind in {p.kind for p in periods}:
            stale |= Q(period_kind=kind, period_start__in=[p.start for p in periods if p.kind == kind])
        doomed = IndicatorValue.objects.filter(stale, origin=origin, indicator_id__in=indicator_ids)
        if units is not None:
            doomed = doomed.filter(unit_id__in=set(units))
        removed = doomed.delete()[0]
    else:
        keys = defaultdict(set)
        for v in values:
            keys[(v.indicator, v.period.kind, v.period.start)].add(v.unit)
        removed = 0
        for (indicator_id, kind, start), unit_ids in keys.items():
            removed += IndicatorValue.objects.filter(
                origin=origin,
                indicator_id=indicator_id,
                period_kind=kind,
                period_start=start,
                unit_id__in=unit_ids,
            ).delete()[0]
    now = timezone.now()
    # In the order of the (unit, indicator, period_start) index: PostgreSQL fills its pages in turn.
    values.sort(key=lambda v: (v.unit, v.indicator, v.period.start))
    insert_rows(
        IndicatorValue._meta.db_table,
        VALUE_COLUMNS,
        (
            (
                v.indicator,
                v.unit,
                v.period.kind,
                v.period.start,
                v.period.end,
                v.value,
                v.numerator,
                v.denominator,
                origin,
                v.source[:255],
                now,
            )
            for v in values
        ),
    )
    return len(values), removed


def ratio(numerator: Decimal, denominator: Decimal, unit_of_measure: str = "%") -> Decimal | None:
    """Σ numerators / Σ denominators (× 100 for a percentage), 4 decimals; None when 0/0."""
    if not denominator:
        return None
    scale = 100 if unit_of_measure == "%" else 1
    return (Decimal(numerator) * scale / Decimal(denominator)).quantize(Q4, ROUND_HALF_UP)


# -- the one roll-up -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rolled:
    """A unit's value for a period, as every reader sees it."""

    value: Decimal | None
    numerator: Decimal | None = None
    denominator: Decimal | None = None
    origin: str = ""  # the origin of a stored value; "rollup" when combined
    source: str = ""
    computed_at: dt.datetime | None = None


def combine(indicator: Indicator, parts: list[Rolled]) -> Rolled:
    """Values of several units or periods combined by the indicator's aggregation."""
    parts = [p for p in parts if p.value is not None or p.denominator]
    if not parts:
        return Rolled(None)
    agg = indicator.aggregation
    if agg == Aggregation.RATIO:
        with_counts = [p for p in parts if p.denominator is not None]
        num = sum((p.numerator or Decimal(0) for p in with_counts), Decimal(0))
        den = sum((p.denominator or Decimal(0) for p in with_counts), Decimal(0))
        return Rolled(ratio(num, den, indicator.unit_of_measure), num, den, "rollup")
    known = [p.value for p in parts if p.value is not None]
    if not known:
        return Rolled(None)
    if agg == Aggregation.SUM:
        return Rolled(sum(known, Decimal(0)), origin="rollup")
    if agg == Aggregation.MEAN:
        return Rolled((sum(known, Decimal(0)) / len(known)).quantize(Q4, ROUND_HALF_UP), origin="rollup")
    return Rolled(known[-1], origin="rollup")  # LATEST: parts come in time order


def rolled_values(
    indicator: Indicator, units: Iterable[OrgUnit], period: Period, *, until: dt.date | None = None
) -> dict[int, Rolled]:
    """{unit id: Rolled} for ``units`` over ``period`` (only the months up to ``until`` when
    given: the year to date). One query for every stored value of the units' subtrees."""
    units = list(units)
    if not units:
        return {}
    subtree = Q(pk__in=[])
    for u in units:
        subtree |= Q(path__startswith=u.path)
    tree = {u.pk: u for u in OrgUnit.objects.filter(subtree).only("pk", "path", "parent_id")}
    for u in units:
        tree.setdefault(u.pk, u)
    children = defaultdict(list)
    for u in tree.values():
        if u.parent_id in tree:
            children[u.parent_id].append(u.pk)
    end = min(period.end, until) if until else period.end
    stored: dict[tuple[int, str, str, dt.date], Rolled] = {}
    rows = IndicatorValue.objects.filter(
        indicator=indicator,
        unit_id__in=list(tree),
        period_start__gte=period.start,
        period_end__lte=period.end,
    ).values_list(
        "unit_id",
        "period_kind",
        "period_start",
        "period_end",
        "value",
        "numerator",
        "denominator",
        "origin",
        "source",
        "updated_at",
    )
    for unit_id, kind, start, p_end, value, num, den, origin, source, at in rows:
        if p_end > end:  # the year to date is read from its months, not from a whole-year value
            continue
        stored[unit_id, origin, kind, start] = Rolled(value, num, den, origin, source, at)

    whole = until is None or until >= period.end
    months = [m for m in period.months() if m.end <= end]
    quarters = (
        [] if period.kind != PeriodKind.YEAR else [Period.quarter(period.start.year, q) for q in range(1, 5)]
    )
    cache: dict[int, Rolled] = {}

    def own(unit_id: int) -> Rolled | None:
        """The unit's own figure: for each origin in precedence, its value for the whole
        period, else its months, else its quarters (an entered month beats an imported year)."""
        for origin in ORIGIN_PRECEDENCE:
            if whole:
                whole_value = stored.get((unit_id, origin, period.kind, period.start))
                if whole_value is not None:
                    return whole_value
            if period.kind == PeriodKind.MONTH:
                continue
            for kind, parts in ((PeriodKind.MONTH, months), (PeriodKind.QUARTER, quarters)):
                found = [
                    stored[k]
                    for p in parts
                    if p.end <= end and (k := (unit_id, origin, kind, p.start)) in stored
                ]
                if found:
                    return combine(indicator, found)
        return None

    def value_of(unit_id: int) -> Rolled:
        if unit_id not in cache:
            mine = own(unit_id)
            if mine is None:
                mine = combine(indicator, [value_of(c) for c in children.get(unit_id, [])])
            cache[unit_id] = mine
        return cache[unit_id]

    return {u.pk: value_of(u.pk) for u in units}


def yearly_values(
    indicator_codes: set[str], unit_ids: set[int] | None, year: int
) -> dict[tuple[str, int], Decimal]:
    """{(indicator code, unit id): value} for ``year``: each unit's stored yearly value (the
    computed one first, then an approved entry, then an imported one), else its months (or
    quarters) of the year combined by the indicator's aggregation — how a PAR criterion bound to a
    monthly entry indicator scores from the approved months."""
    start, end = year_period(year)
    indicators = {i.pk: i for i in Indicator.objects.filter(code__in=indicator_codes)}
    qs = IndicatorValue.objects.filter(
        indicator_id__in=list(indicators), period_start__gte=start, period_end__lte=end
    ).exclude(period_kind=PeriodKind.CUSTOM)
    if unit_ids is not None:
        qs = qs.filter(unit_id__in=unit_ids)
    found: dict[tuple[int, int], dict[tuple[str, str], list[tuple[dt.date, Rolled]]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for ind_id, unit_id, kind, p_start, value, num, den, origin in qs.values_list(
        "indicator_id",
        "unit_id",
        "period_kind",
        "period_start",
        "value",
        "numerator",
        "denominator",
        "origin",
    ):
        found[ind_id, unit_id][origin, kind].append((p_start, Rolled(value, num, den, origin)))
    out: dict[tuple[str, int], Decimal] = {}
    order = [
        (o, k) for o in ORIGIN_PRECEDENCE for k in (PeriodKind.YEAR, PeriodKind.MONTH, PeriodKind.QUARTER)
    ]
    for (ind_id, unit_id), by_kind in found.items():
        indicator = indicators[ind_id]
        for origin, kind in order:
            if (origin, kind) in by_kind:
                parts = [r for _s, r in sorted(by_kind[origin, kind], key=lambda item: item[0])]
                chosen = parts[0].value if kind == PeriodKind.YEAR else combine(indicator, parts).value
                if chosen is not None:
                    out[indicator.code, unit_id] = chosen
                    break
    return out


def set_yearly_value(
    indicator_code: str,
    unit,
    year: int,
    value: Decimal,
    *,
    numerator: Decimal | None = None,
    denominator: Decimal | None = None,
    source: str = "",
    origin: str = ValueOrigin.IMPORTED,
) -> None:
    """One yearly value (an upsert through :func:`replace_values`)."""
    indicator = Indicator.objects.get(code=indicator_code)
    replace_values(
        origin,
        [Value(indicator.pk, unit.pk, Period.year(year), value, numerator, denominator, source)],
        None,
    )


# -- targets -------------------------------------------------------------------------------------------


def target_for(indicator: Indicator, unit: OrgUnit, year: int) -> Target | None:
    """The target that applies to ``unit``: its own, else its type's, else its nearest
    ancestor's, else the one for every unit."""
    targets = list(
        Target.objects.filter(indicator=indicator, year=year).filter(
            Q(unit__isnull=True, unit_type__isnull=True)
            | Q(unit_type_id=unit.unit_type_id)
            | Q(unit_id__in=unit.path_ids)
        )
    )
    by_unit = {t.unit_id: t for t in targets if t.unit_id}
    if unit.pk in by_unit:
        return by_unit[unit.pk]
    for t in targets:
        if t.unit_type_id:
            return t
    for ancestor in reversed(unit.path_ids[:-1]):
        if ancestor in by_unit:
            return by_unit[ancestor]
    return next((t for t in targets if not t.unit_id and not t.unit_type_id), None)


class Status:
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    MISSED = "missed"
    NO_TARGET = "no_target"
    NO_DATA = "no_data"

    LABELS = {
        ON_TRACK: "Đạt / đúng tiến độ",
        AT_RISK: "Có nguy cơ không đạt",
        MISSED: "Không đạt",
        NO_TARGET: "Chưa giao mục tiêu",
        NO_DATA: "Chưa có số liệu",
    }


@dataclass(frozen=True)
class TargetStatus:
    status: str
    value: Decimal | None
    target: Decimal | None
    higher_is_better: bool
    reason: str

    @property
    def on_track(self) -> bool | None:
        if self.status in (Status.NO_TARGET, Status.NO_DATA):
            return None
        return self.status == Status.ON_TRACK


def meets(value: Decimal, target: Decimal, higher_is_better: bool) -> bool:
    return value >= target if higher_is_better else value <= target


def target_status(
    indicator: Indicator,
    unit: OrgUnit,
    period: Period,
    on: dt.date,
    *,
    rolled: Rolled | None = None,
    goal: Decimal | None = None,
) -> TargetStatus:
    """Where ``unit`` stands against its target for ``period`` (the target of the period's
    year) on day ``on``: the value to date (ratios from numerators and denominators) meets the
    target → on track; not met while the period runs → at risk; not met once it is over (or a
    cumulative "at most" already passed) → missed. ``goal`` is a target set elsewhere (a plan's
    task, a commitment item) instead of the indicator's target table; its direction is still the
    indicator's."""
    higher = indicator.higher_is_better
    if rolled is None:
        rolled = rolled_values(indicator, [unit], period, until=on if on < period.end else None)[unit.pk]
    value = rolled.value
    if goal is None:
        target = target_for(indicator, unit, period.start.year)
        if target is None:
            return TargetStatus(Status.NO_TARGET, value, None, higher, _("chưa giao mục tiêu"))
        goal = target.value
    word = _("tối thiểu") if higher else _("tối đa")
    if value is None:
        return TargetStatus(Status.NO_DATA, None, goal, higher, _("chưa có số liệu"))
    figures = {"v": fmt(value), "t": fmt(goal), "w": word}
    if meets(value, goal, higher):
        return TargetStatus(
            Status.ON_TRACK, value, goal, higher, _("đạt %(v)s so với mục tiêu %(w)s %(t)s") % figures
        )
    over = on >= period.end or (indicator.aggregation == Aggregation.SUM and not higher)
    if over:
        return TargetStatus(
            Status.MISSED, value, goal, higher, _("%(v)s, không đạt mục tiêu %(w)s %(t)s") % figures
        )
    return TargetStatus(
        Status.AT_RISK, value, goal, higher, _("%(v)s, chưa đạt mục tiêu %(w)s %(t)s") % figures
    )


def fmt(value: Decimal | None, places: int = 2) -> str:
    """89,34 — the Vietnamese form."""
    return vn_number(value, places)


def fmt_plain(value: Decimal | None) -> str:
    """A count or a typed figure without trailing zeros, in the Vietnamese form: 45,5 — 1.200."""
    if value is None:
        return ""
    text = f"{Decimal(value):f}"
    places = len(text.split(".")[1].rstrip("0")) if "." in text else 0
    return fmt(value, places)


# -- refreshers: computed indicators are written by the apps above this one ---------------------------

REFRESHERS: dict[str, Callable[[int], int]] = {}


def register_refresher(name: str, refresh: Callable[[int], int]) -> None:
    """An app that computes indicators registers how to recompute a year (in its AppConfig.ready):
    the indicators layer never imports the apps above it."""
    REFRESHERS[name] = refresh


def refresh_year(year: int) -> dict[str, int]:
    return {name: refresh(year) for name, refresh in sorted(REFRESHERS.items())}
