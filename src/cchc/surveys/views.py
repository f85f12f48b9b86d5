"""Survey pages for the secretariat, leaders and units (login required).

Who sees what (cchc.orgs.access): the secretariat manages the campaign units of its subtree
(progress, quality control, posters, invitations, results); leaders read progress and results of
their subtree; a unit officer reads its own unit's progress and results. Appraisers have no survey
role. A campaign without a unit in the user's reach is 404; an action the role does not allow is 403.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from cchc.core.tables import Sheet, write_csv, write_xlsx
from cchc.core.widgets import format_date, parse_date
from cchc.orgs.access import Scope, scope_for
from cchc.orgs.models import OrgUnit, Role
from cchc.surveys import poster as poster_pdf
from cchc.surveys import services
from cchc.surveys.models import (
    SCALE5_LABELS,
    Answer,
    Campaign,
    CampaignUnit,
    Invitation,
    PublishedIndex,
    PublishedKind,
    QuestionType,
    Response,
    ResponseChannel,
)
from cchc.surveys.papi import PAPI_DIMENSIONS, published_trend
from cchc.surveys.results import compute_results, expectation_results

READ_ROLES = (Role.SECRETARIAT, Role.LEADER, Role.UNIT_OFFICER)
MAX_INVITATIONS = 5000
_ID = re.compile(r"[0-9]{1,18}")  # a database id: ASCII digits that fit a 64-bit integer


def filter_id(raw: str) -> int | None:
    """The id a filter names, or None (the filter is ignored) for anything else: "²", a
    30-digit number (an overflow in the database, formerly a 500) or text."""
    return int(raw) if _ID.fullmatch(raw or "") else None


MAX_INVITATIONS_PDF = 1000

# --- access -------------------------------------------------------------------------------------


def _read_q(scope: Scope) -> Q:
    q = Q(pk__in=[])
    for role in READ_ROLES:
        q |= scope.unit_q(role, prefix="unit__")
    return q


@dataclass(frozen=True)
class CampaignAccess:
    """``units``: the campaign units the user reads; ``managed``: those the user manages."""

    units: tuple[CampaignUnit, ...]
    managed: frozenset[int]  # unit ids

    @property
    def manage(self) -> bool:
        return bool(self.managed)

    @property
    def unit_ids(self) -> list[int]:
        return [cu.unit_id for cu in self.units]


def campaigns_for(user):
    """Campaigns with at least one unit the user reads."""
    scope = scope_for(user)
    qs = Campaign.objects.select_related("questionnaire")
    if scope.superuser:
        return qs
    return qs.filter(pk__in=CampaignUnit.objects.filter(_read_q(scope)).values("campaign_id"))


def get_campaign_for_user(user, campaign_id: int) -> tuple[Campaign, CampaignAccess]:
    campaign = Campaign.objects.select_related("questionnaire").filter(pk=campaign_id).first()
    if campaign is None:
        raise Http404
    scope = scope_for(user)
    units = tuple(
        CampaignUnit.objects.filter(campaign=campaign)
        .filter(_read_q(scope) if not scope.superuser else Q())
        .select_related("unit", "unit__unit_type")
        .order_by("unit__unit_type__level", "unit__code")
    )
    if not units:
        raise Http404
    managed = frozenset(cu.unit_id for cu in units if scope.covers(Role.SECRETARIAT, cu.unit))
    return campaign, CampaignAccess(units, managed)


def _managed_unit(access: CampaignAccess, unit_id: int) -> CampaignUnit:
    for cu in access.units:
        if cu.unit_id == unit_id:
            if unit_id not in access.managed:
                raise PermissionDenied
            return cu
    raise Http404


def get_response_for_manager(user, response_id: int) -> Response:
    response = Response.objects.select_related("unit", "campaign").filter(pk=response_id).first()
    if response is None:
        raise Http404
    _campaign, access = get_campaign_for_user(user, response.campaign_id)
    if response.unit_id not in access.unit_ids:
        raise Http404
    if response.unit_id not in access.managed:
        raise PermissionDenied
    return response


def _public_url(request, cu: CampaignUnit) -> str:
    return request.build_absolute_uri(reverse("surveys:public", args=[cu.public_key]))


# --- campaigns and progress ---------------------------------------------------------------------


@login_required
def campaigns(request):
    scope = scope_for(request.user)
    if not (scope.superuser or any(scope.has(r) for r in READ_ROLES)):
        raise PermissionDenied
    items = list(campaigns_for(request.user).annotate(n_units=Count("campaign_units", distinct=True)))
    counts = dict(
        Response.objects.filter(campaign__in=items)
        .counted()
        .filter(scope.unit_q(prefix="unit__") if not scope.superuser else Q())
        .values("campaign_id")
        .annotate(n=Count("id"))
        .values_list("campaign_id", "n")
    )
    for c in items:
        c.n_forms = counts.get(c.pk, 0)
    return render(request, "surveys/campaigns.html", {"campaigns": items})


def _progress_rows(campaign: Campaign, access: CampaignAccess):
    today = timezone.localdate()
    start = timezone.make_aware(dt.datetime.combine(today, dt.time.min))
    # "valid" = the forms that count toward the target (Response.objects.counted).
    mine = Response.objects.filter(campaign=campaign, unit_id__in=access.unit_ids)
    counts: dict[int, dict] = {}
    for row in (
        mine.counted()
        .values("unit_id")
        .annotate(valid=Count("id"), today=Count("id", filter=Q(submitted_at__gte=start)))
        .order_by()
    ):
        counts.setdefault(row["unit_id"], {}).update(row)
    for row in mine.filter(excluded=True).values("unit_id").annotate(excluded_n=Count("id")).order_by():
        counts.setdefault(row["unit_id"], {}).update(row)
    rows = []
    for cu in access.units:
        c = counts.get(cu.unit_id, {})
        valid = c.get("valid", 0)
        target = cu.target_sample
        rows.append(
            {
                "cu": cu,
                "valid": valid,
                "excluded": c.get("excluded_n", 0),
                "today": c.get("today", 0),
                "target": target,
                "pct": min(100, round(100 * valid / target)) if target else (100 if valid else 0),
                "reached": bool(target) and valid >= target,
                "manage": cu.unit_id in access.managed,
            }
        )
    totals = {
        "valid": sum(r["valid"] for r in rows),
        "target": sum(r["target"] for r in rows),
        "today": sum(r["today"] for r in rows),
        "excluded": sum(r["excluded"] for r in rows),
    }
    totals["pct"] = min(100, round(100 * totals["valid"] / totals["target"])) if totals["target"] else 0
    return rows, totals


@login_required
def progress(request, campaign_id: int):
    campaign, access = get_campaign_for_user(request.user, campaign_id)
    rows, totals = _progress_rows(campaign, access)
    context = {
        "campaign": campaign,
        "rows": rows,
        "totals": totals,
        "manage": access.manage,
        "updated": timezone.localtime(),
    }
    if request.htmx or request.GET.get("partial"):
        return render(request, "surveys/_progress_table.html", context)
    return render(request, "surveys/progress.html", context)


# --- quality control ----------------------------------------------------------------------------

QC_PAGE = 50


@login_required
def responses(request, campaign_id: int):
    campaign, access = get_campaign_for_user(request.user, campaign_id)
    if not access.manage:
        raise PermissionDenied
    managed_units = [cu for cu in access.units if cu.unit_id in access.managed]
    qs = Response.objects.filter(campaign=campaign, unit_id__in=access.managed).select_related(
        "unit", "excluded_by"
    )
    f = {
        "unit": request.GET.get("unit", ""),
        "channel": request.GET.get("channel", ""),
        "state": request.GET.get("state", ""),
        "since": request.GET.get("since", ""),
        "until": request.GET.get("until", ""),
        "q": request.GET.get("q", "").strip(),
    }
    if (unit_id := filter_id(f["unit"])) is not None:
        qs = qs.filter(unit_id=unit_id)
    if f["channel"] in ResponseChannel.values:
        qs = qs.filter(channel=f["channel"])
    if f["state"] == "valid":
        qs = qs.filter(excluded=False)
    elif f["state"] == "excluded":
        qs = qs.filter(excluded=True)
    elif f["state"] == "fast":
        # Suspiciously quick online forms (under 30 s) are the usual first check.
        qs = qs.filter(duration_seconds__lt=30)
    for key, lookup in (("since", "submitted_at__date__gte"), ("until", "submitted_at__date__lte")):
        try:
            day = parse_date(f[key])
        except ValueError:
            f[key] = ""
            continue
        if day is not None:
            qs = qs.filter(**{lookup: day})
            f[key] = format_date(day)
    if f["q"]:
        qs = qs.filter(Q(form_no__icontains=f["q"]) | Q(pk=filter_id(f["q"]) or 0))
    page = Paginator(qs.order_by("-submitted_at", "-pk"), QC_PAGE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    answers: dict[int, list[Answer]] = {}
    for a in (
        Answer.objects.filter(response__in=rows).select_related("question").order_by("question__order", "pk")
    ):
        answers.setdefault(a.response_id, []).append(a)
    for r in rows:
        r.answer_list = answers.get(r.pk, [])
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "surveys/responses.html",
        {
            "campaign": campaign,
            "page": page,
            "rows": rows,
            "f": f,
            "units": managed_units,
            "channels": ResponseChannel.choices,
            "query": params.urlencode(),
        },
    )


def _back_to_qc(request, response: Response):
    target = request.POST.get("next", "")
    prefix = reverse("surveys:responses", args=[response.campaign_id])
    return redirect(target if target.startswith(prefix) else prefix)


@login_required
@require_POST
def response_exclude(request, response_id: int):
    response = get_response_for_manager(request.user, response_id)
    reason = request.POST.get("reason", "").strip()
    if not reason:
        messages.error(request, _("Hãy ghi lý do loại phiếu #%(id)s.") % {"id": response.pk})
    else:
        services.exclude_response(response, request.user, reason)
        messages.success(request, _("Đã loại phiếu #%(id)s.") % {"id": response.pk})
    return _back_to_qc(request, response)


@login_required
@require_POST
def response_restore(request, response_id: int):
    response = get_response_for_manager(request.user, response_id)
    services.restore_response(response, request.user)
    messages.success(request, _("Đã khôi phục phiếu #%(id)s.") % {"id": response.pk})
    return _back_to_qc(request, response)


# --- results ------------------------------------------------------------------------------------

BY_CHOICES = ("unit", "level", "aspect", "question")


def _units_arg(access: CampaignAccess, scope: Scope, campaign: Campaign):
    """None (every unit) when the user reads them all, else the units the user reads."""
    if scope.superuser or len(access.units) == campaign.campaign_units.count():
        return None
    return [cu.unit for cu in access.units]


def _distribution(campaign: Campaign, unit_ids: list[int]) -> list[dict]:
    """Counts of each level 1–5 per scale question, over valid (not excluded) responses."""
    questions = list(
        campaign.questionnaire.questions.filter(type=QuestionType.SCALE5).order_by("section__order", "order")
    )
    counts: dict[int, dict[int, int]] = {}
    na: dict[int, int] = {}
    for row in (
        Answer.objects.filter(
            question__in=questions,
            response__campaign=campaign,
            response__excluded=False,
            response__unit_id__in=unit_ids,
        )
        .values("question_id", "value_int", "is_na")
        .annotate(n=Count("id"))
    ):
        if row["is_na"]:
            na[row["question_id"]] = na.get(row["question_id"], 0) + row["n"]
        elif row["value_int"] is not None:
            counts.setdefault(row["question_id"], {})[row["value_int"]] = row["n"]
    return [
        {
            "code": q.code,
            "text": q.text,
            "aspect": q.aspect,
            "counts": [counts.get(q.pk, {}).get(level, 0) for level in range(1, 6)],
            "na": na.get(q.pk, 0),
        }
        for q in questions
    ]


def _trend(campaign: Campaign, access: CampaignAccess) -> tuple[list[dict], list[str]]:
    """The official index per level (province, department, district, commune) in every period
    of the same questionnaire code, over the units the user reads that were surveyed then."""
    trend: list[dict] = []
    groups: list[str] = []
    for other in Campaign.objects.filter(questionnaire__code=campaign.questionnaire.code).order_by("period"):
        units = [
            cu.unit for cu in other.campaign_units.filter(unit_id__in=access.unit_ids).select_related("unit")
        ]
        if not units:
            continue
        values = {}
        for r in compute_results(other, by="level", units=units):
            if r.forms:
                values[r.group] = r.index
                if r.group not in groups:
                    groups.append(r.group)
        trend.append({"period": other.period, "values": values, "cells": []})
    for t in trend:
        t["cells"] = [t["values"].get(g) for g in groups]
    return trend, groups


def _f(value) -> float | None:
    return None if value is None else float(value)


@login_required
def results(request, campaign_id: int):
    campaign, access = get_campaign_for_user(request.user, campaign_id)
    scope = scope_for(request.user)
    units = _units_arg(access, scope, campaign)
    by = request.GET.get("by", "unit")
    if by not in BY_CHOICES:
        by = "unit"
    if request.GET.get("format") == "xlsx":
        return _results_xlsx(campaign, units, access)
    rows = compute_results(campaign, by=by, units=units)
    aspects = compute_results(campaign, by="aspect", units=units)
    distribution = _distribution(campaign, access.unit_ids)
    trend, trend_groups = _trend(campaign, access)
    chart_data = {
        "aspects": {
            "labels": [r.group for r in aspects],
            "values": [_f(r.index) for r in aspects],
            "label": _("Chỉ số hài lòng (%)"),
        },
        "distribution": {
            "levels": [str(v) for v in SCALE5_LABELS.values()],
            "questions": [{"label": f"{d['code']}", "counts": d["counts"]} for d in distribution],
        },
        "trend": {
            "labels": [str(t["period"]) for t in trend],
            "series": [{"label": g, "values": [_f(t["values"].get(g)) for t in trend]} for g in trend_groups],
        },
    }
    return render(
        request,
        "surveys/results.html",
        {
            "campaign": campaign,
            "rows": rows,
            "by": by,
            "by_choices": [
                ("unit", _("Theo đơn vị")),
                ("level", _("Theo cấp")),
                ("aspect", _("Theo yếu tố")),
                ("question", _("Theo câu hỏi")),
            ],
            "aspects": aspects,
            "distribution": distribution,
            "trend": trend,
            "trend_groups": trend_groups,
            "expectations": expectation_results(campaign, units=units),
            "chart_data": chart_data,
            "manage": access.manage,
        },
    )


RESULT_COLUMNS = [
    "group",
    "forms",
    "valid_answers",
    "satisfied_share",
    "index",
    "ci_low",
    "ci_high",
    "target",
]


def _results_xlsx(campaign: Campaign, units, access: CampaignAccess) -> HttpResponse:
    titles = {
        "unit": _("Theo đơn vị"),
        "level": _("Theo cấp"),
        "aspect": _("Theo yếu tố"),
        "question": _("Theo câu hỏi"),
    }
    sheets = []
    for by in BY_CHOICES:
        rows = [
            [
                r.group,
                r.forms,
                r.valid_answers,
                _f(r.satisfied_share),
                _f(r.index),
                _f(r.ci_low),
                _f(r.ci_high),
                r.target,
                bool(r.below_target),
            ]
            for r in compute_results(campaign, by=by, units=units)
        ]
        sheets.append(Sheet(str(titles[by]), [*RESULT_COLUMNS, "below_target"], rows, bold_header=False))
    sheets.append(
        Sheet(
            str(_("Phân bố câu trả lời")),
            ["question", "text", *[str(v) for v in SCALE5_LABELS.values()], "na"],
            [[d["code"], d["text"], *d["counts"], d["na"]] for d in _distribution(campaign, access.unit_ids)],
            bold_header=False,
        )
    )
    out = io.BytesIO()
    write_xlsx(sheets, out, write_only=True)
    response = HttpResponse(
        out.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="khao-sat-{campaign.questionnaire.code}-{campaign.period}.xlsx"'
    )
    return response


TEXT_PAGE = 50


@login_required
def texts(request, campaign_id: int):
    campaign, access = get_campaign_for_user(request.user, campaign_id)
    questions = list(
        campaign.questionnaire.questions.filter(type=QuestionType.TEXT).order_by("section__order", "order")
    )
    f = {
        "q": request.GET.get("q", "").strip(),
        "question": request.GET.get("question", ""),
        "unit": request.GET.get("unit", ""),
    }
    qs = (
        Answer.objects.filter(
            response__campaign=campaign,
            response__excluded=False,
            response__unit_id__in=access.unit_ids,
            question__in=questions,
        )
        .exclude(value_text="")
        .select_related("question", "response", "response__unit")
        .order_by("-response__submitted_at", "pk")
    )
    if f["q"]:
        qs = qs.filter(value_text__icontains=f["q"])
    if (question_id := filter_id(f["question"])) is not None:
        qs = qs.filter(question_id=question_id)
    if (unit_id := filter_id(f["unit"])) is not None:
        qs = qs.filter(response__unit_id=unit_id)
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


# --- posters and invitations --------------------------------------------------------------------


@login_required
def poster(request, campaign_id: int, unit_id: int):
    campaign, access = get_campaign_for_user(request.user, campaign_id)
    cu = _managed_unit(access, unit_id)
    pdf = poster_pdf.poster_pdf(
        unit_name=cu.unit.name,
        campaign_name=campaign.name,
        period=campaign.period,
        url=_public_url(request, cu),
        base_url=request.build_absolute_uri("/"),
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="poster-{cu.unit.code}-{campaign.period}.pdf"'
    return response


@login_required
def invitations(request, campaign_id: int, unit_id: int):
    campaign, access = get_campaign_for_user(request.user, campaign_id)
    cu = _managed_unit(access, unit_id)
    if request.method == "POST":
        try:
            count = int(request.POST.get("count", ""))
        except ValueError:
            count = 0
        if not 1 <= count <= MAX_INVITATIONS:
            messages.error(request, _("Số thư mời phải từ 1 đến %(n)s.") % {"n": MAX_INVITATIONS})
        else:
            services.create_invitations(cu, count)
            messages.success(request, _("Đã tạo %(n)s mã mời dùng một lần.") % {"n": count})
        return redirect("surveys:invitations", campaign.pk, unit_id)
    unused = Invitation.objects.filter(campaign_unit=cu, used_at__isnull=True).order_by("pk")
    fmt = request.GET.get("format")
    if fmt in {"csv", "pdf"}:
        items = [
            {
                "token": inv.token,
                "url": request.build_absolute_uri(reverse("surveys:invitation", args=[inv.token])),
            }
            for inv in unused
        ]
        filename = f"thu-moi-{cu.unit.code}-{campaign.period}"
        if fmt == "csv":
            out = io.StringIO()
            write_csv(
                ["token", "url", "unit_code", "unit_name"],
                [[item["token"], item["url"], cu.unit.code, cu.unit.name] for item in items],
                out,
                lineterminator="\r\n",
                bom=True,
            )
            response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
            response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
            return response
        if len(items) > MAX_INVITATIONS_PDF:
            messages.error(
                request,
                _("Tờ in tối đa %(n)s mã mỗi lần; hãy tải CSV để trộn thư.") % {"n": MAX_INVITATIONS_PDF},
            )
            return redirect("surveys:invitations", campaign.pk, unit_id)
        pdf = poster_pdf.invitation_sheet_pdf(
            unit_name=cu.unit.name,
            campaign_name=campaign.name,
            period=campaign.period,
            items=items,
            base_url=request.build_absolute_uri("/"),
        )
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{filename}.pdf"'
        return response
    counts = Invitation.objects.filter(campaign_unit=cu).aggregate(
        total=Count("id"), used=Count("id", filter=Q(used_at__isnull=False))
    )
    return render(
        request,
        "surveys/invitations.html",
        {"campaign": campaign, "cu": cu, "counts": counts, "max": MAX_INVITATIONS},
    )


# --- published indices (PAPI, SIPAS, PAR Index) ----------------------------------------------------

PUBLISHED_GROUPS = [
    ("percent", gettext_lazy("SIPAS và Chỉ số CCHC (%)"), {PublishedKind.SIPAS, PublishedKind.PAR_INDEX}),
    ("papi_total", gettext_lazy("PAPI tổng (thang 80 điểm)"), {PublishedKind.PAPI_TOTAL}),
    (
        "papi_dimension",
        gettext_lazy("PAPI theo chỉ số nội dung (thang 10 điểm)"),
        {PublishedKind.PAPI_DIMENSION},
    ),
]


@login_required
def published(request):
    scope = scope_for(request.user)
    if not (scope.superuser or scope.has(Role.SECRETARIAT) or scope.has(Role.LEADER)):
        raise PermissionDenied
    reach = Q() if scope.superuser else (scope.unit_q(Role.SECRETARIAT) | scope.unit_q(Role.LEADER))
    provinces = list(
        OrgUnit.objects.filter(reach, pk__in=PublishedIndex.objects.values("unit_id")).order_by("path")
    )
    unit = None
    if (unit_id := filter_id(request.GET.get("unit", ""))) is not None:
        unit = next((p for p in provinces if p.pk == unit_id), None)
        if unit is None:
            raise Http404
    elif provinces:
        unit = provinces[0]
    groups = []
    if unit is not None:
        keys = list(
            PublishedIndex.objects.filter(unit=unit)
            .values_list("kind", "dimension")
            .distinct()
            .order_by("kind", "dimension")
        )
        for group_key, title, kinds in PUBLISHED_GROUPS:
            series = []
            for kind, dimension in keys:
                if kind not in kinds:
                    continue
                label = str(PublishedKind(kind).label)
                if dimension:
                    label = PAPI_DIMENSIONS.get(dimension, dimension)
                series.append(
                    {"label": label, "points": {p.year: p for p in published_trend(unit, kind, dimension)}}
                )
            if not series:
                continue
            years = sorted({y for s_ in series for y in s_["points"]})
            for s_ in series:
                s_["cells"] = [s_["points"].get(y) for y in years]
            groups.append(
                {
                    "key": group_key,
                    "title": title,
                    "years": years,
                    "series": series,
                    "chart": {
                        "labels": [str(y) for y in years],
                        "series": [
                            {
                                "label": s_["label"],
                                "values": [_f(c.value) if c else None for c in s_["cells"]],
                            }
                            for s_ in series
                        ],
                    },
                }
            )
    return render(
        request,
        "surveys/published.html",
        {"provinces": provinces, "unit": unit, "groups": groups},
    )


# --- a new campaign (secretariat) -------------------------------------------------------------------


@login_required
def campaign_new(request):
    """Open a survey campaign for the units of the chosen types in the secretariat's subtree,
    with a target sample per unit (typed, or from the sampling guidance)."""
    from cchc.orgs.models import UnitType
    from cchc.surveys.forms import CampaignForm
    from cchc.surveys.models import Questionnaire, QuestionnaireStatus

    scope = scope_for(request.user)
    if not (scope.superuser or scope.has(Role.SECRETARIAT)):
        raise PermissionDenied
    reach = Q() if scope.superuser else scope.unit_q(Role.SECRETARIAT)
    form = CampaignForm(
        request.POST or None,
        questionnaires=Questionnaire.objects.filter(status=QuestionnaireStatus.ACTIVE).order_by("code"),
        unit_types=UnitType.objects.filter(units__in=OrgUnit.objects.filter(reach))
        .distinct()
        .order_by("level"),
        initial={
            "period": timezone.localdate().year,
            "channels": [ResponseChannel.WEB, ResponseChannel.PAPER],
            "public": True,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        day = dt.date(data["period"], 12, 31)
        units = list(
            OrgUnit.objects.filter(reach, unit_type__in=data["unit_types"]).active_on(day).order_by("path")
        )
        if not units:
            form.add_error("unit_types", _("Không có đơn vị nào thuộc các loại này trong phạm vi của bạn."))
        else:
            target = data["target"] or services.guided_targets(units, data["period"], float(data["margin"]))
            campaign = services.create_campaign(
                data["questionnaire"],
                data["period"],
                units,
                target=target,
                channels=data["channels"],
                user=request.user,
                public=data["public"],
                starts_on=data.get("starts_on"),
                ends_on=data.get("ends_on"),
            )
            messages.success(request, _("Đã mở đợt khảo sát cho %(n)s đơn vị.") % {"n": len(units)})
            return redirect("surveys:progress", campaign.pk)
    return render(
        request,
        "surveys/campaign_new.html",
        {"form": form},
        status=422 if request.method == "POST" else 200,
    )
