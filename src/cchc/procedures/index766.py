"""The Decision 766/QĐ-TTg service index (Bộ chỉ số 766) as pure functions over plain values.

The rules are data (``cchc/data/index766.yaml``): five groups, their indicators, each with its
maximum points and the rate at which the full points are reached; below that threshold the
points are linear: ``points = max × min(1, rate / threshold)``. An indicator whose rate is None
is "not measured" (chưa đo được): it gets no points and its maximum is left out of the measured
maximum, so a unit is never penalised, nor flattered, for what the data cannot show.

No database here: :func:`measures_from_counts` turns the counts of the dossier KPI report into
the rates the index needs, :func:`score` turns rates into points.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from pathlib import Path

from cchc.core.importing import YamlError, load_yaml

RULES_PATH = Path(__file__).resolve().parent.parent / "data" / "index766.yaml"
HUNDRED = Decimal(100)
CENT = Decimal("0.01")

#: The measures that the dossier data and the procedure catalogue can feed (``measure:`` in the YAML).
MEASURES = (
    "on_time_766",
    "online_procedures",
    "online_dossiers",
    "paid_online",
    "digitized",
    "satisfaction_overdue",
)


class RulesError(ValueError):
    """The rules file is inconsistent (points do not add up, unknown measure, bad threshold…)."""


@dataclass(frozen=True)
class IndicatorRule:
    id: str
    name: str
    group: str
    max_points: Decimal
    threshold: Decimal
    formula: str
    source: str
    measure: str | None
    assumed: str = ""


@dataclass(frozen=True)
class GroupRule:
    id: str
    name: str
    max_points: Decimal
    indicators: tuple[IndicatorRule, ...]


@dataclass(frozen=True)
class Rules:
    code: str
    name: str
    source_document: str
    groups: tuple[GroupRule, ...]

    @property
    def max_points(self) -> Decimal:
        return sum((g.max_points for g in self.groups), Decimal(0))

    @property
    def indicators(self) -> tuple[IndicatorRule, ...]:
        return tuple(i for g in self.groups for i in g.indicators)

    def indicator(self, indicator_id: str) -> IndicatorRule:
        for ind in self.indicators:
            if ind.id == indicator_id:
                return ind
        raise KeyError(indicator_id)


def _decimal(value, where: str) -> Decimal:
    try:
        result = Decimal(str(value))
    except ArithmeticError:
        raise RulesError(f"{where}: not a number: {value!r}") from None
    if not result.is_finite():
        raise RulesError(f"{where}: not a number: {value!r}")
    return result


def parse_rules(data: Mapping) -> Rules:
    """Rules from the YAML structure, checked: ids unique, positive maxima, thresholds in (0, 100],
    measures known, each group's indicators adding up to the group's maximum."""
    groups = []
    seen: set[str] = set()
    for graw in data.get("groups") or []:
        gid = str(graw["id"])
        gmax = _decimal(graw["max"], f"group {gid} max")
        indicators = []
        for iraw in graw.get("indicators") or []:
            iid = str(iraw["id"])
            if iid in seen:
                raise RulesError(f"indicator {iid}: duplicate id")
            seen.add(iid)
            imax = _decimal(iraw["max"], f"indicator {iid} max")
            threshold = _decimal(iraw["threshold"], f"indicator {iid} threshold")
            if imax <= 0:
                raise RulesError(f"indicator {iid}: max must be positive")
            if not 0 < threshold <= HUNDRED:
                raise RulesError(f"indicator {iid}: threshold must be in (0, 100]")
            measure = iraw.get("measure")
            if measure is not None and measure not in MEASURES:
                raise RulesError(f"indicator {iid}: unknown measure {measure!r}")
            indicators.append(
                IndicatorRule(
                    id=iid,
                    name=str(iraw["name"]),
                    group=gid,
                    max_points=imax,
                    threshold=threshold,
                    formula=str(iraw.get("formula", "")),
                    source=str(iraw.get("source", "")),
                    measure=measure,
                    assumed=str(iraw.get("assumed") or ""),
                )
            )
        total = sum((i.max_points for i in indicators), Decimal(0))
        if total != gmax:
            raise RulesError(f"group {gid}: indicators add up to {total}, the group's max is {gmax}")
        groups.append(
            GroupRule(id=gid, name=str(graw["name"]), max_points=gmax, indicators=tuple(indicators))
        )
    if not groups:
        raise RulesError("no groups")
    return Rules(
        code=str(data.get("code", "766")),
        name=str(data.get("name", "")),
        source_document=str(data.get("source_document", "")),
        groups=tuple(groups),
    )


@lru_cache(maxsize=4)
def load_rules(path: str | Path = RULES_PATH) -> Rules:
    try:
        data = load_yaml(path)
    except YamlError as exc:
        raise RulesError("; ".join(exc.problems)) from None
    return parse_rules(data)


def quantize(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def indicator_points(max_points: Decimal, threshold: Decimal, rate: Decimal) -> Decimal:
    """``max × min(1, rate / threshold)`` rounded to 2 decimals (rate and threshold in %)."""
    if rate < 0 or rate > HUNDRED:
        raise ValueError(f"rate out of range 0–100: {rate}")
    return quantize(max_points * min(Decimal(1), rate / threshold))


@dataclass(frozen=True)
class IndicatorScore:
    rule: IndicatorRule
    rate: Decimal | None
    points: Decimal | None  # None = not measured

    @property
    def measured(self) -> bool:
        return self.points is not None


@dataclass(frozen=True)
class GroupScore:
    rule: GroupRule
    indicators: tuple[IndicatorScore, ...]
    points: Decimal  # over the measured indicators
    measured_max: Decimal  # Σ max of the measured indicators

    @property
    def measured(self) -> bool:
        return self.measured_max > 0

    @property
    def fully_measured(self) -> bool:
        return self.measured_max == self.rule.max_points


@dataclass(frozen=True)
class IndexScore:
    groups: tuple[GroupScore, ...]
    total: Decimal  # over the measured groups
    measured_max: Decimal
    max_points: Decimal

    @property
    def percent_of_measured(self) -> Decimal | None:
        """Points as a share of what could be measured (0–100), None when nothing was."""
        if not self.measured_max:
            return None
        return quantize(self.total * HUNDRED / self.measured_max)

    def group(self, group_id: str) -> GroupScore:
        for g in self.groups:
            if g.rule.id == group_id:
                return g
        raise KeyError(group_id)


def score(rules: Rules, rates: Mapping[str, Decimal | None]) -> IndexScore:
    """Points for measured rates per indicator id (None or absent = not measured)."""
    unknown = set(rates) - {i.id for i in rules.indicators}
    if unknown:
        raise KeyError(f"unknown indicator(s): {', '.join(sorted(unknown))}")
    groups = []
    for grule in rules.groups:
        items = []
        for irule in grule.indicators:
            rate = rates.get(irule.id)
            points = None if rate is None else indicator_points(irule.max_points, irule.threshold, rate)
            items.append(IndicatorScore(rule=irule, rate=rate, points=points))
        measured = [s for s in items if s.measured]
        groups.append(
            GroupScore(
                rule=grule,
                indicators=tuple(items),
                points=sum((s.points for s in measured), Decimal(0)),
                measured_max=sum((s.rule.max_points for s in measured), Decimal(0)),
            )
        )
    return IndexScore(
        groups=tuple(groups),
        total=sum((g.points for g in groups), Decimal(0)),
        measured_max=sum((g.measured_max for g in groups), Decimal(0)),
        max_points=rules.max_points,
    )


def rate(numerator: int | Decimal, denominator: int | Decimal) -> Decimal | None:
    """A percentage rounded to 2 decimals; None when the denominator is 0 (766: nothing to measure)."""
    if not denominator:
        return None
    return quantize(Decimal(numerator) * HUNDRED / Decimal(denominator))


@dataclass(frozen=True)
class Counts:
    """What the dossier KPI report and the procedure catalogue give for one unit and period.

    ``fee_received``: dossiers received of procedures that charge a fee (the 3.6 denominator);
    None when the catalogue does not say which procedures charge one. ``procedures_handled`` /
    ``procedures_online``: the procedures the unit handles and those of them offered online
    (một phần or toàn trình); None when the catalogue is not loaded.
    """

    resolved: int = 0
    resolved_early: int = 0
    resolved_on_time: int = 0
    resolved_late: int = 0
    in_progress: int = 0
    in_progress_overdue: int = 0
    received: int = 0
    received_online: int = 0
    digitized: int = 0
    paid_online: int = 0
    fee_received: int | None = None
    procedures_handled: int | None = None
    procedures_online: int | None = None


def measures_from_counts(c: Counts) -> dict[str, Decimal | None]:
    """The 766 measures our data supports, per METHODOLOGY.md §4.2:

    - ``on_time_766`` (2.1): (early + on time + in progress within the deadline) / (resolved + in
      progress) — the 766 rule counts unfinished dossiers at the end of the period;
    - ``satisfaction_overdue`` (5.4): 100 − overdue rate, overdue = (late + in progress overdue) /
      (resolved + in progress); complaints and "dislike" ratings are not in dossier data (taken as 0);
    - ``online_dossiers`` (3.3): received online / received (sync rate taken as 100%);
    - ``digitized`` (4.2): digitised / received;
    - ``paid_online`` (3.6): paid online / received dossiers of fee-charging procedures;
    - ``online_procedures`` (3.1): procedures offered online / procedures handled.
    """
    processed = c.resolved + c.in_progress
    within = c.resolved_early + c.resolved_on_time + (c.in_progress - c.in_progress_overdue)
    overdue = c.resolved_late + c.in_progress_overdue
    overdue_rate = rate(overdue, processed)
    return {
        "on_time_766": rate(within, processed),
        "satisfaction_overdue": None if overdue_rate is None else HUNDRED - overdue_rate,
        "online_dossiers": rate(c.received_online, c.received),
        "digitized": rate(c.digitized, c.received),
        "paid_online": None
        if c.fee_received is None
        else rate(min(c.paid_online, c.fee_received), c.fee_received),
        "online_procedures": (
            None
            if c.procedures_handled is None or c.procedures_online is None
            else rate(c.procedures_online, c.procedures_handled)
        ),
    }


def rates_for_indicators(rules: Rules, measures: Mapping[str, Decimal | None]) -> dict[str, Decimal | None]:
    """Measured rates per indicator id: each indicator takes its measure's rate; indicators
    without a measure are not measured."""
    return {i.id: (measures.get(i.measure) if i.measure else None) for i in rules.indicators}


def score_counts(c: Counts, rules: Rules | None = None) -> IndexScore:
    rules = rules or load_rules()
    return score(rules, rates_for_indicators(rules, measures_from_counts(c)))
