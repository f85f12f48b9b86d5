"""Dossier dashboard pages: the KPI table with filters and monthly charts, the drill-down to late
and overdue dossiers (paginated, CSV/XLSX export) and the Decision 766 index per unit and month.
Access and computations live in :mod:`cchc.procedures.dashboard`; these views stay thin."""

from __future__ import annotations

import io
import re

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cchc.core.tables import Sheet, iter_csv, write_xlsx
from cchc.procedures import dashboard
from cchc.procedures.kpis import late_dossiers, overdue_dossiers
from cchc.procedures.models import ProcedureLevel

DRILL_KINDS = ("late", "overdue")
PAGE_SIZE = 50
XLSX_MAX_ROWS = 1_048_575  # one sheet; larger lists go to CSV
MIN_YEAR, MAX_YEAR = 2000, 2100  # months the 766 page accepts (anything else is a 404, not a 500)


def _scope_and_filters(request):
    scope = dashboard.get_dossier_scope_for_user(request.user, request.GET.get("unit"))
    params = request.GET.copy()
    params.pop("unit", None)
    params.pop("page", None)
    params.pop("format", None)
    params.pop("kind", None)
    params.pop("month", None)
    form, filters = dashboard.parse_filters(params)
    return scope, form, filters


@login_required
def dossier_dashboard(request):
    scope, form, filters = _scope_and_filters(request)
    # The cards, the unit table, both monthly charts and the 766 table: one read of the rollups.
    seen = dashboard.overview(scope, filters)
    table = dashboard.kpi_table(scope, filters, seen)
    monthly = seen.months
    return render(
        request,
        "procedures/dashboard.html",
        {
            "scope": scope,
            "unit": scope.unit,
            "roots": dashboard.dossier_roots(request.user),
            "children": scope.children(),
            "ancestors": _ancestors(request.user, scope),
            "form": form,
            "filters": filters,
            "groupings": dashboard.GROUPINGS,
            "by_label": dict(dashboard.GROUPINGS).get(filters.by, ""),
            "query": filters.query(),
            "table": table,
            "entries": dashboard.table_entries(scope, filters, table),
            "total_query": dashboard.drill_query(scope, filters, None),
            "chart": dashboard.chart_data(scope, filters, monthly),
            "index_rows": dashboard.index_by_month(monthly),
            "index_groups": dashboard.index766.load_rules().groups,
        },
    )


def _ancestors(user, scope) -> list:
    """Breadcrumb: the ancestors of the unit the user may open (subtree roles only)."""
    out = []
    unit = scope.unit.parent
    while unit is not None:
        try:
            if not dashboard.get_dossier_scope_for_user(user, unit.pk).subtree:
                break
        except Http404:
            break
        out.append(unit)
        unit = unit.parent
    return list(reversed(out))


DRILL_COLUMNS = [
    ("code", gettext_lazy("Mã hồ sơ")),
    ("unit_code", gettext_lazy("Mã đơn vị")),
    ("unit", gettext_lazy("Đơn vị")),
    ("procedure_code", gettext_lazy("Mã TTHC")),
    ("procedure", gettext_lazy("Thủ tục")),
    ("status", gettext_lazy("Trạng thái")),
    ("channel", gettext_lazy("Kênh nộp")),
    ("received_at", gettext_lazy("Ngày tiếp nhận")),
    ("due_at", gettext_lazy("Ngày hẹn trả")),
    ("effective_due_at", gettext_lazy("Hạn hiệu lực")),
    ("finished_at", gettext_lazy("Ngày kết thúc xử lý")),
    ("supplement_count", gettext_lazy("Số lần yêu cầu bổ sung")),
    ("apology_issued", gettext_lazy("Có phiếu xin lỗi")),
]


def _safe_filename(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-") or "don-vi"


def _drill_values(d, kind, end) -> list:
    local = timezone.localtime
    deadline = dashboard.drill_deadline(d, kind, end)
    values = [
        d.code,
        d.unit.code,
        d.unit.name,
        d.procedure.code,
        d.procedure.name,
        d.get_status_display(),
        d.get_channel_display(),
        local(d.received_at).strftime("%d/%m/%Y %H:%M"),
        local(d.due_at).strftime("%d/%m/%Y %H:%M"),
        local(deadline).strftime("%d/%m/%Y %H:%M") if deadline else "",
        local(d.finished_at).strftime("%d/%m/%Y %H:%M") if d.finished_at else "",
        d.supplement_count,
        _("Có") if d.apology_issued else _("Không"),
    ]
    return values


def _export(qs, kind, end, fmt, filename):
    headers = [str(label) for _key, label in DRILL_COLUMNS]
    if fmt == "csv":
        rows = (_drill_values(d, kind, end) for d in qs.iterator(chunk_size=2000))
        response = StreamingHttpResponse(
            iter_csv(headers, rows, bom=True), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
        return response
    buffer = io.BytesIO()
    rows = (_drill_values(d, kind, end) for d in qs[:XLSX_MAX_ROWS].iterator(chunk_size=2000))
    write_xlsx([Sheet(kind, headers, rows, bold_header=False)], buffer, write_only=True)
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response


@login_required
def dossier_drilldown(request):
    """Late (resolved after the deadline) or overdue (open past it at the window's end) dossiers."""
    scope, form, filters = _scope_and_filters(request)
    kind = request.GET.get("kind", "late")
    if kind not in DRILL_KINDS:
        raise Http404
    source = late_dossiers if kind == "late" else overdue_dossiers
    qs = source(
        filters.date_from,
        filters.date_to,
        units=scope.units,
        level=filters.level or None,
        field=filters.field or None,
    )
    end = dashboard.window_end(filters)
    fmt = request.GET.get("format")
    if fmt in ("csv", "xlsx"):
        stem = "ho-so-tre-han" if kind == "late" else "ho-so-qua-han"
        filename = (
            f"{stem}-{_safe_filename(scope.unit.code)}-{filters.date_from:%Y%m%d}-{filters.date_to:%Y%m%d}"
        )
        return _export(qs, kind, end, fmt, filename)
    if fmt:
        raise Http404
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = dashboard.drill_rows(page.object_list, kind, end)
    return render(
        request,
        "procedures/drilldown.html",
        {
            "scope": scope,
            "unit": scope.unit,
            "kind": kind,
            "form": form,
            "filters": filters,
            "query": filters.query(unit=scope.unit.pk, kind=kind),
            "other_query_late": filters.query(unit=scope.unit.pk, kind="late"),
            "other_query_overdue": filters.query(unit=scope.unit.pk, kind="overdue"),
            "back_query": filters.query(unit=scope.unit.pk),
            "level_label": dict(ProcedureLevel.choices).get(filters.level, ""),
            "window_end": end,
            "page": page,
            "rows": rows,
        },
    )


@login_required
def index766_view(request):
    """The 766 index of one month for the unit (per indicator) and, with the subtree, each child."""
    scope, form, filters = _scope_and_filters(request)
    raw = request.GET.get("month") or filters.date_to.strftime("%Y-%m")
    try:
        year, month = (int(x) for x in raw.split("-"))
        if not (1 <= month <= 12 and MIN_YEAR <= year <= MAX_YEAR):
            raise ValueError
    except ValueError:
        raise Http404 from None
    head, children = dashboard.index_for_units(scope, year, month, filters)
    return render(
        request,
        "procedures/index766.html",
        {
            "scope": scope,
            "unit": scope.unit,
            "filters": filters,
            "month_label": f"{month:02d}/{year}",
            "month_key": f"{year:04d}-{month:02d}",
            "query": filters.query(),
            "head": head,
            "children": children,
            "rules": dashboard.index766.load_rules(),
        },
    )
