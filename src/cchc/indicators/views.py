"""Pages of the data entry: the list of sheets (officers) or the month's overview (secretariat),
and one sheet. Views parse, call one service of :mod:`cchc.indicators.entry`, render."""

from __future__ import annotations

from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from cchc.indicators import entry
from cchc.indicators.models import EntrySheet, EntryValue, SheetStatus
from cchc.indicators.periods import Period
from cchc.indicators.services import fmt
from cchc.orgs.access import scope_for
from cchc.orgs.models import OrgUnit, Role


def _period(raw: str | None, default: Period) -> Period:
    if not raw:
        return default
    try:
        return Period.parse(raw)
    except ValueError:
        raise Http404 from None


def _last_month() -> Period:
    today = timezone.localdate()
    y, m = (today.year - 1, 12) if today.month == 1 else (today.year, today.month - 1)
    return Period.month(y, m)


@login_required
@require_http_methods(["GET", "POST"])
def entry_home(request):
    period = _period(request.GET.get("period") or request.POST.get("period"), _last_month())
    scope = scope_for(request.user)
    rows = entry.overview(request.user, period) if scope.has(Role.SECRETARIAT) else []
    if request.method == "POST":
        if not scope.has(Role.SECRETARIAT):
            raise PermissionDenied
        from cchc.indicators.tasks import send_entry_reminders_task

        late = [r.unit.pk for r in rows if r.late]
        if late:
            send_entry_reminders_task.enqueue(str(period), late)
            messages.success(request, _("Đã gửi nhắc nhở tới %(n)s đơn vị chậm.") % {"n": len(late)})
        else:
            messages.info(request, _("Không có đơn vị nào chậm gửi số liệu kỳ này."))
        return redirect(f"{request.path}?period={period}")
    own = []
    if scope.has(Role.UNIT_OFFICER):
        units = OrgUnit.objects.filter(scope.unit_q(Role.UNIT_OFFICER)).order_by("name")
        months = [Period.month(period.start.year, m) for m in range(1, 13)]
        sheets = {
            (s.unit_id, s.period_start): s
            for s in EntrySheet.objects.filter(
                unit__in=units, period_kind="month", period_start__year=period.start.year
            )
        }
        own = [(u, [(m, sheets.get((u.pk, m.start))) for m in months]) for u in units]
    counts = [(label, sum(1 for r in rows if r.status == value)) for value, label in SheetStatus.choices]
    labels = dict(SheetStatus.choices)
    return render(
        request,
        "indicators/entry_home.html",
        {
            "period": period,
            "previous": Period.month(*_shift(period, -1)),
            "next": Period.month(*_shift(period, 1)),
            "rows": rows,
            "own": own,
            "due": entry.due_date(period),
            "late": sum(1 for r in rows if r.late),
            "not_started": sum(1 for r in rows if r.status is None),
            "counts": counts,
            "labels": [(r, labels.get(r.status)) for r in rows],
        },
    )


def _shift(period: Period, months: int) -> tuple[int, int]:
    index = period.start.year * 12 + period.start.month - 1 + months
    return index // 12, index % 12 + 1


@login_required
@require_http_methods(["GET", "POST"])
def entry_sheet(request, unit_id: int, period: str):
    return _entry_sheet(request, unit_id, _period(period, _last_month()))


def _entry_sheet(request, unit_id: int, period: Period):
    unit, sheet, access = entry.get_sheet_for_user(request.user, unit_id, period)
    indicators = entry.entry_indicators(unit, period)
    stored = {v.indicator_id: v for v in sheet.values.all()} if sheet.pk else {}
    rows = [
        entry.Row(
            indicator=i,
            value=_text(stored.get(i.pk), "value") if i.aggregation != "ratio" else "",
            numerator=_text(stored.get(i.pk), "numerator"),
            denominator=_text(stored.get(i.pk), "denominator"),
            comment=stored[i.pk].comment if i.pk in stored else "",
            shown=fmt(stored[i.pk].value) if i.pk in stored else "",
            evidence_url=reverse("indicators:evidence", args=[stored[i.pk].pk])
            if i.pk in stored and stored[i.pk].evidence
            else "",
            evidence_name=Path(stored[i.pk].evidence.name or "").name
            if i.pk in stored and stored[i.pk].evidence
            else "",
        )
        for i in indicators
    ]
    if request.method == "POST":
        action = request.POST.get("action", "save")
        try:
            if action in ("save", "submit"):
                rows = [
                    entry.Row(
                        indicator=i,
                        value=request.POST.get(f"value-{i.pk}", ""),
                        numerator=request.POST.get(f"numerator-{i.pk}", ""),
                        denominator=request.POST.get(f"denominator-{i.pk}", ""),
                        comment=request.POST.get(f"comment-{i.pk}", ""),
                        evidence=request.FILES.get(f"evidence-{i.pk}"),
                    )
                    for i in indicators
                ]
                saved = entry.save_sheet(request.user, unit, period, rows)
                if saved is None:
                    messages.error(request, _("Có số liệu chưa hợp lệ; chưa lưu. Xem các ô được đánh dấu."))
                    return _render_sheet(request, unit, period, sheet, access, rows, status=400)
                if action == "submit":
                    entry.submit_sheet(request.user, saved)
                    messages.success(request, _("Đã gửi số liệu để Thường trực CCHC duyệt."))
                else:
                    messages.success(request, _("Đã lưu bản nháp."))
            elif action == "approve":
                n = entry.approve_sheet(request.user, sheet)
                messages.success(request, _("Đã duyệt; %(n)s giá trị được ghi nhận.") % {"n": n})
            elif action == "return":
                entry.return_sheet(request.user, sheet, request.POST.get("reason", ""))
                messages.success(request, _("Đã trả lại phiếu cho đơn vị."))
            elif action == "reopen":
                entry.reopen_sheet(request.user, sheet, request.POST.get("reason", ""))
                messages.success(request, _("Đã mở lại phiếu."))
            else:
                raise Http404
        except entry.EntryError as exc:
            messages.error(request, str(exc))
        except PermissionDenied:
            messages.error(
                request, _("Bạn không có quyền thực hiện thao tác này với phiếu ở trạng thái hiện tại.")
            )
        return redirect("indicators:sheet", unit_id=unit.pk, period=str(period))
    return _render_sheet(request, unit, period, sheet, access, rows)


def _text(value, column: str) -> str:
    number = getattr(value, column, None) if value is not None else None
    if number is None:
        return ""
    text = f"{number:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(".", ",")


def _render_sheet(request, unit, period, sheet, access, rows, status=200):
    if not access.see_values:  # a leader, before approval: no figure, not even in the history
        rows = [entry.Row(indicator=r.indicator) for r in rows]
    history = (
        list(sheet.changes.select_related("user", "indicator")[:50]) if sheet.pk and access.see_values else []
    )
    return render(
        request,
        "indicators/sheet.html",
        {
            "unit": unit,
            "period": period,
            "sheet": sheet,
            "status_label": SheetStatus(sheet.status).label,
            "access": access,
            "rows": rows,
            "history": history,
            "due": entry.due_date(period),
            "stored": {v.indicator_id: v for v in sheet.values.all()} if sheet.pk else {},
        },
        status=status,
    )


@login_required
def entry_evidence(request, value_id: int):
    """An evidence file of a sheet, to whoever may see the sheet's figures."""
    try:
        value = EntryValue.objects.select_related("sheet__unit").get(pk=value_id)
    except EntryValue.DoesNotExist:
        raise Http404 from None
    access = entry.access_for(request.user, value.sheet.unit, value.sheet.status)
    if not (access.view and access.see_values) or not value.evidence:
        raise Http404
    return FileResponse(
        value.evidence.open("rb"), as_attachment=True, filename=Path(value.evidence.name or "").name
    )
