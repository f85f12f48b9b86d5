"""GET /api/frameworks and GET /api/frameworks/{code} (the tree). Readable by any user who
holds a role (frameworks are the same for everyone); a user without a role gets 403."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from ninja import Router

from cchc.frameworks.models import Framework
from cchc.frameworks.tree import build_tree
from cchc.orgs.access import scope_for

router = Router(tags=["frameworks"])


def require_role(user) -> None:
    scope = scope_for(user)
    if not (scope.superuser or scope.paths):
        raise PermissionDenied("Tài khoản chưa được phân quyền.")


def framework_out(fw: Framework) -> dict:
    return {
        "code": fw.code,
        "name": fw.name,
        "year": fw.year,
        "status": fw.status,
        "unit_types": [t.code for t in fw.unit_types.all()],
    }


@router.get("")
def list_frameworks(request, year: int | None = None):
    require_role(request.user)
    frameworks = Framework.objects.prefetch_related("unit_types").order_by("-year", "code")
    if year:
        frameworks = frameworks.filter(year=year)
    return [framework_out(fw) for fw in frameworks]


def node_out(node) -> dict:
    return {
        "code": node.code,
        "name": node.name,
        "max": node.max_points,
        "rule": node.rule,
        "evidence_required": node.evidence_required,
        "children": [node_out(c) for c in node.children],
    }


@router.get("/{code}")
def get_framework(request, code: str):
    scope = scope_for(request.user)
    fw = Framework.objects.prefetch_related("unit_types").filter(code=code).first()
    if fw is None or not (scope.superuser or scope.paths):
        raise Http404
    tree = build_tree(fw)
    return {
        **framework_out(fw),
        "max": tree.max_points,
        "bands": [{"code": b.code, "name": b.name, "min": b.min_index} for b in tree.bands],
        "nodes": [node_out(n) for n in tree.roots],
    }
