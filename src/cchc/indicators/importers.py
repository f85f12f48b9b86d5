"""Imports of indicator values and targets (CSV or XLSX). The whole file is checked first; any
bad row means nothing is saved and every problem is listed as ``line N, column X: reason``."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _

from cchc.core.importing import RowErrors, WorkbookError, open_workbook, parse_decimal, read_csv
from cchc.indicators.models import Indicator, Target, ValueOrigin
from cchc.indicators.periods import Period
from cchc.indicators.services import Value, ratio, replace_values
from cchc.orgs.models import OrgUnit, UnitType

VALUE_COLUMNS = ["indicator", "unit_code", "period", "value", "numerator", "denominator"]
TARGET_COLUMNS = ["indicator", "year", "scope", "target"]
TOLERANCE = Decimal("0.01")  # a value given beside its numerator and denominator may differ by rounding


def read_rows(path: str | Path, required: list[str]) -> list[tuple[int, dict[str, str]]]:
    """(line, {column: text}) of a CSV or the first sheet of an XLSX file."""
    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        return read_csv(path, required)
    errors = RowErrors()
    if not path.exists():
        errors.add(1, "-", _("không tìm thấy tệp %(f)s") % {"f": path})
        errors.raise_if_any(str(path))
    try:
        wb = open_workbook(path)
    except WorkbookError as exc:
        errors.add(1, "-", str(exc))
        errors.raise_if_any(str(path))
    ws = wb.worksheets[0]
    rows = ws.iter_rows(values_only=True)
    header = [str(h).strip() if h is not None else "" for h in next(rows, ())]
    for c in required:
        if c not in header:
            errors.add(1, c, _("thiếu cột"))
    errors.raise_if_any(str(path))
    out = []
    for line, values in enumerate(rows, start=2):
        cells = {h: _text(v) for h, v in zip(header, values, strict=False) if h}
        if any(cells.values()):
            out.append((line, cells))
    wb.close()
    return out


def _text(v) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()


def _number(errors: RowErrors, line: int, column: str, raw: str) -> Decimal | None:
    if raw == "":
        return None
    try:
        return parse_decimal(raw)
    except ValueError:
        errors.add(line, column, _("không phải là số: %(v)r") % {"v": raw})
        return None


def import_indicator_values(path: str | Path, *, origin: str = ValueOrigin.IMPORTED) -> dict[str, int]:
    """Columns ``indicator,unit_code,period,value,numerator,denominator``; period ``YYYY``,
    ``YYYY-Qn`` or ``YYYY-MM``; either a value, or a numerator and a denominator (or all three,
    consistent). Idempotent by indicator + unit + period: a value already imported is replaced."""
    rows = read_rows(path, VALUE_COLUMNS)
    indicators = {i.code: i for i in Indicator.objects.all()}
    units = dict(
        OrgUnit.objects.filter(code__in={r["unit_code"] for _l, r in rows}).values_list("code", "pk")
    )
    errors = RowErrors()
    values: list[Value] = []
    seen: dict[tuple, int] = {}
    for line, row in rows:
        indicator = indicators.get(row["indicator"])
        if indicator is None:
            errors.add(
                line, "indicator", _("chỉ tiêu không có trong danh mục: %(v)r") % {"v": row["indicator"]}
            )
        unit_id = units.get(row["unit_code"])
        if unit_id is None:
            errors.add(line, "unit_code", _("không có đơn vị mã %(v)r") % {"v": row["unit_code"]})
        try:
            period = Period.parse(row["period"])
        except ValueError as exc:
            errors.add(line, "period", str(exc))
            period = None
        value = _number(errors, line, "value", row.get("value", ""))
        num = _number(errors, line, "numerator", row.get("numerator", ""))
        den = _number(errors, line, "denominator", row.get("denominator", ""))
        if indicator is None or unit_id is None or period is None:
            continue
        if (num is None) != (den is None):
            errors.add(line, "numerator" if num is None else "denominator", _("cần cả tử số và mẫu số"))
            continue
        if num is not None and den is not None:
            if den <= 0:
                errors.add(line, "denominator", _("mẫu số phải lớn hơn 0"))
                continue
            if num < 0:
                errors.add(line, "numerator", _("tử số không được âm"))
                continue
            computed = ratio(num, den, indicator.unit_of_measure)
            if value is None:
                value = computed
            elif computed is not None and abs(value - computed) > TOLERANCE:
                errors.add(
                    line,
                    "value",
                    _("giá trị %(v)s không khớp tử số / mẫu số (%(c)s)") % {"v": value, "c": computed},
                )
                continue
        if value is None:
            errors.add(line, "value", _("cần giá trị, hoặc tử số và mẫu số"))
            continue
        low, high = indicator.min_value, indicator.max_value
        if (low is not None and value < low) or (high is not None and value > high):
            errors.add(
                line,
                "value",
                _("%(v)s ngoài khoảng hợp lệ %(lo)s–%(hi)s") % {"v": value, "lo": low, "hi": high},
            )
            continue
        key = (indicator.pk, unit_id, period)
        if key in seen:
            errors.add(line, "period", _("lặp lại dòng %(n)s (cùng chỉ tiêu, đơn vị, kỳ)") % {"n": seen[key]})
            continue
        seen[key] = line
        values.append(
            Value(indicator.pk, unit_id, period, value, num, den, f"import:{Path(path).name}:{line}")
        )
    errors.raise_if_any(str(path))
    written, replaced = replace_values(origin, values, None)
    return {"rows": len(rows), "written": written, "replaced": replaced}


def import_targets(path: str | Path) -> dict[str, int]:
    """Columns ``indicator,year,scope,target``; scope a unit code, ``type:<unit type>`` or ``*``
    (every unit). Idempotent by indicator + year + scope."""
    rows = read_rows(path, TARGET_COLUMNS)
    indicators = {i.code: i for i in Indicator.objects.all()}
    units = {u.code: u for u in OrgUnit.objects.filter(code__in={r["scope"] for _l, r in rows})}
    types = {t.code: t for t in UnitType.objects.all()}
    errors = RowErrors()
    planned: list[tuple[Indicator, int, OrgUnit | None, UnitType | None, Decimal]] = []
    seen: dict[tuple, int] = {}
    for line, row in rows:
        errors_before = len(errors.items)
        indicator = indicators.get(row["indicator"])
        if indicator is None:
            errors.add(
                line, "indicator", _("chỉ tiêu không có trong danh mục: %(v)r") % {"v": row["indicator"]}
            )
        year = row["year"]
        if not (year.isdigit() and 1900 <= int(year) <= 2200):
            errors.add(line, "year", _("năm không hợp lệ: %(v)r") % {"v": year})
        scope, unit, unit_type = row["scope"], None, None
        if scope.startswith("type:"):
            unit_type = types.get(scope[5:])
            if unit_type is None:
                errors.add(line, "scope", _("không có loại đơn vị %(v)r") % {"v": scope[5:]})
        elif scope not in ("*", ""):
            unit = units.get(scope)
            if unit is None:
                errors.add(line, "scope", _("không có đơn vị mã %(v)r") % {"v": scope})
        target = _number(errors, line, "target", row["target"])
        if row["target"] == "":
            errors.add(line, "target", _("thiếu giá trị mục tiêu"))
        if len(errors.items) > errors_before or indicator is None or target is None:
            continue
        low, high = indicator.min_value, indicator.max_value
        if (low is not None and target < low) or (high is not None and target > high):
            errors.add(
                line,
                "target",
                _("%(v)s ngoài khoảng hợp lệ %(lo)s–%(hi)s") % {"v": target, "lo": low, "hi": high},
            )
            continue
        key = (indicator.pk, int(year), scope or "*")
        if key in seen:
            errors.add(
                line, "scope", _("lặp lại dòng %(n)s (cùng chỉ tiêu, năm, phạm vi)") % {"n": seen[key]}
            )
            continue
        seen[key] = line
        planned.append((indicator, int(year), unit, unit_type, target))
    errors.raise_if_any(str(path))
    created = 0
    with transaction.atomic():
        for indicator, target_year, unit, unit_type, target in planned:
            _obj, was_created = Target.objects.update_or_create(
                indicator=indicator,
                year=target_year,
                unit=unit,
                unit_type=unit_type,
                defaults={"value": target, "source_document": f"import:{Path(path).name}"},
            )
            created += was_created
    return {"rows": len(rows), "created": created, "updated": len(planned) - created}
