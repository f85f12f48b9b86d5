"""GET /api/results?framework=CODE&year=YEAR[&group=TYPE]

The rule of the results page (``access.ResultVisibility``): published results are public within
the caller's province; the secretariat also sees every result of its subtree in any state
(``provisional`` true until published). Ranks are computed over the rows the caller sees.
No role: 403. An unknown framework/year is 404.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from ninja import Router

from cchc.assessments.access import result_visibility
from cchc.assessments.models import Round
from cchc.assessments.results import round_results
from cchc.orgs.access import scope_for

router = Router(tags=["results"])


@router.get("")
def get_results(request, framework: str, year: int, group: str | None = None):
    scope = scope_for(request.user)
    if not (scope.superuser or scope.paths):
        raise PermissionDenied("Tài khoản chưa được phân quyền.")
    round_obj = Round.objects.select_related("framework").filter(framework__code=framework, year=year).first()
    if round_obj is None:
        raise Http404
    rows = [
        {
            "rank": r.rank,
            "unit_code": r.unit_code,
            "unit_name": r.unit_name,
            "unit_type": r.unit_type,
            "status": r.status,
            "provisional": r.provisional,
            "rank_provisional": r.rank_provisional,
            "total": r.total,
            "max": r.max_points,
            "index": r.index,
            "class": r.band.code if r.band else None,
            "rank_change": r.rank_change,
            "fields_at_max": f"{r.fields_at_max}/{r.fields_counted}",
            "criteria_at_max": f"{r.leaves_at_max}/{r.leaves_counted}",
        }
        for r in round_results(round_obj, group, visibility=result_visibility(request.user))
    ]
    return {"framework": framework, "year": year, "group": group, "results": rows}
