"""Monthly (or quarterly, yearly) data entry with approval (nhập số liệu định kỳ).

A unit officer fills the sheet of the entry indicators assigned to the unit's type for a period,
saves it as a draft and submits it; the secretariat approves it (the sheet is locked and its values
are written, origin ``entry``, through the one writer) or returns it with a reason; an approved
sheet is re-opened only by the secretariat with a recorded reason, which withdraws its values.
Every saved figure and every decision is an :class:`EntryChange` row. Leaders see approved values
only, since only approved sheets write values.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from cchc.core.importing import parse_decimal
from cchc.indicators.models import (
    EntryChange,
    EntrySheet,
    EntryValue,
    Indicator,
    IndicatorSource,
    SheetStatus,
    ValueOrigin,
)
from cchc.indicators.periods import Period
from cchc.indicators.services import Value, fmt, fmt_plain, ratio, replace_values
from cchc.orgs.access import scope_for
from cchc.orgs.models import OrgUnit, Role

EDITABLE = {SheetStatus.DRAFT, SheetStatus.RETURNED}


class EntryError(Exception):
    """A refused action, with a message for the user."""


# -- who may do what -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SheetAccess:
    view: bool = False
    edit: bool = False  # the unit's officer, while draft or returned
    decide: bool = False  # the secretariat over the unit: approve, return, re-open
    see_values: bool = False  # leaders see approved values only


def access_for(user, unit: OrgUnit, status: str) -> SheetAccess:
    scope = scope_for(user)
    officer = scope.covers(Role.UNIT_OFFICER, unit)
    secretariat = scope.covers(Role.SECRETARIAT, unit)
    leader = scope.covers(Role.LEADER, unit)
    if not (officer or secretariat or leader):
        return SheetAccess()
    return SheetAccess(
        view=True,
        edit=officer and status in EDITABLE,
        decide=secretariat,
        see_values=officer or secretariat or status == SheetStatus.APPROVED,
    )


def get_sheet_for_user(user, unit_id: int, period: Period) -> tuple[OrgUnit, EntrySheet, SheetAccess]:
    """The unit's sheet for the period (a new, unsaved draft when none exists yet)."""
    try:
        unit = OrgUnit.objects.select_related("unit_type").get(pk=unit_id)
    except (OrgUnit.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    sheet = EntrySheet.objects.filter(unit=unit, period_kind=period.kind, period_start=period.start).first()
    if sheet is None:
        sheet = EntrySheet(
            unit=unit, period_kind=period.kind, period_start=period.start, period_end=period.end
        )
    access = access_for(user, unit, sheet.status)
    if not access.view:
        raise Http404
    return unit, sheet, access


def entry_indicators(unit: OrgUnit, period: Period) -> list[Indicator]:
    """The entry indicators of the unit's type whose periodicity is the period's kind."""
    return list(
        Indicator.objects.filter(source=IndicatorSource.ENTRY, periodicity=period.kind)
        .filter(Q(entry_unit_types=None) | Q(entry_unit_types=unit.unit_type_id))
        .distinct()
        .order_by("code")
    )


def due_date(period: Period) -> dt.date:
    """The day a period's figures are due: ``CCHC_ENTRY_DUE_DAYS`` (default 5) calendar days
    after the period ends."""
    return period.end + dt.timedelta(days=getattr(settings, "CCHC_ENTRY_DUE_DAYS", 5))


# -- saving ----------------------------------------------------------------------------------------------


@dataclass
class Row:
    """What the form sent for one indicator (raw text), and its problems."""

    indicator: Indicator
    value: str = ""
    numerator: str = ""
    denominator: str = ""
    comment: str = ""
    evidence: UploadedFile | None = None
    errors: dict[str, str] = field(default_factory=dict)
    shown: str = ""  # the stored value, as read (89,34)
    evidence_url: str = ""
    evidence_name: str = ""


def _parse(row: Row, column: str) -> Decimal | None:
    raw = getattr(row, column).strip()
    if not raw:
        return None
    try:
        return parse_decimal(raw)
    except ValueError:
        row.errors[column] = _("Không phải là số: %(v)s") % {"v": raw}
        return None


def check_row(row: Row) -> tuple[Decimal | None, Decimal | None, Decimal | None]:
    """(value, numerator, denominator) of a row, or problems in ``row.errors``. A ratio takes a
    numerator and a denominator (the value is computed); anything else takes a value."""
    ind = row.indicator
    num, den, value = _parse(row, "numerator"), _parse(row, "denominator"), _parse(row, "value")
    if row.errors:
        return None, None, None
    if ind.aggregation == "ratio":
        if num is None and den is None:
            return None, None, None
        if num is None or den is None:
            row.errors["numerator" if num is None else "denominator"] = _("Cần cả tử số và mẫu số.")
            return None, None, None
        if den <= 0:
            row.errors["denominator"] = _("Mẫu số phải lớn hơn 0.")
            return None, None, None
        if num < 0 or (ind.unit_of_measure == "%" and num > den):
            row.errors["numerator"] = _("Tử số phải từ 0 đến mẫu số (%(d)s).") % {"d": fmt_plain(den)}
            return None, None, None
        value = ratio(num, den, ind.unit_of_measure)
    if value is None:
        return None, None, None
    low, high = ind.min_value, ind.max_value
    if (low is not None and value < low) or (high is not None and value > high):
        row.errors["value"] = _("Giá trị %(v)s ngoài khoảng hợp lệ %(lo)s – %(hi)s.") % {
            "v": fmt(value),
            "lo": fmt_plain(low),
            "hi": fmt_plain(high),
        }
        return None, None, None
    return value, num, den


def _show(value, num, den) -> str:
    if value is None:
        return ""
    return f"{fmt_plain(num)}/{fmt_plain(den)} = {fmt(value)}" if den is not None else fmt(value)


@transaction.atomic
def save_sheet(user, unit: OrgUnit, period: Period, rows: list[Row]) -> EntrySheet | None:
    """Save the figures of a draft or returned sheet. Returns the sheet, or None when a row has
    problems (then nothing is saved and each row's ``errors`` say why)."""
    sheet = EntrySheet.objects.select_for_update().filter(
        unit=unit, period_kind=period.kind, period_start=period.start
    ).first() or EntrySheet(
        unit=unit, period_kind=period.kind, period_start=period.start, period_end=period.end
    )
    if not access_for(user, unit, sheet.status).edit:
        raise PermissionDenied(_("Phiếu này không sửa được ở trạng thái hiện tại."))
    checked = [(row, *check_row(row)) for row in rows]
    if any(row.errors for row, *_rest in checked):
        return None
    if sheet.pk is None:
        sheet.save()
    existing = {v.indicator_id: v for v in sheet.values.all()}
    for row, value, num, den in checked:
        current = existing.get(row.indicator.pk)
        old = _show(current.value, current.numerator, current.denominator) if current else ""
        new = _show(value, num, den)
        if current is None:
            if value is None and not row.comment and not row.evidence:
                continue
            current = EntryValue(sheet=sheet, indicator=row.indicator)
        changed = old != new
        current.value, current.numerator, current.denominator = value, num, den
        current.comment = row.comment.strip()
        if row.evidence:
            current.evidence = row.evidence
            EntryChange.objects.create(
                sheet=sheet,
                indicator=row.indicator,
                user=user,
                action="evidence",
                new=(row.evidence.name or "")[:255],
            )
        current.save()
        if changed:
            EntryChange.objects.create(
                sheet=sheet, indicator=row.indicator, user=user, action="save", old=old, new=new
            )
    return sheet


def _transition(sheet: EntrySheet, user, action: str, to: str, reason: str = "") -> None:
    old = sheet.status
    sheet.status = to
    sheet.save()
    EntryChange.objects.create(
        sheet=sheet,
        user=user,
        action=action,
        old=str(SheetStatus(old).label),
        new=str(SheetStatus(to).label),
        reason=reason,
    )


def _locked(sheet: EntrySheet) -> EntrySheet:
    if sheet.pk is None:
        raise EntryError(_("Phiếu chưa có số liệu."))
    return EntrySheet.objects.select_for_update().select_related("unit").get(pk=sheet.pk)


@transaction.atomic
def submit_sheet(user, sheet: EntrySheet) -> None:
    sheet = _locked(sheet)
    if not access_for(user, sheet.unit, sheet.status).edit:
        raise PermissionDenied
    period = sheet_period(sheet)
    filled = set(sheet.values.exclude(value=None).values_list("indicator_id", flat=True))
    missing = [i.name for i in entry_indicators(sheet.unit, period) if i.pk not in filled]
    if missing:
        raise EntryError(_("Chưa nhập: %(names)s.") % {"names": "; ".join(missing)})
    sheet.submitted_at = timezone.now()
    _transition(sheet, user, "submit", SheetStatus.SUBMITTED)


@transaction.atomic
def return_sheet(user, sheet: EntrySheet, reason: str) -> None:
    sheet = _locked(sheet)
    if not access_for(user, sheet.unit, sheet.status).decide:
        raise PermissionDenied
    if sheet.status != SheetStatus.SUBMITTED:
        raise EntryError(_("Chỉ trả lại được phiếu đã gửi."))
    if not reason.strip():
        raise EntryError(_("Cần ghi lý do trả lại."))
    sheet.return_reason, sheet.decided_at = reason.strip(), timezone.now()
    _transition(sheet, user, "return", SheetStatus.RETURNED, reason.strip())


@transaction.atomic
def approve_sheet(user, sheet: EntrySheet) -> int:
    """Approve and lock the sheet; its values are written (origin ``entry``). Returns their number."""
    sheet = _locked(sheet)
    if not access_for(user, sheet.unit, sheet.status).decide:
        raise PermissionDenied
    if sheet.status != SheetStatus.SUBMITTED:
        raise EntryError(_("Chỉ duyệt được phiếu đã gửi."))
    sheet.decided_at, sheet.return_reason = timezone.now(), ""
    _transition(sheet, user, "approve", SheetStatus.APPROVED)
    return _write_values(sheet)


@transaction.atomic
def reopen_sheet(user, sheet: EntrySheet, reason: str) -> None:
    """Re-open an approved sheet (its values are withdrawn until it is approved again)."""
    sheet = _locked(sheet)
    if not access_for(user, sheet.unit, sheet.status).decide:
        raise PermissionDenied
    if sheet.status != SheetStatus.APPROVED:
        raise EntryError(_("Chỉ mở lại được phiếu đã duyệt."))
    if not reason.strip():
        raise EntryError(_("Cần ghi lý do mở lại."))
    sheet.return_reason = reason.strip()
    _transition(sheet, user, "reopen", SheetStatus.RETURNED, reason.strip())
    _write_values(sheet)


def sheet_period(sheet: EntrySheet) -> Period:
    return Period(sheet.period_start, sheet.period_end, sheet.period_kind)


def _write_values(sheet: EntrySheet) -> int:
    period = sheet_period(sheet)
    indicators = [i.pk for i in entry_indicators(sheet.unit, period)]
    values = []
    if sheet.status == SheetStatus.APPROVED:
        values = [
            Value(
                v.indicator_id,
                sheet.unit_id,
                period,
                v.value,
                v.numerator,
                v.denominator,
                f"entry:sheet={sheet.pk}",
            )
            for v in sheet.values.exclude(value=None)
            if v.value is not None
            if v.indicator_id in indicators
        ]
    written, _removed = replace_values(
        ValueOrigin.ENTRY, values, [period], indicators=indicators, units=[sheet.unit_id]
    )
    return written


# -- the secretariat's overview and reminders -----------------------------------------------------


@dataclass
class OverviewRow:
    unit: OrgUnit
    status: str | None  # None: not started
    late: bool
    sheet_id: int | None


def overview(user, period: Period, today: dt.date | None = None) -> list[OverviewRow]:
    """Per unit the secretariat covers (and that has entry indicators for the period): its
    sheet's status, and whether it is late (not submitted by the due date)."""
    scope = scope_for(user)
    today = today or timezone.localdate()
    units = list(
        OrgUnit.objects.filter(scope.unit_q(Role.SECRETARIAT))
        .active_on(period.end)
        .select_related("unit_type")
    )
    kinds = _types_with_entry(period)
    units = [u for u in units if kinds is None or u.unit_type_id in kinds]
    sheets = {
        s.unit_id: s
        for s in EntrySheet.objects.filter(unit__in=units, period_kind=period.kind, period_start=period.start)
    }
    overdue = today > due_date(period)
    rows = []
    for u in units:
        s = sheets.get(u.pk)
        status = s.status if s else None
        rows.append(OverviewRow(u, status, overdue and status in (None, *EDITABLE), s.pk if s else None))
    return rows


def late_units(period: Period) -> list[OrgUnit]:
    """Every unit in force at the period's end that enters figures for it and has not submitted
    its sheet (not started, draft or returned) — province-wide, for the reminders."""
    kinds = _types_with_entry(period)
    units = OrgUnit.objects.active_on(period.end)
    if kinds is not None:
        units = units.filter(unit_type_id__in=kinds)
    done = EntrySheet.objects.filter(
        period_kind=period.kind,
        period_start=period.start,
        status__in=[SheetStatus.SUBMITTED, SheetStatus.APPROVED],
    ).values("unit_id")
    return list(units.exclude(pk__in=done))


def _types_with_entry(period: Period) -> set[int] | None:
    """The unit types that enter figures for the period (None: every type)."""
    indicators = Indicator.objects.filter(source=IndicatorSource.ENTRY, periodicity=period.kind)
    if not indicators.exists():
        return set()
    if indicators.filter(entry_unit_types=None).exists():
        return None
    return set(indicators.values_list("entry_unit_types", flat=True))


def send_entry_reminders(period_text: str, unit_ids: list[int]) -> dict:
    """E-mail the unit officers of the units still late for the period (run by the task)."""
    from django.core.mail import send_mass_mail

    from cchc.orgs.models import RoleAssignment

    period = Period.parse(period_text)
    submitted = set(
        EntrySheet.objects.filter(
            unit_id__in=unit_ids,
            period_kind=period.kind,
            period_start=period.start,
            status__in=[SheetStatus.SUBMITTED, SheetStatus.APPROVED],
        ).values_list("unit_id", flat=True)
    )
    still_late = [u for u in unit_ids if u not in submitted]
    emails: dict[int, set[str]] = {}
    for unit_id, email in (
        RoleAssignment.objects.filter(role=Role.UNIT_OFFICER, unit_id__in=still_late, user__is_active=True)
        .exclude(user__email="")
        .values_list("unit_id", "user__email")
    ):
        emails.setdefault(unit_id, set()).add(email)
    names = dict(OrgUnit.objects.filter(pk__in=still_late).values_list("pk", "name"))
    subject = _("[CCHC] Nhắc nhập số liệu kỳ %(p)s") % {"p": str(period)}
    messages = [
        (
            subject,
            _("Đơn vị %(unit)s chưa gửi số liệu kỳ %(p)s; hạn gửi là %(due)s.")
            % {"unit": names[u], "p": str(period), "due": due_date(period).strftime("%d/%m/%Y")},
            None,
            sorted(emails[u]),
        )
        for u in still_late
        if u in emails
    ]
    sent = send_mass_mail(messages, fail_silently=False) if messages else 0
    return {"late_units": len(still_late), "sent": sent}
