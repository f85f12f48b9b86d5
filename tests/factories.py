"""Test data built through the real models and services (no fixtures files)."""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth import get_user_model

from cchc.frameworks.models import Band, Framework, Node
from cchc.orgs.models import OrgUnit, RoleAssignment, UnitType

DEFAULT_BANDS = [
    ("xuat_sac", "Xuất sắc", 90),
    ("tot", "Tốt", 80),
    ("kha", "Khá", 70),
    ("trung_binh", "Trung bình", 50),
    ("yeu", "Yếu", 0),
]


def unit_type(code: str) -> UnitType:
    return UnitType.objects.get(code=code)


def make_unit(code: str, name: str, type_code: str, parent: OrgUnit | None = None, **kw) -> OrgUnit:
    return OrgUnit.objects.create(code=code, name=name, unit_type=unit_type(type_code), parent=parent, **kw)


def make_user(username: str, role: str | None = None, unit: OrgUnit | None = None, **kw):
    user = get_user_model().objects.create_user(username=username, password="Mat-khau-thu-nghiem-1", **kw)
    if role and unit:
        RoleAssignment.objects.create(user=user, role=role, unit=unit)
    return user


def make_framework(
    code: str, year: int, type_codes: list[str], spec: list[dict], bands=DEFAULT_BANDS
) -> Framework:
    """``spec``: nested dicts ``{code, name, max?, rule?, evidence?, children?}``."""
    fw = Framework.objects.create(code=code, name=code, year=year)
    fw.unit_types.set(UnitType.objects.filter(code__in=type_codes))
    order = 0

    def add(items, parent):
        nonlocal order
        for item in items:
            order += 1
            node = Node.objects.create(
                framework=fw,
                parent=parent,
                code=item["code"],
                name=item.get("name", item["code"]),
                max_points=Decimal(str(item["max"])) if "max" in item else None,
                rule=item.get("rule", {"type": "manual"} if not item.get("children") else {}),
                evidence_required=item.get("evidence", False),
                order=order,
            )
            add(item.get("children", []), node)

    add(spec, None)
    for i, (bcode, bname, bmin) in enumerate(bands):
        Band.objects.create(framework=fw, code=bcode, name=bname, min_index=Decimal(bmin), order=i)
    return fw


SMALL_SPEC = [
    {
        "code": "1",
        "name": "Công tác chỉ đạo, điều hành CCHC",
        "children": [
            {"code": "1.1", "name": "Kế hoạch CCHC năm", "max": 2, "evidence": True},
            {"code": "1.2", "name": "Báo cáo CCHC", "max": 1},
        ],
    },
    {
        "code": "2",
        "name": "Cải cách thủ tục hành chính",
        "children": [
            {"code": "2.1", "name": "Công khai TTHC", "max": 3},
            {"code": "2.2", "name": "Có bộ phận một cửa", "max": 4, "rule": {"type": "yes_no"}},
        ],
    },
]
