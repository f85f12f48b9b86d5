"""GET /api/results?framework=CODE&year=YEAR[&group=TYPE]

Ranks are computed over the whole round (a rank is a fact of the round), but only rows for
units in the caller's scope are returned:

* secretariat: every unit of its subtree, whatever the status (it runs the appraisal);
* leader and appraiser: the units of their subtrees, once published (the rule of the results
  page: a ranking is public only when published);
* unit officer: their own unit, once its assessment is published;
* no role: 403. An unknown framework/year is 404.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from ninja import Router

from cchc.assessments.models import Round, Status
from cchc.assessments.results import round_results
from cchc.orgs.access import scope_for
from cchc.orgs.models import OrgUnit, Role

router = Router(tags=["results"])


@router.get("")
def get_results(request, framework: str, year: int, group: str | None = None):
    scope = scope_for(request.user)
    if not (scope.superuser or scope.paths):
        raise PermissionDenied("Tài khoản chưa được phân quyền.")
    round_obj = Round.objects.select_related("framework").filter(framework__code=framework, year=year).first()
    if round_obj is None:
        raise Http404
    wide = scope.unit_q(Role.SECRETARIAT) if not scope.superuser else scope.unit_q()
    wide_ids = set(OrgUnit.objects.filter(wide).values_list("pk", flat=True))
    published_q = scope.unit_q(Role.LEADER) | scope.unit_q(Role.APPRAISER) | scope.unit_q(Role.UNIT_OFFICER)
    published_ids = set(OrgUnit.objects.filter(published_q).values_list("pk", flat=True))
    rows = []
    for r in round_results(round_obj, group):
        if r.unit_id in wide_ids or (r.unit_id in published_ids and r.status == Status.PUBLISHED):
            rows.append(
                {
                    "rank": r.rank,
                    "unit_code": r.unit_code,
                    "unit_name": r.unit_name,
                    "unit_type": r.unit_type,
                    "status": r.status,
                    "total": r.total,
                    "max": r.max_points,
                    "index": r.index,
                    "class": r.band.code if r.band else None,
                    "rank_change": r.rank_change,
                    "fields_at_max": f"{r.fields_at_max}/{r.fields_counted}",
                    "criteria_at_max": f"{r.leaves_at_max}/{r.leaves_counted}",
                }
            )
    return {"framework": framework, "year": year, "group": group, "results": rows}
