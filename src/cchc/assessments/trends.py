"""Trends across years (read-only): each unit's index, class and rank per year for one unit type,
and one unit's history with its fields.

Every year's figures come from ``results.round_results`` (nothing is recomputed here); the years
are the chain of rounds ``results.previous_round`` walks for rank change. A unit merged from
others continues their line: in a year where the unit itself has no result, its row shows the
predecessor with the best rank, as rank change does.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from cchc.assessments.results import UnitResult, previous_round, round_results

MAX_YEARS = 15
MAX_CHAIN = 200  # a guard against a pathological chain of rounds


@dataclass
class Cell:
    year: int
    result: UnitResult
    via: str = ""  # name of the predecessor unit the figures belong to, when not the unit itself


@dataclass
class TrendRow:
    unit_id: int
    unit_code: str
    unit_name: str
    cells: dict[int, Cell] = field(default_factory=dict)

    def cell_list(self, years: list[int]) -> list[Cell | None]:
        return [self.cells.get(y) for y in years]


def round_series(head, limit: int | None = MAX_YEARS) -> list:
    """``head`` and the rounds before it (each ``previous_round`` of the next), oldest first;
    the last ``limit`` of them (``series_length`` says how many there are in all)."""
    series = [head]
    seen = {head.pk}
    while limit is None or len(series) < limit:
        prev = previous_round(series[-1])
        if prev is None or prev.pk in seen or prev.year >= series[-1].year:
            break
        series.append(prev)
        seen.add(prev.pk)
    return list(reversed(series))


def series_length(head) -> int:
    """How many rounds the whole chain of ``head`` holds (a trends page shows the last
    ``MAX_YEARS`` and says "…" with this total when it cuts)."""
    return len(round_series(head, limit=MAX_CHAIN))


def successor_map(unit_ids: Iterable[int]) -> dict[int, int | None]:
    """unit id → successor id for the given units and, transitively, their successors."""
    from cchc.orgs.models import OrgUnit

    known: dict[int, int | None] = {}
    todo = set(unit_ids)
    while todo:
        rows = dict(OrgUnit.objects.filter(pk__in=todo).values_list("pk", "successor_id"))
        known.update(rows)
        todo = {s for s in rows.values() if s is not None and s not in known}
    return known


def predecessor_map(unit_ids: Iterable[int]) -> dict[int, list[int]]:
    """unit id → the units merged into it, directly or through earlier mergers."""
    from cchc.orgs.models import OrgUnit

    found: dict[int, list[int]] = defaultdict(list)
    frontier = set(unit_ids)
    roots = {u: u for u in frontier}
    seen = set(frontier)
    while frontier:
        rows = list(OrgUnit.objects.filter(successor_id__in=frontier).values_list("pk", "successor_id"))
        frontier = set()
        for pred, succ in rows:
            if pred in seen:
                continue
            seen.add(pred)
            roots[pred] = roots[succ]
            found[roots[succ]].append(pred)
            frontier.add(pred)
    return found


def unit_trends(
    rounds: list, group: str, visible: Callable[[UnitResult], bool], visibility=None
) -> tuple[list[int], list[TrendRow]]:
    """Years and one row per unit line for the unit type ``group`` over ``rounds`` (oldest first).
    ``visible`` says which rows the viewer is shown; ``visibility`` (``access.ResultVisibility``)
    which results the ranks are computed over (those the viewer may see)."""
    by_year: dict[int, list[UnitResult]] = {}
    for r in rounds:
        results = [
            res
            for res in round_results(r, group=group, with_previous=False, visibility=visibility)
            if visible(res)
        ]
        if results:
            by_year[r.year] = results
    years = sorted(by_year)
    if not years:
        return [], []
    with_results = {res.unit_id for rs in by_year.values() for res in rs}
    successors = successor_map(with_results)

    def line_of(unit_id: int) -> int:
        """The last unit of the merger chain that has results in the series."""
        current, last, seen = unit_id, unit_id, {unit_id}
        while (nxt := successors.get(current)) is not None and nxt not in seen:
            seen.add(nxt)
            current = nxt
            if current in with_results:
                last = current
        return last

    rows: dict[int, TrendRow] = {}
    names = {res.unit_id: (res.unit_code, res.unit_name) for rs in by_year.values() for res in rs}
    for year in years:
        candidates: dict[int, list[UnitResult]] = defaultdict(list)
        for res in by_year[year]:
            candidates[line_of(res.unit_id)].append(res)
        for key, members in candidates.items():
            own = next((m for m in members if m.unit_id == key), None)
            if own is not None:
                cell = Cell(year, own)
            else:
                best = min(members, key=lambda m: (m.rank or 10**9, m.unit_code))
                cell = Cell(year, best, via=best.unit_name)
            code, name = names[key]
            rows.setdefault(key, TrendRow(key, code, name)).cells[year] = cell
    latest = years[-1]

    def order(row: TrendRow):
        cell = row.cells.get(latest)
        last_year = max(row.cells)
        rank = row.cells[last_year].result.rank
        return (0 if cell else 1, -last_year, rank or 10**9, row.unit_name)

    return years, sorted(rows.values(), key=order)


def trends_chart_data(years: list[int], rows: list[TrendRow]) -> dict:
    """The data the trends chart draws (a json_script block read by static/js/charts.js)."""
    return {
        "years": [str(y) for y in years],
        "series": [
            {
                "label": row.unit_name,
                "index": [
                    float(c.result.index) if c and c.result.index is not None else None
                    for c in row.cell_list(years)
                ],
                "rank": [c.result.rank if c else None for c in row.cell_list(years)],
            }
            for row in rows
        ],
    }


@dataclass
class HistoryColumn:
    year: int
    round: object
    result: UnitResult
    via: str = ""


def unit_history(
    unit, assessments: list, visible: Callable[[UnitResult], bool], visibility=None
) -> list[HistoryColumn]:
    """One column per year: the unit's own assessment, else its predecessors' (one column each)
    for the years before the merger. ``assessments`` are the candidate assessments (the unit's
    and its predecessors') the viewer may see; ranks are computed over the results
    ``visibility`` (``access.ResultVisibility``) lets the viewer see."""
    own_years = {a.round.year for a in assessments if a.unit_id == unit.pk}
    columns = []
    for a in sorted(assessments, key=lambda a: (a.round.year, a.unit_id != unit.pk, a.unit.name)):
        if a.unit_id != unit.pk and a.round.year in own_years:
            continue
        results = round_results(a.round, group=a.unit.unit_type.code, visibility=visibility)
        result = next((r for r in results if r.assessment_id == a.pk), None)
        if result is None or not visible(result):
            continue
        columns.append(
            HistoryColumn(a.round.year, a.round, result, "" if a.unit_id == unit.pk else a.unit.name)
        )
    return columns


def field_rows(columns: list[HistoryColumn]) -> list[dict]:
    """Per field code, its index in each column (the name of its latest appearance)."""
    names: dict[str, str] = {}
    order: list[str] = []
    for col in columns:
        for f in col.result.fields:
            if f.code not in names:
                order.append(f.code)
            names[f.code] = f.name
    rows = []
    for code in order:
        cells = []
        for col in columns:
            f = next((f for f in col.result.fields if f.code == code), None)
            cells.append(f)
        rows.append({"code": code, "name": names[code], "cells": cells})
    return rows


def history_chart_data(columns: list[HistoryColumn], label: str) -> dict:
    return {
        "years": [f"{c.year}" + (f" ({c.via})" if c.via else "") for c in columns],
        "series": [
            {
                "label": label,
                "index": [float(c.result.index) if c.result.index is not None else None for c in columns],
                "rank": [c.result.rank for c in columns],
            }
        ],
    }
