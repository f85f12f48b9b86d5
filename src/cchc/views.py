"""The site's own pages, above every app: the home page that sends each role to its work."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from cchc.assessments.access import rounds_with_results_for
from cchc.assessments.services import waiting_for
from cchc.orgs.access import scope_for

HOME_ROUNDS = 10


@login_required
def home(request):
    """What is waiting for the user; for everyone with a role (leaders above all, who act on
    nothing), the results they may see and the dashboards."""
    scope = scope_for(request.user)
    has_role = scope.superuser or any(scope.paths.values())
    rounds = rounds_with_results_for(request.user) if has_role else []
    return render(
        request,
        "core/home.html",
        {
            "waiting": waiting_for(request.user),
            "has_role": has_role,
            "result_rounds": rounds[:HOME_ROUNDS],
            "result_rounds_total": len(rounds),
        },
    )
