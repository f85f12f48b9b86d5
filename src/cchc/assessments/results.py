"""Results are computed, never typed: per field and in total the achieved points and the index,
the classification, the rank within the group and its change against the previous year.

The core (``compute_unit_result``, ``competition_ranks``, ``classify``) works on plain values;
``round_results`` loads one round with a handful of queries and calls it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

from django.db import connection
from django.db.models import Q

from cchc.frameworks.scoring import indicator_points, is_indicator_rule
from cchc.frameworks.tree import BandSpec, FrameworkTree, TreeNode, build_tree

ZERO = Decimal(0)
HUNDRED = Decimal(100)
CENT = Decimal("0.01")


class LeafInput(NamedTuple):
    """What an assessment holds for one leaf."""

    self_score: Decimal | None = None
    appraised_score: Decimal | None = None
    not_applicable: bool = False


@dataclass
class FieldResult:
    node_id: int
    code: str
    name: str
    achieved: Decimal
    max_points: Decimal  # applicable maximum (not-applicable leaves excluded)

    @property
    def at_max(self) -> bool:
        return self.max_points > 0 and self.achieved >= self.max_points

    @property
    def index(self) -> Decimal | None:
        return percent(self.achieved, self.max_points)


@dataclass
class UnitResult:
    total: Decimal
    max_points: Decimal
    index: Decimal | None
    self_total: Decimal
    fields: list[FieldResult]
    leaves_at_max: int
    leaves_counted: int
    band: BandSpec | None = None
    # Σ self and Σ appraised over the leaves that have both, and how many there are:
    self_both: Decimal = ZERO
    appraised_both: Decimal = ZERO
    leaves_both: int = 0
    node_points: dict[int, Decimal | None] = field(default_factory=dict)
    # Filled in by ranking:
    assessment_id: int | None = None
    unit_id: int | None = None
    unit_code: str = ""
    unit_name: str = ""
    unit_type: str = ""
    unit_path: str = ""
    status: str = ""
    working_days_late: int | None = None  # recorded at submission (None: on time / not submitted)
    rank: int | None = None
    rank_provisional: bool = False  # ranked among units whose results are not all published
    previous_rank: int | None = None

    @property
    def fields_at_max(self) -> int:
        return sum(1 for f in self.fields if f.at_max)

    @property
    def fields_counted(self) -> int:
        return sum(1 for f in self.fields if f.max_points > 0)

    @property
    def rank_change(self) -> int | None:
        """Previous rank − current rank: positive means the unit moved up (tăng bậc)."""
        if self.rank is None or self.previous_rank is None:
            return None
        return self.previous_rank - self.rank

    @property
    def self_vs_appraised(self) -> Decimal | None:
        """Σ self − Σ appraised over the leaves that have both (None when none has both)."""
        if not self.leaves_both:
            return None
        return self.self_both - self.appraised_both

    @property
    def status_label(self) -> str:
        from cchc.assessments.models import Status

        return str(Status(self.status).label) if self.status else ""

    @property
    def provisional(self) -> bool:
        """Figures of an assessment not published yet."""
        return self.status != "published"


def percent(achieved: Decimal, maximum: Decimal) -> Decimal | None:
    if maximum <= 0:
        return None
    return (achieved / maximum * HUNDRED).quantize(CENT, rounding=ROUND_HALF_UP)


def classify(index: Decimal | None, fields: list[FieldResult], bands: list[BandSpec]) -> BandSpec | None:
    """The highest band whose minimum the index reaches and whose field condition holds."""
    if index is None:
        return None
    for band in sorted(bands, key=lambda b: b.min_index, reverse=True):
        if index < band.min_index:
            continue
        if band.min_field_ratio is not None and any(
            f.max_points > 0 and f.achieved < f.max_points * band.min_field_ratio for f in fields
        ):
            continue
        return band
    return None


def compute_unit_result(
    tree: FrameworkTree,
    leaves: Mapping[int, LeafInput],
    indicator_values: Mapping[str, Decimal] | None = None,
) -> UnitResult:
    """Totals, index, fields and leaves at maximum, and class for one assessment.

    The final score of a leaf is the appraised score where one exists, else the self score,
    else (for indicator-bound rules) the points computed from the indicator value; a
    not-applicable leaf is left out of the maximum."""
    indicator_values = indicator_values or {}
    node_points: dict[int, Decimal | None] = {}
    applicable_max: dict[int, Decimal] = {}
    self_total = self_both = appraised_both = ZERO
    leaves_at_max = leaves_counted = leaves_both = 0

    def visit(node: TreeNode) -> tuple[Decimal, Decimal, bool]:
        nonlocal self_total, leaves_at_max, leaves_counted, self_both, appraised_both, leaves_both
        if not node.children:
            data = leaves.get(node.id)
            if data is not None and data[2]:  # not applicable
                node_points[node.id] = None
                applicable_max[node.id] = ZERO
                return ZERO, ZERO, False
            final = None
            if data is not None:
                final = data[1] if data[1] is not None else data[0]
                if data[0] is not None:
                    self_total += data[0]
                    if data[1] is not None:
                        self_both += data[0]
                        appraised_both += data[1]
                        leaves_both += 1
            if final is None and node.rule.get("indicator") and is_indicator_rule(node.rule):
                final = indicator_points(
                    node.rule, node.max_points, indicator_values.get(node.rule["indicator"])
                )
            leaf_max = node.max_points
            points = ZERO if final is None else (final if final < leaf_max else leaf_max)
            node_points[node.id] = final
            applicable_max[node.id] = leaf_max
            leaves_counted += 1
            if leaf_max > 0 and points >= leaf_max:
                leaves_at_max += 1
            return points, leaf_max, True
        achieved = maximum = ZERO
        any_applicable = False
        for child in node.children:
            a, m, applicable = visit(child)
            achieved += a
            maximum += m
            any_applicable |= applicable
        if node.max_points is not None and any_applicable and maximum > node.max_points:
            # A parent with its own (lower) maximum caps the sum of its children.
            achieved = min(achieved, node.max_points)
            maximum = node.max_points
        node_points[node.id] = achieved
        applicable_max[node.id] = maximum
        return achieved, maximum, any_applicable

    fields: list[FieldResult] = []
    total = maximum = ZERO
    for root in tree.roots:
        achieved, field_max, _ = visit(root)
        fields.append(FieldResult(root.id, root.code, root.name, achieved, field_max))
        total += achieved
        maximum += field_max
    index = percent(total, maximum)
    result = UnitResult(
        total=total,
        max_points=maximum,
        index=index,
        self_total=self_total,
        fields=fields,
        leaves_at_max=leaves_at_max,
        leaves_counted=leaves_counted,
        node_points=node_points,
        self_both=self_both,
        appraised_both=appraised_both,
        leaves_both=leaves_both,
    )
    result.band = classify(index, fields, tree.bands)
    return result


def competition_ranks(indices: Iterable[tuple[object, Decimal | None]]) -> dict[object, int]:
    """Standard competition ranking on the index to 2 decimals: equal index → equal rank and the
    next rank skips (1, 2, 2, 4). Units without an index are not ranked."""
    scored = [(key, idx.quantize(CENT, rounding=ROUND_HALF_UP)) for key, idx in indices if idx is not None]
    scored.sort(key=lambda kv: kv[1], reverse=True)
    ranks: dict[object, int] = {}
    previous: Decimal | None = None
    rank = 0
    for position, (key, idx) in enumerate(scored, start=1):
        if idx != previous:
            rank = position
            previous = idx
        ranks[key] = rank
    return ranks


# --- loading from the database ----------------------------------------------------------------


def _load_round_results(round_obj, tree: FrameworkTree, group: str | None) -> list[UnitResult]:
    from cchc.assessments.models import Assessment, Score
    from cchc.indicators.services import yearly_values

    assessments = list(
        Assessment.objects.filter(round=round_obj)
        .filter(Q(unit__unit_type__code=group) if group else Q())
        .values(
            "id",
            "unit_id",
            "unit__code",
            "unit__name",
            "unit__unit_type__code",
            "unit__path",
            "status",
            "working_days_late",
        )
    )
    by_assessment: dict[int, dict[int, LeafInput]] = defaultdict(dict)
    rows = Score.objects.filter(assessment__round=round_obj).values_list(
        "assessment_id", "node_id", "self_score", "appraised_score", "not_applicable"
    )
    if group:
        rows = rows.filter(assessment__unit__unit_type__code=group)
    # A raw cursor: Django's per-row decimal converters cost more than the whole computation,
    # and a round holds few distinct score values, so each is converted once.
    decimals: dict[object, Decimal] = {}

    def dec(raw):
        if raw is None or isinstance(raw, Decimal):
            return raw
        value = decimals.get(raw)
        if value is None:
            value = decimals[raw] = Decimal(str(raw)).quantize(CENT)
        return value

    sql, params = rows.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        while chunk := cursor.fetchmany(20000):
            for assessment_id, node_id, self_score, appraised, na in chunk:
                by_assessment[assessment_id][node_id] = LeafInput(dec(self_score), dec(appraised), bool(na))

    codes = {leaf.rule.get("indicator") for leaf in tree.leaves if is_indicator_rule(leaf.rule)}
    codes.discard(None)
    values_by_unit: dict[int, dict[str, Decimal]] = defaultdict(dict)
    if codes:
        for (code, unit_id), value in yearly_values(
            codes, {a["unit_id"] for a in assessments}, round_obj.year
        ).items():
            values_by_unit[unit_id][code] = value

    results = []
    for a in assessments:
        result = compute_unit_result(tree, by_assessment.get(a["id"], {}), values_by_unit.get(a["unit_id"]))
        result.assessment_id = a["id"]
        result.unit_id = a["unit_id"]
        result.unit_code = a["unit__code"]
        result.unit_name = a["unit__name"]
        result.unit_type = a["unit__unit_type__code"]
        result.unit_path = a["unit__path"]
        result.status = a["status"]
        result.working_days_late = a["working_days_late"]
        results.append(result)
    return results


def _rank_in_groups(results: list[UnitResult]) -> None:
    groups: dict[str, list[UnitResult]] = defaultdict(list)
    for r in results:
        groups[r.unit_type].append(r)
    for members in groups.values():
        ranks = competition_ranks((r.unit_id, r.index) for r in members)
        provisional = any(r.provisional for r in members)
        for r in members:
            r.rank = ranks.get(r.unit_id)
            r.rank_provisional = provisional


def previous_round(round_obj):
    """The round of the year before whose framework this one follows (``Framework.previous``),
    else the previous year's round of a framework covering the same unit types."""
    from cchc.assessments.models import Round

    candidates = Round.objects.filter(year=round_obj.year - 1).select_related("framework")
    fw = round_obj.framework
    if fw.previous_id:
        found = candidates.filter(framework_id=fw.previous_id).first()
        if found:
            return found
    types = set(fw.unit_types.values_list("pk", flat=True))
    return candidates.filter(framework__unit_types__in=types).distinct().order_by("framework__code").first()


def round_results(
    round_obj, group: str | None = None, with_previous: bool = True, visibility=None
) -> list[UnitResult]:
    """Every assessment of a round with its result and rank (within its unit type, or within
    ``group`` when given), sorted by rank. Rank change reads the previous year's round; a unit
    merged from others takes the best previous rank among its predecessors.

    ``visibility`` (an ``access.ResultVisibility``) keeps the results a reader may see, and the
    ranks (this year's and the previous year's) are computed over those only; without it, over
    every assessment of the round (the secretariat's full view, the CLI)."""
    from cchc.orgs.models import OrgUnit

    tree = build_tree(round_obj.framework_id)
    results = _load_round_results(round_obj, tree, group)
    if visibility is not None:
        results = [r for r in results if visibility.sees(r.unit_path, r.status)]
    _rank_in_groups(results)
    if with_previous:
        prev = previous_round(round_obj)
        if prev is not None:
            prev_ranks = {
                r.unit_id: r.rank
                for r in round_results(prev, group, with_previous=False, visibility=visibility)
            }
            missing = [r.unit_id for r in results if r.unit_id not in prev_ranks]
            predecessors: dict[int, list[int]] = defaultdict(list)
            for pred_id, succ_id in OrgUnit.objects.filter(successor_id__in=missing).values_list(
                "id", "successor_id"
            ):
                predecessors[succ_id].append(pred_id)
            for r in results:
                own = prev_ranks.get(r.unit_id)
                if own is None:
                    inherited = [prev_ranks[p] for p in predecessors.get(r.unit_id, []) if prev_ranks.get(p)]
                    own = min(inherited) if inherited else None
                r.previous_rank = own
    results.sort(key=lambda r: (r.unit_type, r.rank if r.rank is not None else 10**9, r.unit_code))
    return results


def assessment_result(assessment, with_appraisal: bool = True) -> UnitResult:
    """The result of one assessment (rank not included). Without ``with_appraisal`` (a reader
    who may not see the appraisal yet), the appraised scores are left out: the figures are the
    self-assessment's (self scores, else indicator points)."""
    from cchc.assessments.models import Score
    from cchc.indicators.services import yearly_values

    tree = build_tree(assessment.round.framework_id)
    leaves = {
        node_id: LeafInput(s, a if with_appraisal else None, na)
        for node_id, s, a, na in Score.objects.filter(assessment=assessment).values_list(
            "node_id", "self_score", "appraised_score", "not_applicable"
        )
    }
    codes = {leaf.rule.get("indicator") for leaf in tree.leaves if is_indicator_rule(leaf.rule)} - {None}
    values = {
        code: v for (code, _u), v in yearly_values(codes, {assessment.unit_id}, assessment.round.year).items()
    }
    return compute_unit_result(tree, leaves, values)


def distribution(results: list[UnitResult], bands: list[BandSpec]) -> list[tuple[BandSpec, int]]:
    """How many units fall in each band ("2/19 xuất sắc")."""
    counts: dict[str, int] = defaultdict(int)
    for r in results:
        if r.band:
            counts[r.band.code] += 1
    return [(b, counts[b.code]) for b in sorted(bands, key=lambda b: b.min_index, reverse=True)]
