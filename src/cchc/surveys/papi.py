"""Published national indices of a province (PAPI total and dimensions, SIPAS, PAR Index):
the CSV import, targets and trends. See docs/methodology/papi.md for the dimension codes.

CSV columns: ``unit_code,year,kind,dimension,value,rank,rank_of,source``.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext_lazy

from cchc.core.importing import RowErrors, parse_decimal, read_csv
from cchc.indicators.models import Indicator, IndicatorSource, Target
from cchc.orgs.models import OrgUnit
from cchc.surveys.models import PublishedIndex, PublishedKind

COLUMNS = ["unit_code", "year", "kind", "dimension", "value", "rank", "rank_of", "source"]

# The 8 PAPI dimensions (nội dung), in the order PAPI reports them.
PAPI_DIMENSIONS = {
    "tham_gia": "Tham gia của người dân ở cấp cơ sở",
    "cong_khai": "Công khai, minh bạch trong việc ra quyết định ở địa phương",
    "trach_nhiem": "Trách nhiệm giải trình với người dân",
    "tham_nhung": "Kiểm soát tham nhũng trong khu vực công",
    "thu_tuc": "Thủ tục hành chính công",
    "dich_vu_cong": "Cung ứng dịch vụ công",
    "moi_truong": "Quản trị môi trường",
    "dien_tu": "Quản trị điện tử",
}

# Upper bounds checked on import (PAPI: dimensions 1–10, total out of 80; SIPAS, PAR Index: %).
MAX_VALUE = {
    PublishedKind.PAPI_TOTAL: Decimal(80),
    PublishedKind.PAPI_DIMENSION: Decimal(10),
    PublishedKind.SIPAS: Decimal(100),
    PublishedKind.PAR_INDEX: Decimal(100),
}


def indicator_code(kind: str, dimension: str = "") -> str:
    """The indicator that carries targets for a published index: ``published.papi_total``,
    ``published.papi.<dimension>``, ``published.sipas``, ``published.par_index``."""
    if kind == PublishedKind.PAPI_DIMENSION:
        return f"published.papi.{dimension}"
    return f"published.{kind}"


def indicator_for(kind: str, dimension: str = "") -> Indicator:
    code = indicator_code(kind, dimension)
    label = dict(PublishedKind.choices)[kind]
    if dimension:
        label = f"{label}: {PAPI_DIMENSIONS.get(dimension, dimension)}"
    indicator, _created = Indicator.objects.get_or_create(
        code=code,
        defaults={
            "name": f"{label} (công bố)",
            "unit_of_measure": "điểm" if kind.startswith("papi") else "%",
            "source": IndicatorSource.IMPORTED,
        },
    )
    return indicator


def set_target(
    unit: OrgUnit, kind: str, year: int, value: Decimal, dimension: str = "", source_document: str = ""
):
    """A target (chỉ tiêu phấn đấu) for a published index of a province and year."""
    if kind not in PublishedKind.values:
        raise ValueError(f"unknown kind {kind!r}")
    if kind == PublishedKind.PAPI_DIMENSION and dimension not in PAPI_DIMENSIONS:
        raise ValueError(f"unknown PAPI dimension {dimension!r}")
    target, _created = Target.objects.update_or_create(
        indicator=indicator_for(kind, dimension),
        unit=unit,
        year=year,
        defaults={"value": value, "source_document": source_document},
    )
    return target


@dataclass
class TrendPoint:
    year: int
    value: Decimal | None
    rank: int | None
    rank_of: int | None
    target: Decimal | None
    source: str
    change: Decimal | None = None  # value − previous year's value

    @property
    def target_met(self) -> bool | None:
        if self.value is None or self.target is None:
            return None
        return self.value >= self.target


def published_trend(unit: OrgUnit, kind: str, dimension: str = "") -> list[TrendPoint]:
    """The published values of a province by year, with its targets (a target year without a
    published value appears with value None) and the change from the previous published year."""
    values = {
        p.year: p
        for p in PublishedIndex.objects.filter(unit=unit, kind=kind, dimension=dimension).order_by("year")
    }
    targets = dict(
        Target.objects.filter(unit=unit, indicator__code=indicator_code(kind, dimension)).values_list(
            "year", "value"
        )
    )
    points = []
    previous = None
    for year in sorted(set(values) | set(targets)):
        p = values.get(year)
        point = TrendPoint(
            year=year,
            value=p.value if p else None,
            rank=p.rank if p else None,
            rank_of=p.rank_of if p else None,
            target=targets.get(year),
            source=p.source if p else "",
        )
        if p is not None:
            if previous is not None:
                point.change = p.value - previous
            previous = p.value
        points.append(point)
    return points


# The charts of the published-indices page: the kinds drawn on one scale together.
PUBLISHED_GROUPS = [
    ("percent", gettext_lazy("SIPAS và Chỉ số CCHC (%)"), {PublishedKind.SIPAS, PublishedKind.PAR_INDEX}),
    ("papi_total", gettext_lazy("PAPI tổng (thang 80 điểm)"), {PublishedKind.PAPI_TOTAL}),
    (
        "papi_dimension",
        gettext_lazy("PAPI theo chỉ số nội dung (thang 10 điểm)"),
        {PublishedKind.PAPI_DIMENSION},
    ),
]


def published_groups(unit: OrgUnit) -> list[dict]:
    """The published indices of a province as the page draws them: per group of
    ``PUBLISHED_GROUPS`` that has values, its ``years``, its ``series`` (``label``, ``points``
    {year: TrendPoint}, ``cells`` in year order) and the ``chart`` (labels and float values)."""
    keys = list(
        PublishedIndex.objects.filter(unit=unit)
        .values_list("kind", "dimension")
        .distinct()
        .order_by("kind", "dimension")
    )
    groups = []
    for group_key, title, kinds in PUBLISHED_GROUPS:
        series = []
        for kind, dimension in keys:
            if kind not in kinds:
                continue
            label = str(PublishedKind(kind).label)
            if dimension:
                label = PAPI_DIMENSIONS.get(dimension, dimension)
            series.append(
                {"label": label, "points": {p.year: p for p in published_trend(unit, kind, dimension)}}
            )
        if not series:
            continue
        years = sorted({y for s_ in series for y in s_["points"]})
        for s_ in series:
            s_["cells"] = [s_["points"].get(y) for y in years]
        groups.append(
            {
                "key": group_key,
                "title": title,
                "years": years,
                "series": series,
                "chart": {
                    "labels": [str(y) for y in years],
                    "series": [
                        {
                            "label": s_["label"],
                            "values": [
                                float(c.value) if c and c.value is not None else None for c in s_["cells"]
                            ],
                        }
                        for s_ in series
                    ],
                },
            }
        )
    return groups


def _int(raw: str, *, minimum: int, maximum: int) -> int:
    try:
        value = int(raw)
    except ValueError:
        raise ValueError(f"not a whole number: {raw!r}") from None
    if not minimum <= value <= maximum:
        raise ValueError(f"{value} is outside {minimum}–{maximum}")
    return value


def import_published_indices(path: str | Path) -> dict[str, int]:
    """Import the CSV; every row validated first, nothing saved on any error; idempotent on
    (unit, year, kind, dimension)."""
    rows = read_csv(path, COLUMNS)
    errors = RowErrors()
    units = {u.code: u for u in OrgUnit.objects.filter(code__in={r["unit_code"] for _l, r in rows})}
    parsed = []
    seen: dict[tuple, int] = {}
    for line, row in rows:
        unit = units.get(row["unit_code"])
        if unit is None:
            errors.add(
                line, "unit_code", f"unknown unit {row['unit_code']!r}" if row["unit_code"] else "required"
            )
        try:
            year = _int(row["year"], minimum=2000, maximum=2100)
        except ValueError as exc:
            errors.add(line, "year", str(exc))
            year = None
        kind = row["kind"]
        if kind not in PublishedKind.values:
            errors.add(line, "kind", f"{kind!r} is not one of {', '.join(PublishedKind.values)}")
        dimension = row["dimension"]
        if kind == PublishedKind.PAPI_DIMENSION:
            if dimension not in PAPI_DIMENSIONS:
                errors.add(
                    line, "dimension", f"{dimension!r} is not a PAPI dimension ({', '.join(PAPI_DIMENSIONS)})"
                )
        elif dimension:
            errors.add(line, "dimension", f"only papi_dimension rows have a dimension (kind {kind})")
        value = None
        try:
            value = parse_decimal(row["value"]) if row["value"] else None
            if value is None:
                errors.add(line, "value", "required")
            elif value < 0 or (kind in MAX_VALUE and value > MAX_VALUE[kind]):
                errors.add(line, "value", f"{value} is outside 0–{MAX_VALUE.get(kind, '')}")
        except ValueError as exc:
            errors.add(line, "value", str(exc))
        rank = rank_of = None
        for col in ("rank", "rank_of"):
            if row[col]:
                try:
                    number = _int(row[col], minimum=1, maximum=10000)
                except ValueError as exc:
                    errors.add(line, col, str(exc))
                    continue
                if col == "rank":
                    rank = number
                else:
                    rank_of = number
        if rank is not None and rank_of is not None and rank > rank_of:
            errors.add(line, "rank", f"rank {rank} is above rank_of {rank_of}")
        key = (row["unit_code"], year, kind, dimension)
        if key in seen:
            errors.add(line, "unit_code", f"same unit, year, kind and dimension as line {seen[key]}")
        seen[key] = line
        parsed.append((unit, year, kind, dimension, value, rank, rank_of, row["source"]))
    errors.raise_if_any(str(path))
    stats = {"rows": len(parsed), "created": 0, "updated": 0, "unchanged": 0}
    with transaction.atomic():
        for unit, year, kind, dimension, value, rank, rank_of, source in parsed:
            obj = PublishedIndex.objects.filter(unit=unit, year=year, kind=kind, dimension=dimension).first()
            fields = {"value": value, "rank": rank, "rank_of": rank_of, "source": source}
            if obj is None:
                PublishedIndex.objects.create(unit=unit, year=year, kind=kind, dimension=dimension, **fields)
                stats["created"] += 1
            elif (obj.value, obj.rank, obj.rank_of, obj.source) != (value, rank, rank_of, source):
                for k, v in fields.items():
                    setattr(obj, k, v)
                obj.save()
                stats["updated"] += 1
            else:
                stats["unchanged"] += 1
            indicator_for(kind, dimension)
    return stats
