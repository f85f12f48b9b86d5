"""GET /api/units: the units the caller can see."""

from __future__ import annotations

import datetime as dt

from ninja import Query, Router, Schema

from cchc.orgs.access import scope_for
from cchc.orgs.models import OrgUnit
from cchc.orgs.views import fold

router = Router(tags=["units"])


class UnitOut(Schema):
    id: int
    code: str
    name: str
    type: str
    parent_code: str | None
    valid_from: dt.date | None
    valid_to: dt.date | None
    successor_code: str | None


def unit_out(u: OrgUnit) -> dict:
    return {
        "id": u.pk,
        "code": u.code,
        "name": u.name,
        "type": u.unit_type.code,
        "parent_code": u.parent.code if u.parent_id else None,
        "valid_from": u.valid_from,
        "valid_to": u.valid_to,
        "successor_code": u.successor.code if u.successor_id else None,
    }


@router.get("", response=list[UnitOut])
def list_units(
    request,
    type: str | None = None,
    q: str | None = None,
    limit: int = Query(500, ge=1, le=5000),
    offset: int = Query(0, ge=0, le=10**9),
):
    """Visible units (your roles' subtrees), filtered by unit type code and by ``q`` on code or
    name (every word, accents and case ignored); ``limit`` (≤ 5000) and ``offset`` page."""
    units = OrgUnit.objects.filter(scope_for(request.user).unit_q()).select_related(
        "unit_type", "parent", "successor"
    )
    if type:
        units = units.filter(unit_type__code=type)
    words = fold(q or "").split()
    if words:
        # Accent- and case-insensitive, like the unit picker ("dong hoa" finds "Đông Hòa").
        ids = [
            pk
            for pk, code, name in units.values_list("pk", "code", "name")
            if all(w in f"{fold(code)} {fold(name)}" for w in words)
        ]
        units = units.filter(pk__in=ids)
    limit = max(1, min(limit, 5000))
    return [unit_out(u) for u in units.order_by("path")[offset : offset + limit]]
