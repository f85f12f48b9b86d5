"""``cchc import-scores``: self and appraised scores per unit and leaf from CSV
(``unit_code,criterion_code,self_score,appraised_score``; empty cell = no score, ``na`` = not
applicable). The whole file is validated first; then one transaction applies it through the
same actions the pages use, so every change is audited and a re-import changes nothing."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction

from cchc.assessments import services
from cchc.assessments.models import Assessment, Round, Score
from cchc.core.importing import ImportFailed, RowErrors, parse_decimal, read_csv
from cchc.frameworks.models import Framework, Node
from cchc.frameworks.scoring import is_indicator_rule, manual_score_error
from cchc.frameworks.tree import build_tree
from cchc.orgs.models import OrgUnit

SCORE_COLUMNS = ["unit_code", "criterion_code", "self_score", "appraised_score"]
NA = "na"


def _parse_cell(raw: str) -> Decimal | str | None:
    if raw == "":
        return None
    if raw.lower() == NA:
        return NA
    return parse_decimal(raw)


def import_scores_csv(path: str | Path, framework_code: str, year: int, reason: str = "") -> dict[str, int]:
    framework = Framework.objects.filter(code=framework_code).first()
    if framework is None:
        raise ValueError(f"unknown framework {framework_code!r}")
    rows = read_csv(path, SCORE_COLUMNS)
    tree = build_tree(framework)
    leaves = {leaf.code: leaf for leaf in tree.leaves}
    all_codes = {n.code for n in tree.by_id.values()}
    unit_types = set(framework.unit_types.values_list("code", flat=True))
    units = {
        u.code: u
        for u in OrgUnit.objects.filter(code__in={r["unit_code"] for _l, r in rows}).select_related(
            "unit_type"
        )
    }
    errors = RowErrors()
    seen: dict[tuple[str, str], int] = {}
    parsed = []
    for line, row in rows:
        unit = units.get(row["unit_code"])
        if unit is None:
            errors.add(line, "unit_code", f"unknown unit {row['unit_code']!r}")
        elif unit.unit_type.code not in unit_types:
            errors.add(
                line, "unit_code", f"unit type {unit.unit_type.code} is not covered by {framework.code}"
            )
        leaf = leaves.get(row["criterion_code"])
        if leaf is None:
            reason_text = (
                "not a leaf (it has sub-criteria)"
                if row["criterion_code"] in all_codes
                else "unknown criterion"
            )
            errors.add(line, "criterion_code", f"{reason_text} {row['criterion_code']!r}")
        key = (row["unit_code"], row["criterion_code"])
        if key in seen:
            errors.add(
                line,
                "criterion_code",
                f"duplicate row for this unit and criterion (first on line {seen[key]})",
            )
        seen.setdefault(key, line)
        values = {}
        for col in ("self_score", "appraised_score"):
            try:
                values[col] = _parse_cell(row[col])
            except ValueError as exc:
                errors.add(line, col, str(exc))
                continue
            if leaf is not None and isinstance(values[col], Decimal):
                rule = {"type": "manual", "step": "0.01"} if is_indicator_rule(leaf.rule) else leaf.rule
                problem = manual_score_error(rule, leaf.max_points, values[col])
                if problem:
                    errors.add(line, col, problem)
        if (
            values.get("self_score") == NA
            and isinstance(values.get("appraised_score"), Decimal)
            or (values.get("appraised_score") == NA and isinstance(values.get("self_score"), Decimal))
        ):
            errors.add(line, "appraised_score", "a criterion cannot be both scored and not applicable")
        parsed.append((line, unit, leaf, values))
    errors.raise_if_any(str(path))

    created = changed = 0
    with transaction.atomic():
        round_obj, _ = Round.objects.get_or_create(framework=framework, year=year)
        existing = {
            a.unit_id: a for a in Assessment.objects.filter(round=round_obj).select_related("unit", "round")
        }
        nodes = {
            n.pk: n
            for n in Node.objects.filter(framework=framework, pk__in=[lf.id for lf in leaves.values()])
        }
        current = {(s.assessment_id, s.node_id): s for s in Score.objects.filter(assessment__round=round_obj)}
        for _line, unit, leaf, values in parsed:
            assessment = existing.get(unit.pk)
            if assessment is None:
                services.open_round(framework, year, units=[unit])
                assessment = Assessment.objects.select_related("unit", "round").get(
                    round=round_obj, unit=unit
                )
                existing[unit.pk] = assessment
                created += 1
            node = nodes[leaf.id]
            score = current.get((assessment.pk, node.pk))
            na = NA in (values["self_score"], values["appraised_score"])
            self_value = values["self_score"] if isinstance(values["self_score"], Decimal) else None
            appraised_value = (
                values["appraised_score"] if isinstance(values["appraised_score"], Decimal) else None
            )
            old = (
                (score.self_score, score.appraised_score, score.not_applicable)
                if score
                else (None, None, False)
            )
            if old == (self_value, appraised_value, na):
                continue
            try:
                services.set_self_score(
                    assessment, node, score=self_value, not_applicable=na, reason=reason or "import"
                )
                services.set_appraised_score(
                    assessment, node, score=appraised_value, reason=reason or "import"
                )
            except ValidationError as exc:
                # e.g. a published (locked) assessment: the whole import is rolled back.
                raise ImportFailed(
                    str(path), [f"line {_line}, column unit_code: {'; '.join(exc.messages)}"]
                ) from None
            changed += 1
    return {"rows": len(parsed), "assessments_created": created, "scores_changed": changed}
