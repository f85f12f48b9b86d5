"""Framework editor actions (secretariat): edit a node, add a child, delete a leaf, edit the
bands, copy a framework, import a shipped framework.

Every action applies the change to the framework's YAML document (``io.export_document``) and
validates the result with the import's own ``io.validate_document`` before touching the
database, so an edit in the browser obeys exactly the rules of an imported file. Each action is
atomic and leaves an entry in Django's admin log (who, when, what).

Once a framework has scores only the text of a node (name, guidance, evidence flag, responsible
unit) and the name and colour of a band may change: maxima, rules, band thresholds and the tree
itself are frozen so that published results stay reproducible.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings
from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

import cchc
from cchc.frameworks.io import (
    DEFAULT_BAND_COLORS,
    FrameworkFormatError,
    export_document,
    import_file,
    save_document,
    validate_document,
)
from cchc.frameworks.models import Band, Framework, Node
from cchc.frameworks.scoring import is_indicator_rule
from cchc.indicators.models import Indicator
from cchc.orgs.models import OrgUnit

TEXT_FIELDS = ("name", "guidance", "evidence_required", "responsible_unit")


def has_scores(framework: Framework) -> bool:
    """The same test the import uses: any score row on any node freezes the structure."""
    from cchc.assessments.models import Score

    return Score.objects.filter(node__framework=framework).exists()


def _locked_error() -> ValidationError:
    return ValidationError(
        _(
            "Bộ chỉ số đã có điểm chấm: chỉ sửa được tên, hướng dẫn, yêu cầu tài liệu kiểm chứng "
            "và đơn vị cung cấp tài liệu. Hãy sao chép thành phiên bản mới để sửa cấu trúc."
        )
    )


def _validate(doc: dict) -> None:
    problems = validate_document(doc)
    if problems:
        raise ValidationError(problems)


def _find(items: list[dict], code: str, parent: dict | None = None):
    """(item, parent item, the list holding item) for the node ``code`` of a document."""
    for item in items:
        if item["code"] == code:
            return item, parent, items
        found = _find(item.get("children") or [], code, item)
        if found:
            return found
    return None


def _log(user, obj, flag: int, message: str) -> None:
    if user is None or not getattr(user, "pk", None):
        return
    model = type(obj)
    LogEntry.objects.log_actions(
        user.pk, model.objects.filter(pk=obj.pk), flag, change_message=message, single_object=True
    )


def _responsible(code: str) -> OrgUnit | None:
    return OrgUnit.objects.filter(code=code).first() if code else None


def _ensure_indicator(rule: dict, name: str) -> None:
    if is_indicator_rule(rule) and rule.get("indicator"):
        Indicator.objects.get_or_create(code=rule["indicator"], defaults={"name": name[:255]})


def _apply_fields(item: dict, fields: dict[str, Any]) -> None:
    """Write editor fields into a document item (the YAML keys)."""
    for key in ("name", "guidance"):
        if key in fields:
            item[key] = fields[key]
    if "evidence_required" in fields:
        item["evidence_required"] = bool(fields["evidence_required"])
    if "responsible_unit" in fields:
        if fields["responsible_unit"]:
            item["responsible_unit"] = fields["responsible_unit"]
        else:
            item.pop("responsible_unit", None)
    if "max_points" in fields:
        if fields["max_points"] is None:
            item.pop("max", None)
        else:
            item["max"] = fields["max_points"]
    if "rule" in fields and not item.get("children"):
        item["rule"] = fields["rule"]


@transaction.atomic
def update_node(node: Node, *, user, **fields) -> Node:
    """Change a node. ``fields``: any of name, guidance, evidence_required, responsible_unit
    (a unit code, "" for none), max_points (Decimal or None = sum of children) and rule (a
    leaf's rule mapping)."""
    framework = Framework.objects.select_for_update().get(pk=node.framework_id)
    node = Node.objects.select_related("responsible_unit").get(pk=node.pk)
    is_leaf = not node.children.exists()
    structural = {}
    if "max_points" in fields and fields["max_points"] != node.max_points:
        structural["max_points"] = fields["max_points"]
    if is_leaf and "rule" in fields and fields["rule"] != (node.rule or {"type": "manual"}):
        structural["rule"] = fields["rule"]
    if structural and has_scores(framework):
        raise _locked_error()
    doc = export_document(framework)
    item, _parent, _siblings = _find(doc["nodes"], node.code)
    _apply_fields(item, {k: v for k, v in fields.items() if k in TEXT_FIELDS} | structural)
    _validate(doc)
    changed = []
    for key in ("name", "guidance", "evidence_required"):
        if key in fields and getattr(node, key) != fields[key]:
            setattr(node, key, fields[key])
            changed.append(key)
    if "responsible_unit" in fields:
        unit = _responsible(fields["responsible_unit"])
        if node.responsible_unit_id != (unit.pk if unit else None):
            node.responsible_unit = unit
            changed.append("responsible_unit")
    if "max_points" in structural:
        node.max_points = structural["max_points"]
        changed.append("max_points")
    if "rule" in structural:
        node.rule = structural["rule"]
        _ensure_indicator(node.rule, node.name)
        changed.append("rule")
    if changed:
        node.save()
        _log(user, node, CHANGE, f"{framework.code} {node.code}: {', '.join(changed)}")
    return node


def _subtree_last_order(framework: Framework, parent: Node | None) -> int:
    rows = list(Node.objects.filter(framework=framework).values_list("id", "parent_id", "order"))
    if parent is None:
        return max((o for _i, _p, o in rows), default=0)
    children: dict[int | None, list[tuple[int, int]]] = {}
    for node_id, parent_id, order in rows:
        children.setdefault(parent_id, []).append((node_id, order))
    last = parent.order
    stack = [parent.pk]
    while stack:
        for node_id, order in children.get(stack.pop(), []):
            last = max(last, order)
            stack.append(node_id)
    return last


@transaction.atomic
def add_child(framework: Framework, parent: Node | None, *, user, code: str, **fields) -> Node:
    """Add a node under ``parent`` (a new field when None), after the parent's last descendant.
    A leaf that receives a child becomes a group: its rule goes and its maximum becomes the sum
    of its children."""
    framework = Framework.objects.select_for_update().get(pk=framework.pk)
    if has_scores(framework):
        raise _locked_error()
    code = code.strip()
    doc = export_document(framework)
    new_item: dict[str, Any] = {"code": code}
    _apply_fields(new_item, fields)
    new_item.setdefault("rule", fields.get("rule") or {"type": "manual"})
    parent_was_leaf = False
    if parent is None:
        doc["nodes"].append(new_item)
    else:
        parent_item, _grand, _siblings = _find(doc["nodes"], parent.code)
        if not parent_item.get("children"):
            parent_was_leaf = True
            parent_item.pop("rule", None)
            parent_item.pop("max", None)
        parent_item.setdefault("children", []).append(new_item)
    _validate(doc)
    if parent_was_leaf:
        parent.rule = {}
        parent.max_points = None
        parent.save(update_fields=["rule", "max_points"])
    after = _subtree_last_order(framework, parent)
    Node.objects.filter(framework=framework, order__gt=after).update(order=F("order") + 1)
    rule = new_item.get("rule") or {"type": "manual"}
    node = Node.objects.create(
        framework=framework,
        parent=parent,
        code=code,
        name=new_item["name"],
        guidance=new_item.get("guidance", ""),
        max_points=new_item.get("max"),
        evidence_required=new_item.get("evidence_required", False),
        responsible_unit=_responsible(new_item.get("responsible_unit", "")),
        rule=rule,
        order=after + 1,
    )
    _ensure_indicator(rule, node.name)
    _log(user, node, ADDITION, f"{framework.code} {node.code}")
    return node


@transaction.atomic
def delete_leaf(node: Node, *, user) -> None:
    """Delete a leaf. When it was its parent's last child the parent becomes a manually scored
    leaf keeping the maximum it had."""
    framework = Framework.objects.select_for_update().get(pk=node.framework_id)
    if has_scores(framework):
        raise _locked_error()
    node = Node.objects.select_related("parent").get(pk=node.pk)
    if node.children.exists():
        raise ValidationError(_("Chỉ xoá được tiêu chí không có tiêu chí con."))
    doc = export_document(framework)
    item, parent_item, siblings = _find(doc["nodes"], node.code)
    siblings.remove(item)
    parent = node.parent
    parent_becomes_leaf = parent_item is not None and not siblings
    if parent_becomes_leaf:
        parent_item.pop("children", None)
        if parent_item.get("max") is None:
            parent_item["max"] = node.max_points
        parent_item["rule"] = {"type": "manual"}
    _validate(doc)
    if parent_becomes_leaf:
        parent.max_points = parent_item["max"]
        parent.rule = {"type": "manual"}
        parent.save(update_fields=["max_points", "rule"])
    _log(user, node, DELETION, f"{framework.code} {node.code}")
    node.delete()


@transaction.atomic
def replace_bands(framework: Framework, bands: list[dict], *, user) -> list[Band]:
    """Replace the bands with ``bands`` (dicts with code, name, min, min_field_ratio, color);
    they are kept highest first. With scores only names and colours may change."""
    framework = Framework.objects.select_for_update().get(pk=framework.pk)
    bands = sorted(bands, key=lambda b: b["min"], reverse=True)
    codes = [b["code"] for b in bands]
    duplicates = sorted({c for c in codes if codes.count(c) > 1})
    if duplicates:
        raise ValidationError(_("Mã xếp loại bị trùng: %(codes)s") % {"codes": ", ".join(duplicates)})
    current = list(framework.bands.order_by("-min_index", "order"))
    if has_scores(framework):

        def thresholds(rows):
            return [
                (
                    r["code"],
                    Decimal(r["min"]),
                    None if r["min_field_ratio"] is None else Decimal(r["min_field_ratio"]),
                )
                for r in rows
            ]

        before = [{"code": b.code, "min": b.min_index, "min_field_ratio": b.min_field_ratio} for b in current]
        if thresholds(before) != thresholds(bands):
            raise ValidationError(
                _(
                    "Bộ chỉ số đã có điểm chấm: chỉ sửa được tên và màu của xếp loại, không sửa "
                    "mã, ngưỡng hay điều kiện."
                )
            )
    doc = export_document(framework)
    doc["bands"] = [
        {
            k: v
            for k, v in b.items()
            if v is not None and k in {"code", "name", "min", "min_field_ratio", "color"}
        }
        for b in bands
    ]
    _validate(doc)
    framework.bands.all().delete()
    created = [
        Band.objects.create(
            framework=framework,
            code=b["code"],
            name=b["name"],
            min_index=b["min"],
            min_field_ratio=b.get("min_field_ratio"),
            color=b.get("color") or DEFAULT_BAND_COLORS.get(b["code"], "#64748b"),
            order=i,
        )
        for i, b in enumerate(bands)
    ]
    _log(user, framework, CHANGE, f"{framework.code}: bands {', '.join(codes)}")
    return created


@transaction.atomic
def copy_framework(
    source: Framework, *, user, code: str, year: int, name: str, link_previous: bool = True
) -> Framework:
    """A new framework with the tree and bands of ``source`` under a new code and year, saved
    through the import (``save_document``). ``link_previous`` makes ``source`` the framework of
    the year before (rank change compares against its round)."""
    code = code.strip()
    if Framework.objects.filter(code=code).exists():
        raise ValidationError(_("Mã %(code)s đã được dùng cho một bộ chỉ số khác.") % {"code": code})
    doc = export_document(source)
    doc["code"] = code
    doc["year"] = year
    doc["name"] = name.strip()
    if link_previous:
        doc["previous"] = source.code
    else:
        doc.pop("previous", None)
    try:
        framework, _created = save_document(doc)
    except FrameworkFormatError as exc:
        raise ValidationError(exc.problems) from None
    _log(user, framework, ADDITION, f"{framework.code} copied from {source.code}")
    return framework


# --- frameworks shipped with the platform (src/cchc/data/frameworks/*.yaml) -----------------


def shipped_dir() -> Path:
    configured = getattr(settings, "CCHC_SHIPPED_FRAMEWORKS_DIR", None)
    return Path(configured) if configured else Path(cchc.__file__).parent / "data" / "frameworks"


def shipped_frameworks() -> list[dict]:
    """The YAML files in the shipped folder, read at call time (the folder may be missing)."""
    folder = shipped_dir()
    if not folder.is_dir():
        return []
    found = []
    existing = set(Framework.objects.values_list("code", flat=True))
    for path in sorted(folder.glob("*.yaml")) + sorted(folder.glob("*.yml")):
        entry: dict[str, Any] = {"file": path.name, "code": "", "name": "", "year": "", "error": ""}
        try:
            doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
            entry["error"] = str(exc).splitlines()[0][:200]
            found.append(entry)
            continue
        if isinstance(doc, dict):
            entry.update(
                code=str(doc.get("code", "")),
                name=str(doc.get("name", "")),
                year=doc.get("year", ""),
                unit_types=", ".join(str(t) for t in doc.get("unit_types") or []),
            )
        else:
            entry["error"] = "not a framework document"
        entry["imported"] = entry["code"] in existing
        found.append(entry)
    return found


@transaction.atomic
def import_shipped(file_name: str, *, user) -> Framework:
    """Import one shipped file through the import code path; an already imported code is not
    replaced (copy it to edit a new version)."""
    entry = next((e for e in shipped_frameworks() if e["file"] == file_name), None)
    if entry is None:
        raise ValidationError(_("Không tìm thấy tệp bộ chỉ số %(name)s.") % {"name": file_name})
    if entry.get("imported"):
        raise ValidationError(_("Bộ chỉ số %(code)s đã được nhập.") % {"code": entry["code"]})
    try:
        framework, _created = import_file(shipped_dir() / entry["file"])
    except FrameworkFormatError as exc:
        raise ValidationError(exc.problems) from None
    _log(user, framework, ADDITION, f"{framework.code} imported from {entry['file']}")
    return framework
