"""Org-unit imports: a CSV file (``code,name,type,parent_code,valid_from,valid_to,successor_code``)
and the ``vietnam-provinces`` package (the current 34 provinces and their 3,321 communes)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _

from cchc.core.dates import parse_date
from cchc.core.importing import RowErrors, read_csv
from cchc.orgs.models import OrgUnit, UnitType

UNIT_COLUMNS = ["code", "name", "type", "parent_code", "valid_from", "valid_to", "successor_code"]


def _date(raw: str) -> dt.date | None:
    """dd/mm/yyyy or yyyy-mm-dd (the shared parser, :mod:`cchc.core.dates`); empty = none."""
    return parse_date(raw) if raw else None


def import_units_csv(path: str | Path) -> dict[str, int]:
    """Validate the whole file, then create or update every unit by code in one transaction."""
    rows = read_csv(path, UNIT_COLUMNS)
    errors = RowErrors()
    types = {t.code: t for t in UnitType.objects.all()}
    existing = {u.code: u for u in OrgUnit.objects.select_related("parent", "unit_type")}
    in_file: dict[str, int] = {}
    parsed = []
    for line, row in rows:
        code = row["code"]
        if not code:
            errors.add(line, "code", _("trống"))
            continue
        if code in in_file:
            errors.add(
                line,
                "code",
                _("mã %(code)s lặp lại (lần đầu ở dòng %(n)s)") % {"code": code, "n": in_file[code]},
            )
            continue
        in_file[code] = line
        if not row["name"]:
            errors.add(line, "name", _("trống"))
        if row["type"] not in types:
            errors.add(
                line,
                "type",
                _("không có loại đơn vị %(t)s (các loại: %(known)s)")
                % {"t": repr(row["type"]), "known": ", ".join(sorted(types))},
            )
        dates = {}
        for col in ("valid_from", "valid_to"):
            try:
                dates[col] = _date(row[col])
            except ValueError as exc:
                errors.add(line, col, str(exc))
                dates[col] = None
        if dates["valid_from"] and dates["valid_to"] and dates["valid_from"] >= dates["valid_to"]:
            errors.add(line, "valid_to", _("phải sau valid_from"))
        parsed.append((line, row, dates))
    known = set(existing) | set(in_file)
    parent_of: dict[str, str] = {u.code: u.parent.code for u in existing.values() if u.parent is not None}
    for line, row, _dates in parsed:
        if row["parent_code"]:
            if row["parent_code"] not in known:
                errors.add(
                    line, "parent_code", _("không có đơn vị %(code)s") % {"code": repr(row["parent_code"])}
                )
            elif row["parent_code"] == row["code"]:
                errors.add(line, "parent_code", _("một đơn vị không thể là đơn vị cha của chính nó"))
            parent_of[row["code"]] = row["parent_code"]
        else:
            parent_of.pop(row["code"], None)
        if row["successor_code"] and row["successor_code"] not in known:
            errors.add(
                line, "successor_code", _("không có đơn vị %(code)s") % {"code": repr(row["successor_code"])}
            )
    # Cycles and duplicate names under the same parent, on the tree as it will be.
    for line, row, _dates in parsed:
        seen, code = set(), row["code"]
        while code in parent_of:
            if code in seen:
                errors.add(line, "parent_code", _("chuỗi đơn vị cha quay vòng về chính đơn vị này"))
                break
            seen.add(code)
            code = parent_of[code]
    names: dict[tuple[str, str], str] = {}
    final_names = {c: u.name for c, u in existing.items()} | {
        row["code"]: row["name"] for _l, row, _d in parsed
    }
    for code, name in final_names.items():
        key = (parent_of.get(code, ""), name)
        if key in names and names[key] != code:
            line = in_file.get(code) or in_file.get(names[key]) or 0
            errors.add(
                line,
                "name",
                _("%(name)s đã có dưới cùng đơn vị cha (%(code)s)")
                % {"name": repr(name), "code": names[key]},
            )
        names[key] = code
    errors.raise_if_any(str(path))

    created = 0
    updated_codes: set[str] = set()
    with transaction.atomic():
        units = dict(existing)
        # Parents first: order rows so that a parent in the file precedes its children.
        depth = {}

        def level(code: str) -> int:
            if code not in depth:
                depth[code] = 0 if code not in parent_of else level(parent_of[code]) + 1
            return depth[code]

        moved = False  # once a unit moved, in-memory paths of its descendants are stale
        for _line, row, dates in sorted(parsed, key=lambda item: level(item[1]["code"])):
            unit = units.get(row["code"])
            parent = units[row["parent_code"]] if row["parent_code"] else None
            if moved and parent is not None:
                parent.path, parent.depth = OrgUnit.objects.values_list("path", "depth").get(pk=parent.pk)
            values = {
                "name": row["name"],
                "unit_type": types[row["type"]],
                "parent": parent,
                "valid_from": dates["valid_from"],
                "valid_to": dates["valid_to"],
            }
            if unit is None:
                unit = OrgUnit(code=row["code"], **values)
                unit.save()
                units[unit.code] = unit
                created += 1
            else:
                changed = any(getattr(unit, k) != v for k, v in values.items())
                if changed:
                    moved = moved or unit.parent_id != (parent.pk if parent else None)
                    for k, v in values.items():
                        setattr(unit, k, v)
                    unit.save()
                    updated_codes.add(unit.code)
        for _line, row, _dates in parsed:
            unit = units[row["code"]]
            successor = units[row["successor_code"]] if row["successor_code"] else None
            if unit.successor_id != (successor.pk if successor else None):
                unit.successor = successor
                OrgUnit.objects.filter(pk=unit.pk).update(successor=successor)
                if unit.code in existing:
                    updated_codes.add(unit.code)
    return {"created": created, "updated": len(updated_codes), "rows": len(parsed)}


PROVINCE_PREFIX = "P"
WARD_PREFIX = "W"
CURRENT_FROM = dt.date(2025, 7, 1)


def import_vietnam_provinces(province: str | None = None) -> dict[str, int]:
    """The current two-level structure (from 1/7/2025) from the ``vietnam-provinces`` package.
    Provinces get codes ``P01`` …, communes/wards ``W00070`` … (the national codes, prefixed).
    ``province`` picks one by code (``1``, ``01``, ``P01``) or name; None loads all 34."""
    from vietnam_provinces import Province, Ward

    provinces = list(Province.iter_all())
    if province:
        wanted = province.strip().upper().removeprefix(PROVINCE_PREFIX)
        provinces = [
            p
            for p in provinces
            if (wanted.isdigit() and int(wanted) == int(p.code))
            or province.strip().casefold() in p.name.casefold()
        ]
        if not provinces:
            raise ValueError(f"no province matches {province!r}")
    ptype = UnitType.objects.get(code="province")
    ctype = UnitType.objects.get(code="commune")
    created = 0
    with transaction.atomic():
        for p in provinces:
            pcode = f"{PROVINCE_PREFIX}{int(p.code):02d}"
            punit, was_created = OrgUnit.objects.get_or_create(
                code=pcode, defaults={"name": p.name, "unit_type": ptype, "valid_from": CURRENT_FROM}
            )
            created += was_created
            existing = set(OrgUnit.objects.filter(parent=punit).values_list("code", flat=True))
            new = [
                OrgUnit(
                    code=f"{WARD_PREFIX}{int(w.code):05d}",
                    name=w.name,
                    unit_type=ctype,
                    parent=punit,
                    valid_from=CURRENT_FROM,
                    depth=punit.depth + 1,
                )
                for w in Ward.iter_by_province(p.code)
                if f"{WARD_PREFIX}{int(w.code):05d}" not in existing
            ]
            OrgUnit.objects.bulk_create(new, batch_size=1000)
            # Materialised paths for the new rows, in one UPDATE.
            from django.db.models import CharField, Value
            from django.db.models.functions import Cast, Concat

            OrgUnit.objects.filter(parent=punit, path="").update(
                path=Concat(Value(punit.path), Cast("id", CharField()), Value("/"))
            )
            created += len(new)
    return {"provinces": len(provinces), "created": created}
