"""Scoring rules of a framework leaf, as pure functions over plain values (no database).

Rule types (the ``rule`` mapping of a leaf; ``type`` is the key):

``manual``        scored by hand, 0..max in steps of ``step`` (default 0.25).
``yes_no``        scored by hand, 0 or max.
``thresholds``    on an indicator value: ``steps`` ``[{min: 98, points: 2}, {min: 95, points: 1} …]``;
                  the first step (highest ``min`` first) whose ``min`` the value reaches gives the points.
``proportional``  points = max × value / ``full_at``, capped at max.
``deduction``     points = max − ``per_event`` × events (the indicator counts events), floored at 0.
``survey``        points = max × survey index / 100 (index on 0–100).

Points are rounded half-up to 2 decimals and always lie in [0, max].
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

MANUAL_TYPES = frozenset({"manual", "yes_no"})
INDICATOR_TYPES = frozenset({"thresholds", "proportional", "deduction", "survey"})
RULE_TYPES = MANUAL_TYPES | INDICATOR_TYPES
DEFAULT_STEP = Decimal("0.25")
CENT = Decimal("0.01")


def to_decimal(value: Any) -> Decimal:
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float):
        return Decimal(repr(value))
    return Decimal(str(value).strip().replace(",", "."))


def quantize(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def clamp(value: Decimal, max_points: Decimal) -> Decimal:
    return min(max(value, Decimal(0)), max_points)


def is_indicator_rule(rule: Mapping[str, Any] | None) -> bool:
    return (rule or {}).get("type", "manual") in INDICATOR_TYPES


def rule_step(rule: Mapping[str, Any] | None) -> Decimal:
    return to_decimal((rule or {}).get("step", DEFAULT_STEP))


def validate_rule(rule: Mapping[str, Any] | None, max_points: Decimal) -> list[str]:
    """Problems with a rule definition, as short translated sentences."""
    rule = rule or {}
    kind = rule.get("type", "manual")
    errors: list[str] = []
    if kind not in RULE_TYPES:
        return [
            _("không có cách chấm %(kind)s (chọn một trong: %(kinds)s)")
            % {"kind": repr(kind), "kinds": ", ".join(sorted(RULE_TYPES))}
        ]
    try:
        if kind == "manual" and "step" in rule and rule_step(rule) <= 0:
            errors.append(_("bước điểm (step) phải lớn hơn 0"))
        if kind in INDICATOR_TYPES and not rule.get("indicator"):
            errors.append(_("cách chấm %(kind)s cần một chỉ số (indicator)") % {"kind": kind})
        if kind == "thresholds":
            steps = rule.get("steps") or []
            if not steps:
                errors.append(_("cách chấm theo ngưỡng cần ít nhất một bậc"))
            mins = [to_decimal(s["min"]) for s in steps]
            if mins != sorted(mins, reverse=True):
                errors.append(_("các bậc ngưỡng phải xếp từ min cao nhất đến thấp nhất"))
            points = [to_decimal(s["points"]) for s in steps]
            if any(p < 0 or p > max_points for p in points):
                errors.append(_("điểm của các bậc ngưỡng phải từ 0 đến điểm tối đa"))
            if points != sorted(points, reverse=True):
                errors.append(_("ngưỡng cao hơn không được cho ít điểm hơn"))
        if kind == "proportional" and to_decimal(rule.get("full_at", 0)) <= 0:
            errors.append(_("cách chấm tỷ lệ cần full_at > 0"))
        if kind == "deduction" and to_decimal(rule.get("per_event", 0)) <= 0:
            errors.append(_("cách chấm trừ điểm cần per_event > 0"))
    except (KeyError, InvalidOperation, TypeError, ValueError):
        errors.append(_("tham số của cách chấm phải là số"))
    return errors


def indicator_points(rule: Mapping[str, Any], max_points: Decimal, value: Decimal | None) -> Decimal | None:
    """Points of an indicator-bound leaf for the indicator ``value`` (None when no value)."""
    if value is None:
        return None
    kind = rule.get("type")
    value = to_decimal(value)
    if kind == "thresholds":
        points = Decimal(0)
        for step in rule.get("steps", []):
            if value >= to_decimal(step["min"]):
                points = to_decimal(step["points"])
                break
    elif kind == "proportional":
        points = max_points * value / to_decimal(rule["full_at"])
    elif kind == "deduction":
        points = max_points - to_decimal(rule["per_event"]) * value
    elif kind == "survey":
        points = max_points * value / Decimal(100)
    else:
        raise ValueError(f"{kind!r} is not an indicator rule")
    return quantize(clamp(points, max_points))


def manual_score_error(rule: Mapping[str, Any] | None, max_points: Decimal, score: Decimal) -> str | None:
    """Why a hand-entered score is not allowed for this leaf, or None when it is."""
    if score < 0:
        return "score below 0"
    if score > max_points:
        return f"score above the maximum {max_points}"
    kind = (rule or {}).get("type", "manual")
    if kind == "yes_no":
        if score not in (Decimal(0), max_points):
            return f"a yes/no criterion scores 0 or {max_points}"
        return None
    if kind == "manual":
        step = rule_step(rule)
        if score != max_points and (score / step) % 1 != 0:
            return f"score must be a multiple of {step}"
    elif score != quantize(score):
        return "at most 2 decimals"
    return None
