"""The published national indices of a province (PAPI, SIPAS, PAR Index) by year, with their
targets: secretariat and leaders (login required). The figures: :mod:`cchc.surveys.papi`."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render

from cchc.surveys.access import get_published_unit_for_user, survey_access
from cchc.surveys.forms import filter_id
from cchc.surveys.papi import published_groups


@login_required
def published(request):
    if not survey_access(request.user).read_published:
        raise PermissionDenied
    unit, provinces = get_published_unit_for_user(request.user, filter_id(request.GET.get("unit", "")))
    groups = published_groups(unit) if unit is not None else []
    return render(
        request,
        "surveys/published.html",
        {"provinces": provinces, "unit": unit, "groups": groups},
    )
