"""What the dossier dashboard shows, built from :mod:`cchc.procedures.kpis` (the one KPI
definition) and :mod:`cchc.procedures.index766` (the 766 rules); the views stay thin.

Access (one helper, :func:`get_dossier_scope_for_user`): the secretariat and leaders see the
units of their subtree, each with its whole subtree's dossiers; a unit officer sees the unit(s)
they act for, with that unit's own dossiers only. Anyone else is refused (403); a unit outside
the user's reach does not exist for them (404).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django import forms
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cchc.core.widgets import VnDateField
from cchc.indicators.models import Target
from cchc.orgs.access import scope_for
from cchc.orgs.models import OrgUnit, Role
from cchc.procedures import index766, rules
from cchc.procedures.kpis import (
    KpiRow,
    Overview,
    compute_kpis,
    kpi_overview,
    month_window,
    window_moments,
)
from cchc.procedures.models import Procedure, ProcedureLevel

SUBTREE_ROLES = (Role.SECRETARIAT, Role.LEADER)
DOSSIER_ROLES = (*SUBTREE_ROLES, Role.UNIT_OFFICER)
ON_TIME_INDICATOR = "dossiers.on_time_rate"
ONLINE_INDICATOR = "dossiers.online_rate"


# -- access ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DossierScope:
    """The unit a page is about and whose dossiers count for it."""

    unit: OrgUnit
    subtree: bool  # the unit with its whole subtree (secretariat, leader) or its own dossiers only

    @property
    def units(self) -> QuerySet[OrgUnit]:
        if self.subtree:
            return OrgUnit.objects.subtree_of(self.unit)
        return OrgUnit.objects.filter(pk=self.unit.pk)

    def children(self) -> list[OrgUnit]:
        """Direct children the user may open (only with the subtree)."""
        if not self.subtree:
            return []
        return list(self.unit.children.select_related("unit_type").order_by("unit_type__level", "name"))


def dossier_roots(user) -> list[OrgUnit]:
    """The units a user's dashboard can start from: the top of each dossier-role assignment."""
    scope = scope_for(user)
    if scope.superuser:
        return list(OrgUnit.objects.filter(parent__isnull=True).order_by("name"))
    paths = sorted({p for role in DOSSIER_ROLES for p in scope.paths.get(role, ())})
    subtree = _subtree_paths(scope)
    # A unit already inside a subtree the user sees is not a root of its own.
    tops = [p for p in paths if not any(q != p and p.startswith(q) for q in subtree)]
    units = {u.path: u for u in OrgUnit.objects.filter(path__in=tops)}
    return [units[p] for p in tops if p in units]


def _subtree_paths(scope) -> set[str]:
    return {p for role in SUBTREE_ROLES for p in scope.paths.get(role, ())}


def get_dossier_scope_for_user(user, unit_id=None) -> DossierScope:
    """The unit (default: the user's first root) and how much of it the user sees.
    Raises PermissionDenied without a dossier role, Http404 for a unit out of reach."""
    scope = scope_for(user)
    if not (scope.superuser or any(scope.paths.get(role) for role in DOSSIER_ROLES)):
        raise PermissionDenied
    if unit_id in (None, ""):
        roots = dossier_roots(user)
        if not roots:
            raise Http404
        unit = roots[0]
    else:
        try:
            pk = int(unit_id)
            if not 0 < pk < 2**63:  # beyond the bigint column: PostgreSQL would raise, not miss
                raise ValueError
            unit = OrgUnit.objects.select_related("unit_type", "parent").get(pk=pk)
        except (OrgUnit.DoesNotExist, ValueError, TypeError):
            raise Http404 from None
    if scope.superuser or any(scope.covers(role, unit) for role in SUBTREE_ROLES):
        return DossierScope(unit=unit, subtree=True)
    if scope.covers(Role.UNIT_OFFICER, unit):
        return DossierScope(unit=unit, subtree=False)
    raise Http404


# -- filters -----------------------------------------------------------------------------------------

GROUPINGS = [
    ("unit", _("Đơn vị")),
    ("month", _("Tháng")),
    ("level", _("Cấp thực hiện")),
    ("field", _("Lĩnh vực")),
    ("procedure", _("Thủ tục")),
]


def default_window(today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """The current year up to today (a window ending in the future would count as overdue
    dossiers that are not late yet)."""
    today = today or timezone.localdate()
    return dt.date(today.year, 1, 1), today


WINDOW_MIN, WINDOW_MAX = dt.date(2000, 1, 1), dt.date(2100, 12, 31)


class DashboardFilter(forms.Form):
    date_from = VnDateField(label=_("Từ ngày"), required=False)
    date_to = VnDateField(label=_("Đến ngày"), required=False)
    level = forms.ChoiceField(label=_("Cấp thực hiện"), required=False)
    field = forms.ChoiceField(label=_("Lĩnh vực"), required=False)
    by = forms.ChoiceField(label=_("Nhóm theo"), required=False, choices=GROUPINGS)

    def __init__(self, data=None, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["level"].choices = [("", _("Tất cả"))] + list(ProcedureLevel.choices)
        fields = Procedure.objects.order_by("field").values_list("field", flat=True).distinct()
        self.fields["field"].choices = [("", _("Tất cả"))] + [(f, f) for f in fields]

    def clean(self):
        data = super().clean()
        start, end = default_window()
        data["date_from"] = data.get("date_from") or start
        data["date_to"] = data.get("date_to") or end
        for key in ("date_from", "date_to"):
            if not WINDOW_MIN <= data[key] <= WINDOW_MAX:
                self.add_error(key, _("Ngày phải trong khoảng năm 2000 đến 2100."))
                return data
        if data["date_to"] < data["date_from"]:
            raise forms.ValidationError(_("Đến ngày phải sau Từ ngày."))
        data["by"] = data.get("by") or "unit"
        return data


@dataclass
class Filters:
    date_from: dt.date
    date_to: dt.date
    level: str = ""
    field: str = ""
    by: str = "unit"

    def query(self, **extra) -> str:
        """The filters as a query string (for links that keep them)."""
        from urllib.parse import urlencode

        params = {
            "date_from": self.date_from.isoformat(),
            "date_to": self.date_to.isoformat(),
            "level": self.level,
            "field": self.field,
            "by": self.by,
            **extra,
        }
        return urlencode({k: v for k, v in params.items() if v not in ("", None)})


def parse_filters(params) -> tuple[DashboardFilter, Filters]:
    """The form (for redisplay and errors) and valid filters (defaults where the form is invalid)."""
    form = DashboardFilter(params or None)
    start, end = default_window()
    if params and form.is_valid():
        d = form.cleaned_data
        return form, Filters(d["date_from"], d["date_to"], d["level"], d["field"], d["by"])
    if not params:
        form = DashboardFilter(initial={"date_from": start, "date_to": end, "by": "unit"})
    return form, Filters(start, end)


# -- the KPI table -------------------------------------------------------------------------------------


@dataclass
class Table:
    rows: list[KpiRow]
    total: KpiRow
    unit_links: dict[int, int] = field(default_factory=dict)  # row unit_id → unit to open


def overview(scope: DossierScope, f: Filters) -> Overview:
    """Every figure of the page but the level / field / procedure tables, from one read of the
    rollups (:func:`~cchc.procedures.kpis.kpi_overview`): a fixed number of queries whatever the
    window's months and the scope's units."""
    return kpi_overview(
        f.date_from, f.date_to, units=scope.units, level=f.level or None, field=f.field or None
    )


def kpi_table(scope: DossierScope, f: Filters, seen: Overview | None = None) -> Table:
    """Rows for the chosen grouping and the total. Grouped by unit, a subtree shows the unit's
    own dossiers and each direct child with its whole subtree (rolled up from counts)."""
    seen = seen or overview(scope, f)
    links: dict[int, int] = {}
    if f.by == "unit":
        if scope.subtree:
            child_ids = set(scope.unit.children.values_list("pk", flat=True))
            own = [r for r in seen.units if r.unit_id == scope.unit.pk]
            rows = own + [r for r in seen.tree if r.unit_id in child_ids]
            links = {r.unit_id: r.unit_id for r in rows if r.unit_id in child_ids}
        else:
            rows = seen.units
    elif f.by == "month":
        rows = seen.months
    else:
        kw = {"units": scope.units, "level": f.level or None, "field": f.field or None}
        rows = compute_kpis(f.date_from, f.date_to, f.by, **kw)
    return Table(rows=rows, total=seen.total, unit_links=links)


def drill_query(scope: DossierScope, f: Filters, row: KpiRow | None) -> str | None:
    """The drill-down filters behind one row of the table (None when the row has no drill-down
    of its own, e.g. a procedure, or the unit's own dossiers apart from its subtree)."""
    if row is None:  # the total row
        return f.query(unit=scope.unit.pk)
    if f.by == "unit":
        if row.unit_id == scope.unit.pk and scope.subtree:
            return None
        return f.query(unit=row.unit_id)
    if f.by in ("level", "field"):
        return Filters(f.date_from, f.date_to, **{**_levels(f), f.by: row.group_key}, by=f.by).query(
            unit=scope.unit.pk
        )
    if f.by == "month":
        year, month = (int(x) for x in row.group_key.split("-"))
        first, last = month_window(year, month)
        return Filters(max(first, f.date_from), min(last, f.date_to), f.level, f.field, f.by).query(
            unit=scope.unit.pk
        )
    return None


def _levels(f: Filters) -> dict:
    return {"level": f.level, "field": f.field}


def table_entries(scope: DossierScope, f: Filters, table: Table) -> list[tuple[KpiRow, str | None]]:
    return [(row, drill_query(scope, f, row)) for row in table.rows]


# -- monthly charts against targets ------------------------------------------------------------------


def target_value(indicator_code: str, unit: OrgUnit, year: int) -> Decimal | None:
    """The target for the unit, else its nearest ancestor's, else the one for all units."""
    targets = list(
        Target.objects.filter(indicator__code=indicator_code, year=year).values_list("unit__path", "value")
    )
    best: tuple[int, Decimal] | None = None
    for path, value in targets:
        if path is None:
            rank = 0
        elif unit.path.startswith(path):
            rank = len(path)
        else:
            continue
        if best is None or rank > best[0]:
            best = (rank, value)
    return best[1] if best else None


def _num(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def chart_data(scope: DossierScope, f: Filters, monthly: list[KpiRow]) -> dict:
    year = f.date_to.year
    return {
        "labels": [r.group for r in monthly],
        "on_time": [_num(r.on_time_rate) for r in monthly],
        "online": [_num(r.online_rate) for r in monthly],
        "on_time_target": _num(target_value(ON_TIME_INDICATOR, scope.unit, year)),
        "online_target": _num(target_value(ONLINE_INDICATOR, scope.unit, year)),
        "on_time_label": str(_("Tỷ lệ giải quyết đúng hạn (%)")),
        "online_label": str(_("Tỷ lệ hồ sơ trực tuyến (%)")),
        "target_label": str(_("Mục tiêu năm {year}")).format(year=year),
    }


# -- the 766 index -----------------------------------------------------------------------------------


def counts_from_row(row: KpiRow) -> index766.Counts:
    """The 766 inputs from a KPI row: the catalogue-based measures only when the unit handles
    procedures (links), the fee-based one only when some received dossier was of a fee-charging
    procedure."""
    return index766.Counts(
        resolved=row.resolved,
        resolved_early=row.resolved_early,
        resolved_on_time=row.resolved_on_time,
        resolved_late=row.resolved_late,
        in_progress=row.in_progress,
        in_progress_overdue=row.in_progress_overdue,
        received=row.received,
        received_online=row.received_online,
        digitized=row.digitized,
        paid_online=row.paid_online,
        fee_received=row.received_fee or None,
        procedures_handled=row.procedures_handled or None,
        procedures_online=row.procedures_online if row.procedures_handled else None,
    )


@dataclass
class IndexRow:
    label: str
    key: str
    score: index766.IndexScore
    unit_id: int | None = None


def index_by_month(monthly: list[KpiRow]) -> list[IndexRow]:
    rules_ = index766.load_rules()
    return [
        IndexRow(r.group, r.group_key, index766.score_counts(counts_from_row(r), rules_)) for r in monthly
    ]


def index_for_units(
    scope: DossierScope, year: int, month: int, f: Filters
) -> tuple[IndexRow, list[IndexRow]]:
    """The unit's index for one month (clipped to today) and, with the subtree, each direct child's."""
    first, last = month_window(year, month)
    last = min(last, timezone.localdate())
    if last < first:
        raise Http404
    seen = kpi_overview(first, last, units=scope.units, level=f.level or None, field=f.field or None)
    rules_ = index766.load_rules()
    head = IndexRow(
        scope.unit.name, scope.unit.code, index766.score_counts(counts_from_row(seen.total), rules_)
    )
    children: list[IndexRow] = []
    if scope.subtree:
        child_ids = set(scope.unit.children.values_list("pk", flat=True))
        for r in seen.tree:
            if r.unit_id in child_ids:
                children.append(
                    IndexRow(
                        r.group, r.group_key, index766.score_counts(counts_from_row(r), rules_), r.unit_id
                    )
                )
    return head, children


# -- drill-down ---------------------------------------------------------------------------------------


def drill_deadline(dossier, kind: str, end: dt.datetime) -> dt.datetime | None:
    """The effective deadline shown in the drill-down: as stored for a resolved dossier; for an
    open one, as seen at the window's end (a pending supplement keeps the clock stopped)."""
    if kind == "late" and dossier.effective_due_at is not None:
        return dossier.effective_due_at
    as_of = dossier.finished_at if kind == "late" and dossier.finished_at else end
    return rules.effective_deadline(
        dossier.due_at, dossier.supplement_requested_at, dossier.supplement_received_at, as_of=as_of
    )


def drill_rows(dossiers, kind: str, end: dt.datetime) -> list[tuple]:
    """(dossier, effective deadline, working days past it, calendar days past it) for a
    drill-down page: late at finishing, or overdue at the window's end; working days on the
    calendar of the dossier's province (weekends, holidays and swapped days excluded, as the
    deadline itself)."""
    from cchc.workdays.services import get_calendar

    calendars: dict[str, object] = {}
    rows = []
    for d in dossiers:
        deadline = drill_deadline(d, kind, end)
        past = days = None
        moment = d.finished_at if kind == "late" else end
        if deadline is not None and moment is not None and moment > deadline:
            root = d.unit.path_ids[0]
            if root not in calendars:
                calendars[root] = get_calendar(d.unit)
            past = calendars[root].working_time_between(deadline, moment)
            days = (moment - deadline).days  # whole days past it
        rows.append((d, deadline, past, days))
    return rows


def window_end(f: Filters) -> dt.datetime:
    return window_moments(f.date_from, f.date_to)[1]
