"""Framework editor actions (secretariat): edit a node, add a child, delete a leaf, edit the
bands, copy a framework, import a shipped framework.

Every action first asks ``orgs.access.may_change_shared``: a framework is shared by every unit of
its unit types (and every unit assessed under it), so only a secretariat whose scope covers all of
them may change it (``user=None`` is the operator at the command line).

Every action applies the change to the framework's YAML document (``io.export_document``) and
validates the result with the import's own ``io.validate_document`` before touching the
database, so an edit in the browser obeys exactly the rules of an imported file. Each action is
atomic and leaves an entry in Django's admin log (who, when, what).

Once a framework is scored (``Framework.scored``, written by the assessments layer when the first
score is saved) only the texts may change — the framework's name, a node's name, guidance and
responsible unit, a band's name and colour — each change an audit row (``FrameworkChange``):
maxima, rules, evidence flags, band thresholds and the tree itself are frozen so that published
results stay reproducible. A re-import under the same code obeys the same freeze.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils.translation import gettext as _

import cchc
from cchc.frameworks.io import (
    DEFAULT_BAND_COLORS,
    FrameworkFormatError,
    export_document,
    load_xlsx,
    load_yaml,
    save_document,
    validate_document,
)
from cchc.frameworks.models import Band, Framework, FrameworkChange, Node
from cchc.frameworks.scoring import is_indicator_rule
from cchc.indicators.models import Indicator
from cchc.orgs.access import may_change_shared
from cchc.orgs.models import OrgUnit

TEXT_FIELDS = ("name", "guidance", "responsible_unit")
FROZEN_FIELDS = ("max_points", "rule", "evidence_required")


def has_scores(framework: Framework) -> bool:
    """A scored framework is frozen (the flag is read from the database, never from a stale
    instance)."""
    return Framework.objects.filter(pk=framework.pk, scored=True).exists()


def _locked_error() -> ValidationError:
    return ValidationError(
        _(
            "Bộ chỉ số đã có điểm chấm: chỉ sửa được tên, hướng dẫn và đơn vị cung cấp tài liệu; "
            "cách chấm, điểm tối đa và yêu cầu tài liệu kiểm chứng không sửa được. Hãy sao chép "
            "thành phiên bản mới để sửa cấu trúc."
        )
    )


# --- who may change a framework -----------------------------------------------------------------


def units_of_types(type_codes) -> Q:
    return Q(unit_type__code__in=list(type_codes))


def framework_units(framework: Framework):
    """The units a framework applies to: every unit of its unit types, and every unit assessed
    under it (through the reverse relation, without importing the assessments layer)."""
    return OrgUnit.objects.filter(
        Q(unit_type__in=framework.unit_types.all()) | Q(assessments__round__framework=framework)
    )


def may_change_framework(user, framework: Framework) -> bool:
    return may_change_shared(user, framework_units(framework))


def _forbidden() -> PermissionDenied:
    return PermissionDenied(
        _("Chỉ Thường trực CCHC có phạm vi bao gồm mọi đơn vị áp dụng bộ chỉ số này mới được sửa nó.")
    )


def require_change(user, framework: Framework | None = None, type_codes=()) -> None:
    """Refuse (PermissionDenied) unless ``user`` may change ``framework`` and create one for the
    unit types ``type_codes``. ``user=None`` is the operator (command line): always allowed."""
    if user is None:
        return
    units = OrgUnit.objects.filter(units_of_types(type_codes))
    if framework is not None:
        units = OrgUnit.objects.filter(
            units_of_types(type_codes)
            | Q(unit_type__in=framework.unit_types.all())
            | Q(assessments__round__framework=framework)
        )
    if not may_change_shared(user, units):
        raise _forbidden()


def _display(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


def _audit(framework: Framework, user, target: str, field: str, old, new) -> None:
    FrameworkChange.objects.create(
        framework=framework,
        target=target[:60],
        field=field,
        old=_display(old),
        new=_display(new),
        by=user if getattr(user, "pk", None) else None,
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
    require_change(user, framework)
    node = Node.objects.select_related("responsible_unit").get(pk=node.pk)
    is_leaf = not node.children.exists()
    structural = {}
    if "max_points" in fields and fields["max_points"] != node.max_points:
        structural["max_points"] = fields["max_points"]
    if is_leaf and "rule" in fields and fields["rule"] != (node.rule or {"type": "manual"}):
        structural["rule"] = fields["rule"]
    if "evidence_required" in fields and bool(fields["evidence_required"]) != node.evidence_required:
        structural["evidence_required"] = bool(fields["evidence_required"])
    if structural and has_scores(framework):
        raise _locked_error()
    doc = export_document(framework)
    item, _parent, _siblings = _find(doc["nodes"], node.code)
    _apply_fields(item, {k: v for k, v in fields.items() if k in TEXT_FIELDS} | structural)
    _validate(doc)
    changed: list[tuple[str, Any, Any]] = []
    for key in ("name", "guidance"):
        if key in fields and getattr(node, key) != fields[key]:
            changed.append((key, getattr(node, key), fields[key]))
            setattr(node, key, fields[key])
    if "responsible_unit" in fields:
        unit = _responsible(fields["responsible_unit"])
        if node.responsible_unit_id != (unit.pk if unit else None):
            old = node.responsible_unit.code if node.responsible_unit is not None else ""
            changed.append(("responsible_unit", old, unit.code if unit else ""))
            node.responsible_unit = unit
    for key in FROZEN_FIELDS:
        if key in structural:
            changed.append((key, getattr(node, key), structural[key]))
            setattr(node, key, structural[key])
    if "rule" in structural:
        _ensure_indicator(node.rule, node.name)
    if changed:
        node.save()
        for key, old, new in changed:
            _audit(framework, user, node.code, key, old, new)
        _log(user, node, CHANGE, f"{framework.code} {node.code}: {', '.join(k for k, _o, _n in changed)}")
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
    require_change(user, framework)
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
    if parent_was_leaf and parent is not None:
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
    require_change(user, framework)
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
    if parent_becomes_leaf and parent is not None:
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
    require_change(user, framework)
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
    old_bands = {b.code: b for b in current}
    for b in bands:
        old_band = old_bands.get(b["code"])
        for key, attr in (("name", "name"), ("color", "color")):
            old = getattr(old_band, attr) if old_band else None
            new = b.get(key) or (None if key == "color" else "")
            if old_band is not None and new is not None and old != new:
                _audit(framework, user, f"band {b['code']}", key, old, new)
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
    require_change(user, type_codes=source.unit_types.values_list("code", flat=True))
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
            doc = load_yaml(path)
        except (OSError, FrameworkFormatError) as exc:
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
        framework, _created = import_framework(shipped_dir() / entry["file"], user=user)
    except FrameworkFormatError as exc:
        raise ValidationError(exc.problems) from None
    _log(user, framework, ADDITION, f"{framework.code} imported from {entry['file']}")
    return framework


# --- import (YAML/XLSX) under the shared-object rule and the freeze ----------------------------

FRAMEWORK_TEXTS = ("name", "description", "source_document")
NODE_TEXTS = ("name", "guidance", "responsible_unit")


def load_document(path: str | Path) -> dict:
    """The framework document of a YAML or XLSX file (parsed by ``io``)."""
    path = Path(path)
    if not path.exists():
        raise FrameworkFormatError([f"{path}: file not found"])
    return load_xlsx(path) if path.suffix.lower() in {".xlsx", ".xlsm"} else load_yaml(path)


def _dec(value) -> Decimal | None:
    if value is None or value == "":
        return None
    return Decimal(str(value).replace(",", "."))


def _norm(value):
    """A rule mapping compared by value: 2, 2.0 and "2" are one number."""
    if isinstance(value, dict):
        return {k: _norm(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_norm(v) for v in value]
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return Decimal(str(value))
    return value


def _frozen_nodes(items: list[dict], parent: str = "") -> list[tuple]:
    rows = []
    for item in items:
        code = str(item["code"]).strip()
        kids = item.get("children") or []
        rule = None if kids else _norm(dict(item.get("rule") or {}) or {"type": "manual"})
        rows.append((code, parent, _dec(item.get("max")), rule, bool(item.get("evidence_required", False))))
        rows.extend(_frozen_nodes(kids, code))
    return rows


def _frozen(doc: dict) -> dict:
    """What a scored framework may not change: the tree, maxima, rules, evidence flags, band
    codes and thresholds, unit types and year."""
    return {
        "year": int(doc["year"]),
        "unit_types": sorted(str(t) for t in doc.get("unit_types") or []),
        "bands": sorted(
            (
                (str(b["code"]), _dec(b["min"]), _dec(b.get("min_field_ratio")))
                for b in doc.get("bands") or []
            ),
            key=lambda b: b[1],
            reverse=True,
        ),
        "nodes": _frozen_nodes(doc["nodes"]),
    }


def _frozen_differences(old: dict, new: dict) -> list[str]:
    a, b = _frozen(old), _frozen(new)
    problems = []
    if a["year"] != b["year"] or a["unit_types"] != b["unit_types"]:
        problems.append(_("năm hoặc loại đơn vị áp dụng"))
    if a["bands"] != b["bands"]:
        problems.append(_("mã, ngưỡng hoặc điều kiện của xếp loại"))
    old_nodes = {r[0]: r for r in a["nodes"]}
    if [r[:2] for r in a["nodes"]] != [r[:2] for r in b["nodes"]]:
        problems.append(_("cây tiêu chí (thêm, xoá hoặc chuyển tiêu chí)"))
    labels = {2: _("điểm tối đa"), 3: _("cách chấm điểm"), 4: _("yêu cầu tài liệu kiểm chứng")}
    for row in b["nodes"]:
        before = old_nodes.get(row[0])
        if before is None:
            continue
        for index, label in labels.items():
            if before[index] != row[index]:
                problems.append(_("tiêu chí %(code)s: %(what)s") % {"code": row[0], "what": label})
    return problems


def _walk(items: list[dict]):
    for item in items:
        yield item
        yield from _walk(item.get("children") or [])


def _apply_texts(framework: Framework, doc: dict, *, user) -> None:
    """Apply the texts of ``doc`` to a scored ``framework`` (same tree), one audit row a change."""
    for key in FRAMEWORK_TEXTS:
        new = str(doc.get(key, "") or "").strip() if key == "name" else str(doc.get(key, "") or "")
        if getattr(framework, key) != new:
            _audit(framework, user, "", key, getattr(framework, key), new)
            setattr(framework, key, new)
    previous = Framework.objects.filter(code=doc["previous"]).first() if doc.get("previous") else None
    if framework.previous_id != (previous.pk if previous else None):
        old = framework.previous.code if framework.previous is not None else ""
        _audit(framework, user, "", "previous", old, previous.code if previous else "")
        framework.previous = previous
    framework.save()
    nodes = {n.code: n for n in framework.nodes.select_related("responsible_unit")}
    for item in _walk(doc["nodes"]):
        node = nodes[str(item["code"]).strip()]
        changed = []
        for key in ("name", "guidance"):
            new = str(item.get(key, "") or "")
            new = new.strip() if key == "name" else new
            if getattr(node, key) != new:
                _audit(framework, user, node.code, key, getattr(node, key), new)
                setattr(node, key, new)
                changed.append(key)
        unit = _responsible(str(item.get("responsible_unit") or ""))
        if node.responsible_unit_id != (unit.pk if unit else None):
            old = node.responsible_unit.code if node.responsible_unit is not None else ""
            _audit(framework, user, node.code, "responsible_unit", old, unit.code if unit else "")
            node.responsible_unit = unit
            changed.append("responsible_unit")
        if changed:
            node.save()
    bands = {b.code: b for b in framework.bands.all()}
    for item in doc.get("bands") or []:
        band = bands[str(item["code"])]
        new_name = str(item["name"])
        new_color = item.get("color") or band.color
        for key, new in (("name", new_name), ("color", new_color)):
            if getattr(band, key) != new:
                _audit(framework, user, f"band {band.code}", key, getattr(band, key), new)
                setattr(band, key, new)
        band.save()


@transaction.atomic
def import_framework(path: str | Path, *, user) -> tuple[Framework, bool]:
    """Import a framework file (YAML/XLSX) as ``user`` (None: the operator at the command line).

    A new code or an unscored framework is created or replaced by the import; a scored one
    keeps its tree, maxima, rules and evidence flags — a file that changes them is refused with
    what it changes — and takes the new texts, each change audited."""
    doc = load_document(path)
    problems = validate_document(doc)
    if problems:
        raise FrameworkFormatError(problems)
    existing = Framework.objects.select_for_update().filter(code=str(doc["code"])).first()
    require_change(user, existing, type_codes=[str(t) for t in doc["unit_types"]])
    if existing is not None and has_scores(existing):
        differences = _frozen_differences(export_document(existing), doc)
        if differences:
            raise FrameworkFormatError(
                [
                    _(
                        "Bộ chỉ số %(code)s đã có điểm chấm: tệp không được thay đổi %(what)s. "
                        "Hãy nhập phiên bản mới với mã khác."
                    )
                    % {"code": existing.code, "what": what}
                    for what in differences
                ]
            )
        _apply_texts(existing, doc, user=user)
        _log(user, existing, CHANGE, f"{existing.code}: texts re-imported")
        return existing, False
    framework, created = save_document(doc)
    _log(user, framework, ADDITION if created else CHANGE, f"{framework.code} imported")
    return framework, created


def audit_admin_change(node: Node, user) -> None:
    """Audit rows for a node changed in the Django admin (called before it is saved)."""
    before = Node.objects.select_related("responsible_unit").get(pk=node.pk)
    for key in ("name", "guidance", "max_points", "evidence_required", "rule"):
        if getattr(before, key) != getattr(node, key):
            _audit(node.framework, user, node.code, key, getattr(before, key), getattr(node, key))
    if before.responsible_unit_id != node.responsible_unit_id:
        old = before.responsible_unit.code if before.responsible_unit is not None else ""
        new = node.responsible_unit.code if node.responsible_unit is not None else ""
        _audit(node.framework, user, node.code, "responsible_unit", old, new)
