"""Campaign pages (login required): the list, a new campaign, progress, quality control of the
forms, posters and invitations. Who may do what: :mod:`cchc.surveys.access`."""

from __future__ import annotations

import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cchc.core.tables import write_csv
from cchc.core.widgets import format_date, parse_date
from cchc.surveys import fieldwork, services
from cchc.surveys import poster as poster_pdf
from cchc.surveys.access import (
    campaigns_for,
    get_campaign_for_user,
    get_campaign_unit_for_user,
    get_response_for_user,
    opening_scope_for,
    survey_access,
)
from cchc.surveys.forms import CampaignForm, filter_id
from cchc.surveys.models import CampaignUnit, Response, ResponseChannel
from cchc.surveys.results import campaign_list
from cchc.surveys.results import progress as progress_rows

MAX_INVITATIONS = 5000
MAX_INVITATIONS_PDF = 1000
QC_PAGE = 50


def _public_url(request, cu: CampaignUnit) -> str:
    return request.build_absolute_uri(reverse("surveys:public", args=[cu.public_key]))


# --- campaigns and progress ---------------------------------------------------------------------


@login_required
def campaigns(request):
    access = survey_access(request.user)
    if not access.list_campaigns:
        raise PermissionDenied
    items = campaign_list(campaigns_for(request.user), access.reads)
    return render(request, "surveys/campaigns.html", {"campaigns": items})


@login_required
def progress(request, campaign_id: int):
    campaign, access = get_campaign_for_user(request.user, campaign_id)
    rows, totals = progress_rows(campaign, access.units, access.managed)
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


def _review_filter(get) -> tuple[dict, fieldwork.ReviewFilter]:
    """The filters as typed (for the form, a date normalised to dd/mm/yyyy, a bad one dropped)
    and as parsed."""
    f = {
        "unit": get.get("unit", ""),
        "channel": get.get("channel", ""),
        "state": get.get("state", ""),
        "since": get.get("since", ""),
        "until": get.get("until", ""),
        "q": get.get("q", "").strip(),
    }
    days = {}
    for key in ("since", "until"):
        try:
            days[key] = parse_date(f[key])
        except ValueError:
            days[key] = None
            f[key] = ""
            continue
        if days[key] is not None:
            f[key] = format_date(days[key])
    parsed = fieldwork.ReviewFilter(
        unit_id=filter_id(f["unit"]),
        channel=f["channel"],
        state=f["state"],
        since=days["since"],
        until=days["until"],
        search=f["q"],
        search_id=filter_id(f["q"]),
    )
    return f, parsed


@login_required
def responses(request, campaign_id: int):
    campaign, access = get_campaign_for_user(request.user, campaign_id)
    if not access.manage:
        raise PermissionDenied
    f, parsed = _review_filter(request.GET)
    qs = fieldwork.responses_for_review(campaign, access.managed, parsed)
    page = Paginator(qs, QC_PAGE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    fieldwork.attach_answers(rows)
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
            "units": access.managed_units,
            "channels": ResponseChannel.choices,
            "query": params.urlencode(),
        },
    )


def _managed_response(user, response_id: int) -> Response:
    response, access = get_response_for_user(user, response_id)
    if not access.manage:
        raise PermissionDenied
    return response


def _back_to_qc(request, response: Response):
    target = request.POST.get("next", "")
    prefix = reverse("surveys:responses", args=[response.campaign_id])
    return redirect(target if target.startswith(prefix) else prefix)


@login_required
@require_POST
def response_exclude(request, response_id: int):
    response = _managed_response(request.user, response_id)
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
    response = _managed_response(request.user, response_id)
    services.restore_response(response, request.user)
    messages.success(request, _("Đã khôi phục phiếu #%(id)s.") % {"id": response.pk})
    return _back_to_qc(request, response)


# --- posters and invitations --------------------------------------------------------------------


def _managed_unit(user, campaign_id: int, unit_id: int):
    campaign, cu, access = get_campaign_unit_for_user(user, campaign_id, unit_id)
    if not access.manage:
        raise PermissionDenied
    return campaign, cu


@login_required
def poster(request, campaign_id: int, unit_id: int):
    campaign, cu = _managed_unit(request.user, campaign_id, unit_id)
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
    campaign, cu = _managed_unit(request.user, campaign_id, unit_id)
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
    fmt = request.GET.get("format")
    if fmt in {"csv", "pdf"}:
        items = [
            {
                "token": inv.token,
                "url": request.build_absolute_uri(reverse("surveys:invitation", args=[inv.token])),
            }
            for inv in fieldwork.unused_invitations(cu)
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
    return render(
        request,
        "surveys/invitations.html",
        {"campaign": campaign, "cu": cu, "counts": fieldwork.invitation_counts(cu), "max": MAX_INVITATIONS},
    )


# --- a new campaign (secretariat) -------------------------------------------------------------------


@login_required
def campaign_new(request):
    """Open a survey campaign for the units of the chosen types in the secretariat's subtree,
    with a target sample per unit (typed, or from the sampling guidance)."""
    if not survey_access(request.user).open_campaign:
        raise PermissionDenied
    reach = opening_scope_for(request.user)
    form = CampaignForm(
        request.POST or None,
        questionnaires=services.active_questionnaires(),
        unit_types=reach.unit_types(),
        initial={
            "period": timezone.localdate().year,
            "channels": [ResponseChannel.WEB, ResponseChannel.PAPER],
            "public": True,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        units = reach.units_of(data["unit_types"], data["period"])
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
