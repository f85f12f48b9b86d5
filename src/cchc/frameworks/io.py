"""Framework import and export: the YAML format of ``docs/methodology/framework-format.md``
(keys are a contract) and an Excel sheet with one row per node.

The whole document is validated before anything is saved; each problem names where it is
(``nodes[1].children[0] (code 1.2), max: not a number``). A framework that already has scores
is never restructured: import a new version under a new code.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from cchc.core.importing import WorkbookError, YamlError, open_workbook, unknown_keys
from cchc.core.importing import dump_yaml as dump_strict_yaml
from cchc.core.importing import load_yaml as strict_yaml
from cchc.core.tables import append_row
from cchc.frameworks.models import Band, Framework, Node
from cchc.frameworks.scoring import is_indicator_rule, validate_rule
from cchc.indicators.models import Indicator
from cchc.orgs.models import OrgUnit, UnitType


class FrameworkFormatError(ValueError):
    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


def _num(value: Any) -> Decimal:
    if isinstance(value, bool):
        raise InvalidOperation
    return Decimal(str(value).replace(",", "."))


# Codes appear in URLs, file names and HTTP headers: letters, digits, ".", "_" and "-" only.
CODE_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
MAX_POINTS_LIMIT = Decimal("99999.99")  # Node.max_points: 7 digits, 2 decimals


def _decimals(value: Decimal) -> int:
    exponent = value.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def _code_problem(value: Any, max_length: int) -> str | None:
    code = str(value).strip()
    if len(code) > max_length:
        return _("tối đa %(n)s ký tự") % {"n": max_length}
    if not CODE_RE.fullmatch(code):
        return _("chỉ gồm chữ cái, chữ số, '.', '_' và '-' (không dấu cách, không '/')")
    return None


def validate_document(doc: Any) -> list[str]:
    problems: list[str] = []
    if not isinstance(doc, dict):
        return [_("tài liệu: cần một ánh xạ gồm code, name, year, unit_types, bands, nodes")]
    for key in ("code", "name", "year", "unit_types", "nodes"):
        if key not in doc or doc[key] in (None, "", []):
            problems.append(f"{key}: " + _("thiếu"))
    if doc.get("code") not in (None, "") and (why := _code_problem(doc["code"], 60)):
        problems.append(f"code: {why}")
    if len(str(doc.get("name") or "")) > 255:
        problems.append("name: " + _("tối đa %(n)s ký tự") % {"n": 255})
    if "year" in doc and not str(doc.get("year", "")).isdigit():
        problems.append("year: " + _("không phải năm: %(v)s") % {"v": repr(doc.get("year"))})
    elif "year" in doc and not 2000 <= int(doc["year"]) <= 2100:
        problems.append("year: " + _("phải nằm trong khoảng 2000–2100: %(v)s") % {"v": repr(doc["year"])})
    known_types = set(UnitType.objects.values_list("code", flat=True))
    for t in doc.get("unit_types") or []:
        if t not in known_types:
            problems.append(
                "unit_types: "
                + _("loại đơn vị không có %(t)s (các loại: %(known)s)")
                % {"t": repr(t), "known": ", ".join(sorted(known_types))}
            )
    previous_min = None
    for i, band in enumerate(doc.get("bands") or []):
        where = f"bands[{i}]"
        if not isinstance(band, dict) or not band.get("code") or not band.get("name"):
            problems.append(f"{where}: " + _("cần code, name và min"))
            continue
        if why := _code_problem(band["code"], 30):
            problems.append(f"{where}, code: {why}")
        if len(str(band["name"])) > 60:
            problems.append(f"{where} ({band['code']}), name: " + _("tối đa %(n)s ký tự") % {"n": 60})
        if band.get("color") and not re.fullmatch(r"#[0-9A-Fa-f]{3,8}", str(band["color"])):
            problems.append(f"{where} ({band['code']}), color: " + _("cần một mã màu như #15803d"))
        try:
            bmin = _num(band.get("min"))
        except (InvalidOperation, TypeError):
            problems.append(f"{where} ({band['code']}), min: " + _("không phải số"))
            continue
        if not bmin.is_finite() or not Decimal(0) <= bmin <= Decimal(100):
            problems.append(f"{where} ({band['code']}), min: " + _("phải nằm trong khoảng 0–100"))
            continue
        if _decimals(bmin) > 2:
            problems.append(f"{where} ({band['code']}), min: " + _("tối đa 2 chữ số thập phân"))
        if previous_min is not None and bmin >= previous_min:
            problems.append(
                f"{where} ({band['code']}), min: " + _("các mức xếp loại phải xếp từ cao xuống thấp")
            )
        previous_min = bmin
        if band.get("min_field_ratio") is not None:
            try:
                ratio = _num(band["min_field_ratio"])
                if not ratio.is_finite() or not Decimal(0) <= ratio <= Decimal(1) or _decimals(ratio) > 3:
                    raise InvalidOperation
            except (InvalidOperation, TypeError):
                problems.append(
                    f"{where} ({band['code']}), min_field_ratio: "
                    + _("một tỷ lệ từ 0 đến 1 (tối đa 3 chữ số thập phân)")
                )
    codes: dict[str, str] = {}
    unit_codes = set()

    def walk(items: Any, path: str) -> Decimal | None:
        if not isinstance(items, list):
            problems.append(f"{path}: " + _("cần một danh sách các nút"))
            return None
        total = Decimal(0)
        for i, node in enumerate(items):
            where = f"{path}[{i}]"
            if not isinstance(node, dict):
                problems.append(f"{where}: " + _("cần một ánh xạ"))
                continue
            code = str(node.get("code", "")).strip()
            label = f"{where} (code {code})" if code else where
            if not code:
                problems.append(f"{where}, code: " + _("thiếu"))
            elif why := _code_problem(code, 30):
                problems.append(f"{label}, code: {why}")
            elif code in codes:
                problems.append(f"{label}, code: " + _("trùng (đã có ở %(where)s)") % {"where": codes[code]})
            else:
                codes[code] = where
            if not str(node.get("name", "")).strip():
                problems.append(f"{label}, name: " + _("thiếu"))
            maximum = None
            if node.get("max") is not None:
                try:
                    maximum = _num(node["max"])
                    if not maximum.is_finite():
                        raise InvalidOperation
                    if maximum < 0:
                        problems.append(f"{label}, max: " + _("không được âm"))
                    elif maximum > MAX_POINTS_LIMIT:
                        problems.append(f"{label}, max: " + _("tối đa %(n)s") % {"n": MAX_POINTS_LIMIT})
                        maximum = None
                    elif _decimals(maximum) > 2:
                        problems.append(f"{label}, max: " + _("tối đa 2 chữ số thập phân"))
                except (InvalidOperation, TypeError):
                    problems.append(f"{label}, max: " + _("không phải số: %(v)s") % {"v": repr(node["max"])})
            if node.get("responsible_unit"):
                unit_codes.add((label, str(node["responsible_unit"])))
            children = node.get("children")
            if children:
                if node.get("rule"):
                    problems.append(f"{label}, rule: " + _("chỉ tiêu chí lá mới có quy tắc chấm điểm"))
                child_sum = walk(children, f"{where}.children")
                if maximum is None:
                    maximum = child_sum
            else:
                if maximum is None:
                    problems.append(f"{label}, max: " + _("tiêu chí lá cần điểm tối đa"))
                rule = node.get("rule") or {"type": "manual"}
                if not isinstance(rule, dict):
                    problems.append(f"{label}, rule: " + _("cần một ánh xạ như {type: manual}"))
                elif maximum is not None:
                    problems.extend(f"{label}, rule: {msg}" for msg in validate_rule(rule, maximum))
            total += maximum or Decimal(0)
        return total

    walk(doc.get("nodes") or [], "nodes")
    if unit_codes:
        found = set(
            OrgUnit.objects.filter(code__in=[c for _l, c in unit_codes]).values_list("code", flat=True)
        )
        problems.extend(
            f"{label}, responsible_unit: " + _("không có đơn vị %(code)s") % {"code": repr(c)}
            for label, c in sorted(unit_codes)
            if c not in found
        )
    previous = doc.get("previous")
    if previous and not Framework.objects.filter(code=previous).exists():
        problems.append("previous: " + _("không có bộ chỉ số %(code)s") % {"code": repr(previous)})
    return problems


@transaction.atomic
def save_document(doc: dict) -> tuple[Framework, bool]:
    """Create or (when it has no scores yet) replace the framework described by ``doc``."""
    problems = validate_document(doc)
    if problems:
        raise FrameworkFormatError(problems)
    code = str(doc["code"])
    framework = Framework.objects.filter(code=code).first()
    created = framework is None
    if framework is not None:
        # ``scored`` is set by the assessments app when a first score is saved (its signal): the
        # frameworks layer never reads the scores themselves.
        if framework.scored:
            raise FrameworkFormatError(
                [
                    "code: "
                    + _("bộ chỉ số %(code)s đã có điểm chấm; hãy nhập phiên bản mới với mã khác")
                    % {"code": code}
                ]
            )
        framework.nodes.all().delete()
        framework.bands.all().delete()
    else:
        framework = Framework(code=code)
    framework.name = str(doc["name"])
    framework.year = int(doc["year"])
    framework.description = str(doc.get("description", "") or "")
    framework.source_document = str(doc.get("source_document", "") or "")
    framework.previous = (
        Framework.objects.filter(code=doc["previous"]).first() if doc.get("previous") else None
    )
    framework.save()
    framework.unit_types.set(UnitType.objects.filter(code__in=doc["unit_types"]))
    for i, band in enumerate(doc.get("bands") or []):
        Band.objects.create(
            framework=framework,
            code=band["code"],
            name=band["name"],
            min_index=_num(band["min"]),
            min_field_ratio=_num(band["min_field_ratio"])
            if band.get("min_field_ratio") is not None
            else None,
            color=band.get("color") or DEFAULT_BAND_COLORS.get(band["code"], "#64748b"),
            order=i,
        )
    units = {u.code: u for u in OrgUnit.objects.filter(code__in=_responsible_codes(doc["nodes"]))}
    order = 0

    def add(items: list[dict], parent: Node | None) -> None:
        nonlocal order
        for item in items:
            order += 1
            rule = dict(item.get("rule") or {}) if not item.get("children") else {}
            if not item.get("children") and not rule:
                rule = {"type": "manual"}
            if is_indicator_rule(rule):
                Indicator.objects.get_or_create(
                    code=rule["indicator"], defaults={"name": str(item["name"])[:255]}
                )
            node = Node.objects.create(
                framework=framework,
                parent=parent,
                code=str(item["code"]).strip(),
                name=str(item["name"]).strip(),
                guidance=str(item.get("guidance", "") or ""),
                max_points=_num(item["max"]) if item.get("max") is not None else None,
                evidence_required=bool(item.get("evidence_required", False)),
                responsible_unit=units.get(str(item.get("responsible_unit") or "")),
                rule=rule,
                order=order,
            )
            add(item.get("children") or [], node)

    add(doc["nodes"], None)
    return framework, created


STANDARD_BANDS = [
    {"code": "xuat_sac", "name": "Xuất sắc", "min": 90},
    {"code": "tot", "name": "Tốt", "min": 80},
    {"code": "kha", "name": "Khá", "min": 70},
    {"code": "trung_binh", "name": "Trung bình", "min": 50},
    {"code": "yeu", "name": "Yếu", "min": 0},
]  # the common five classes (UNSURE nationally: every framework states its own)

DEFAULT_BAND_COLORS = {
    "xuat_sac": "#15803d",
    "tot": "#0f766e",
    "kha": "#0369a1",
    "trung_binh": "#b45309",
    "yeu": "#b91c1c",
}


def _responsible_codes(items: list[dict]) -> list[str]:
    found = []
    for item in items:
        if item.get("responsible_unit"):
            found.append(str(item["responsible_unit"]))
        found.extend(_responsible_codes(item.get("children") or []))
    return found


def _node_schema() -> dict:
    return {
        "code": None,
        "name": None,
        "max": None,
        "guidance": None,
        "evidence_required": None,
        "responsible_unit": None,
        "rule": None,  # checked by validate_rule
        "children": [_node_schema],
    }


# The keys of the YAML format (docs/methodology/framework-format.md); any other is an error.
DOCUMENT_SCHEMA = {
    "code": None,
    "name": None,
    "year": None,
    "unit_types": None,
    "description": None,
    "source_document": None,
    "previous": None,
    "bands": [{"code": None, "name": None, "min": None, "min_field_ratio": None, "color": None}],
    "nodes": [_node_schema],
}


def load_yaml(path: str | Path) -> dict:
    """The document of a framework YAML, read by the one strict loader (no aliases, duplicate
    or unknown keys, UTF-8, size cap): every problem as ``line N, column X: reason``."""
    try:
        doc = strict_yaml(path)
    except YamlError as exc:
        raise FrameworkFormatError(exc.problems) from None
    problems = unknown_keys(doc, DOCUMENT_SCHEMA) if isinstance(doc, dict) else []
    if problems:
        raise FrameworkFormatError(problems)
    return doc


def _plain(value: Decimal | None):
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def export_document(framework: Framework) -> dict:
    nodes = list(framework.nodes.select_related("responsible_unit").order_by("order", "id"))
    children: dict[int | None, list[Node]] = {}
    for n in nodes:
        children.setdefault(n.parent_id, []).append(n)

    def dump(node: Node) -> dict:
        item: dict[str, Any] = {"code": node.code, "name": node.name}
        if node.max_points is not None:
            item["max"] = _plain(node.max_points)
        if node.guidance:
            item["guidance"] = node.guidance
        if node.evidence_required:
            item["evidence_required"] = True
        if node.responsible_unit is not None:
            item["responsible_unit"] = node.responsible_unit.code
        kids = children.get(node.pk, [])
        if kids:
            item["children"] = [dump(k) for k in kids]
        else:
            item["rule"] = node.rule or {"type": "manual"}
        return item

    doc: dict[str, Any] = {
        "code": framework.code,
        "name": framework.name,
        "year": framework.year,
        "unit_types": sorted(framework.unit_types.values_list("code", flat=True)),
    }
    if framework.description:
        doc["description"] = framework.description
    if framework.source_document:
        doc["source_document"] = framework.source_document
    if framework.previous is not None:
        doc["previous"] = framework.previous.code
    doc["bands"] = [
        {
            k: v
            for k, v in {
                "code": b.code,
                "name": b.name,
                "min": _plain(b.min_index),
                "min_field_ratio": _plain(b.min_field_ratio),
                "color": b.color,
            }.items()
            if v is not None
        }
        for b in framework.bands.order_by("-min_index", "order")
    ]
    doc["nodes"] = [dump(n) for n in children.get(None, [])]
    return doc


def dump_yaml(doc: dict) -> str:
    return dump_strict_yaml(doc, width=120)


# --- Excel: one sheet "nodes" with one row per node; a sheet "framework" with the metadata ---

XLSX_NODE_COLUMNS = [
    "code",
    "parent_code",
    "name",
    "max",
    "rule_type",
    "rule_params",
    "evidence_required",
    "guidance",
    "responsible_unit",
]
XLSX_META_KEYS = ["code", "name", "year", "unit_types", "previous", "source_document"]


def load_xlsx(path: str | Path) -> dict:
    """Read the Excel template into the same document shape as YAML (rows name their sheet and line)."""
    try:
        wb = open_workbook(path)
    except WorkbookError as exc:
        raise FrameworkFormatError([str(exc)]) from None
    problems: list[str] = []
    if "nodes" not in wb.sheetnames or "framework" not in wb.sheetnames:
        raise FrameworkFormatError([_("tệp Excel cần hai trang tính 'framework' và 'nodes' (xem tệp mẫu)")])
    doc: dict[str, Any] = {"bands": []}
    for line, row in enumerate(wb["framework"].iter_rows(values_only=True), start=1):
        if not row or row[0] is None:
            continue
        key, value = str(row[0]).strip(), row[1] if len(row) > 1 else None
        if key == "band":
            # band rows: band | code | name | min | min_field_ratio
            cells = list(row[1:5]) + [None] * 4
            doc["bands"].append(
                {
                    k: v
                    for k, v in zip(["code", "name", "min", "min_field_ratio"], cells[:4], strict=True)
                    if v is not None
                }
            )
        elif key in XLSX_META_KEYS:
            if key == "unit_types":
                value = [t.strip() for t in str(value or "").split(",") if t.strip()]
            doc[key] = value
        elif key != "key":
            problems.append(
                f"sheet framework, line {line}, column A: "
                + _("khóa không được biết %(key)s") % {"key": repr(key)}
            )
    rows = list(wb["nodes"].iter_rows(values_only=True))
    header = [str(h).strip() if h is not None else "" for h in (rows[0] if rows else [])]
    missing = [c for c in XLSX_NODE_COLUMNS[:5] if c not in header]
    if missing:
        raise FrameworkFormatError([f"sheet nodes, line 1, column {c}: " + _("thiếu cột") for c in missing])
    by_code: dict[str, dict] = {}
    roots: list[dict] = []
    for line, raw in enumerate(rows[1:], start=2):
        row = dict(zip(header, raw, strict=False))
        if all(v in (None, "") for v in row.values()):
            continue
        code = str(row.get("code") or "").strip()
        node: dict[str, Any] = {"code": code, "name": row.get("name")}
        if row.get("max") not in (None, ""):
            node["max"] = row["max"]
        if row.get("guidance"):
            node["guidance"] = row["guidance"]
        if row.get("evidence_required") in (1, True, "1", "x", "X", "yes", "có"):
            node["evidence_required"] = True
        if row.get("responsible_unit"):
            node["responsible_unit"] = str(row["responsible_unit"])
        if row.get("rule_type"):
            rule: dict[str, Any] = {"type": str(row["rule_type"]).strip()}
            if row.get("rule_params"):
                try:
                    params = json.loads(str(row["rule_params"]))
                    if not isinstance(params, dict):
                        raise ValueError
                    rule.update(params)
                except ValueError:
                    problems.append(
                        f"sheet nodes, line {line}, column rule_params: " + _("không phải một đối tượng JSON")
                    )
            node["rule"] = rule
        parent = str(row.get("parent_code") or "").strip()
        if parent:
            if parent not in by_code:
                problems.append(
                    f"sheet nodes, line {line}, column parent_code: "
                    + _("không có nút cha %(code)s (nút cha phải đứng trước)") % {"code": repr(parent)}
                )
                continue
            by_code[parent].setdefault("children", []).append(node)
            by_code[parent].pop("rule", None)
        else:
            roots.append(node)
        if code:
            by_code.setdefault(code, node)
    if problems:
        raise FrameworkFormatError(problems)
    doc["nodes"] = roots
    return doc


def write_xlsx(framework: Framework | None, path_or_stream) -> None:
    """The framework as an Excel workbook, or the empty template when ``framework`` is None.
    Rows go through the table writer: a name such as ``=A1`` stays text, never a formula."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    meta = wb.active
    meta.title = "framework"
    append_row(meta, ["key", "value", "", "", ""])
    doc: dict[str, Any] = (
        export_document(framework)
        if framework
        else {
            "code": "BP-MA-NAM",
            "name": "Tên bộ chỉ số",
            "year": 2026,
            "unit_types": ["commune"],
            "bands": [],
            "nodes": [],
        }
    )
    for key in XLSX_META_KEYS:
        value = doc.get(key)
        if key == "unit_types":
            value = ",".join(value or [])
        if value is not None:
            append_row(meta, [key, value])
    bands = doc.get("bands") or STANDARD_BANDS
    for band in bands:
        append_row(meta, ["band", band["code"], band["name"], band["min"], band.get("min_field_ratio")])
    sheet = wb.create_sheet("nodes")
    append_row(sheet, XLSX_NODE_COLUMNS)
    for cell in sheet[1] + meta[1]:
        cell.font = Font(bold=True)

    def rows(items, parent_code=""):
        for item in items:
            rule = dict(item.get("rule") or {})
            rule_type = rule.pop("type", "") if not item.get("children") else ""
            append_row(
                sheet,
                [
                    item["code"],
                    parent_code,
                    item["name"],
                    item.get("max"),
                    rule_type,
                    json.dumps(rule, ensure_ascii=False) if rule else "",
                    1 if item.get("evidence_required") else 0,
                    item.get("guidance", ""),
                    item.get("responsible_unit", ""),
                ],
            )
            rows(item.get("children") or [], item["code"])

    rows(doc["nodes"])
    for col, width in zip("ABCDEFGHI", [10, 10, 60, 8, 14, 50, 10, 40, 14], strict=True):
        sheet.column_dimensions[col].width = width
    wb.save(path_or_stream)


def import_file(path: str | Path) -> tuple[Framework, bool]:
    path = Path(path)
    if not path.exists():
        raise FrameworkFormatError([_("%(path)s: không tìm thấy tệp") % {"path": path}])
    doc = load_xlsx(path) if path.suffix.lower() in {".xlsx", ".xlsm"} else load_yaml(path)
    return save_document(doc)
