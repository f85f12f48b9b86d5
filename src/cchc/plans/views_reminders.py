"""“Việc của tôi”: the signed-in user's reminders of the day (tasks, self-assessments, monthly
entry, commitment items), and marking them read."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from cchc.plans import reminders
from cchc.plans.reminders import my_work


@login_required
def my_work_view(request):
    items = my_work(request.user)
    return render(
        request,
        "plans/my_work.html",
        {
            "items": items,
            "escalations": [r for r in items if r.escalation],
            "own": [r for r in items if not r.escalation],
        },
    )


@login_required
@require_POST
def mark_read(request):
    reminders.mark_read(request.user)
    return redirect("plans:my_work")
