"""Result pages (login required): the results of a campaign over the units the user reads (the
workbook too) and its free-text answers. The figures: :mod:`cchc.surveys.results`."""

from __future__ import annotations

import io

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from cchc.core.tables import write_xlsx
from cchc.surveys import results as figures
from cchc.surveys.access import get_campaign_for_user
from cchc.surveys.forms import filter_id
from cchc.surveys.models import SCALE5_LABELS, Campaign

BY_CHOICES = figures.PAGE_GROUPINGS
TEXT_PAGE = 50
as_float = figures.as_float


def _workbook(campaign: Campaign, sheets) -> HttpResponse:
    out = io.BytesIO()
    write_xlsx(sheets, out, write_only=True)
    response = HttpResponse(
        out.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="khao-sat-{campaign.questionnaire.code}-{campaign.period}.xlsx"'
    )
    return response


@login_required
def results(request, campaign_id: int):
    campaign, access = get_campaign_for_user(request.user, campaign_id)
    units = access.result_units
    by = request.GET.get("by", "unit")
    if by not in BY_CHOICES:
        by = "unit"
    if request.GET.get("format") == "xlsx":
        return _workbook(campaign, figures.result_sheets(campaign, units, access.unit_ids))
    rows = figures.compute_results(campaign, by=by, units=units)
    aspects = figures.compute_results(campaign, by="aspect", units=units)
    distribution = figures.answer_distribution(campaign, access.unit_ids)
    trend, trend_groups = figures.index_trend(campaign, access.unit_ids)
    chart_data = {
        "aspects": {
            "labels": [r.group for r in aspects],
            "values": [as_float(r.index) for r in aspects],
            "label": _("Chỉ số hài lòng (%)"),
        },
        "distribution": {
            "levels": [str(v) for v in SCALE5_LABELS.values()],
            "questions": [{"label": f"{d['code']}", "counts": d["counts"]} for d in distribution],
        },
        "trend": {
            "labels": [str(t["period"]) for t in trend],
            "series": [
                {"label": g, "values": [as_float(t["values"].get(g)) for t in trend]} for g in trend_groups
            ],
        },
    }
    titles = figures.grouping_titles()
    return render(
        request,
        "surveys/results.html",
        {
            "campaign": campaign,
            "rows": rows,
            "by": by,
            "by_choices": [(code, titles[code]) for code in BY_CHOICES],
            "aspects": aspects,
            "distribution": distribution,
            "trend": trend,
            "trend_groups": trend_groups,
            "expectations": figures.expectation_results(campaign, units=units),
            "chart_data": chart_data,
            "manage": access.manage,
        },
    )


@login_required
def texts(request, campaign_id: int):
    campaign, access = get_campaign_for_user(request.user, campaign_id)
    questions = figures.text_questions(campaign)
    f = {
        "q": request.GET.get("q", "").strip(),
        "question": request.GET.get("question", ""),
        "unit": request.GET.get("unit", ""),
    }
    qs = figures.text_answers(
        campaign,
        access.unit_ids,
        questions,
        contains=f["q"],
        question_id=filter_id(f["question"]),
        unit_id=filter_id(f["unit"]),
    )
    page = Paginator(qs, TEXT_PAGE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "surveys/texts.html",
        {
            "campaign": campaign,
            "page": page,
            "f": f,
            "questions": questions,
            "units": access.units,
            "query": params.urlencode(),
        },
    )
