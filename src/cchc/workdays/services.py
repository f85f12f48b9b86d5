"""The calendar the rest of the platform uses: ``get_calendar(province)`` layers the admin's
override table and the province's settings on the statutory calendar derived by ``holidays``,
and ``load_overrides`` loads the shipped (or an operator's) YAML file of announced days."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import holidays
from django.db import transaction
from django.db.models import Count, Max
from django.utils.translation import gettext as _

from cchc.core.importing import ImportFailed, MarkedDict, RowErrors, YamlError, load_yaml, mark_line
from cchc.workdays.calendar import WorkCalendar
from cchc.workdays.models import CalendarOverride, CalendarSettings, OverrideKind

DEFAULT_OVERRIDES_FILE = Path(__file__).resolve().parent.parent / "data" / "calendar" / "vn-overrides.yaml"

_lock = threading.Lock()
_cache: dict[int | None, WorkCalendar] = {}  # by CalendarSettings id (None: no settings row)
_settings_of: dict[tuple[int, ...], CalendarSettings | None] = {}  # unit ancestry -> settings row
_state: dict[str, object] = {"fingerprint": None}


def statutory_calendar() -> holidays.HolidayBase:
    """Vietnam's statutory holidays for any year (lunar Tết and Hùng Kings, observed days,
    the swaps ``holidays`` knows), names in Vietnamese."""
    return holidays.country_holidays("VN", language="vi")


def clear_calendar_cache() -> None:
    with _lock:
        _cache.clear()
        _settings_of.clear()
        _state["fingerprint"] = None


def _fingerprint() -> tuple:
    o = CalendarOverride.objects.aggregate(n=Count("id"), last=Max("updated_at"))
    s = CalendarSettings.objects.aggregate(n=Count("id"), last=Max("updated_at"))
    return (o["n"], o["last"], s["n"], s["last"])


def _province_key(province) -> tuple[int, ...]:
    """The ids of ``province`` and its ancestors, nearest first (a commune or department
    uses its province's settings)."""
    if province is None:
        return ()
    from cchc.orgs.models import OrgUnit, path_ids

    if isinstance(province, str):
        unit = OrgUnit.objects.filter(code=province).only("path").first()
        if unit is None:
            raise LookupError(f"unknown unit code: {province}")
        province = unit
    ids = path_ids(province.path) or [province.pk]
    return tuple(reversed(ids))


def _settings_for(key: tuple[int, ...]) -> CalendarSettings | None:
    rows = {s.province_id: s for s in CalendarSettings.objects.filter(province_id__in=[*key])}
    for unit_id in key:
        if unit_id in rows:
            return rows[unit_id]
    return CalendarSettings.objects.filter(province__isnull=True).first()


def build_calendar(settings_row: CalendarSettings | None) -> WorkCalendar:
    days_off: dict[date, str] = {}
    working: dict[date, str] = {}
    for day, kind, name in CalendarOverride.objects.values_list("date", "kind", "name"):
        (days_off if kind == OverrideKind.DAY_OFF else working)[day] = name
    options: dict[str, Any] = {}
    if settings_row is not None:
        options = {
            "cutoff": settings_row.afternoon_cutoff,
            "clock_starts_next_day": settings_row.clock_starts_next_day,
            "work_start": settings_row.work_start,
            "work_end": settings_row.work_end,
        }
    return WorkCalendar(days_off=days_off, working_days=working, base=statutory_calendar(), **options)


def get_calendar(province=None) -> WorkCalendar:
    """The calendar for ``province`` (an OrgUnit anywhere in a province's tree, its code, or
    None for the default settings).

    Cached per process. Every call checks a fingerprint of the override and settings tables
    (two aggregate queries) so that a change made by another process, or a rolled-back
    transaction, is seen at once; saves in this process also clear the cache (signals in
    apps.py). Call it once per batch and reuse the calendar, not once per row."""
    key = _province_key(province)
    fingerprint = _fingerprint()
    with _lock:
        if fingerprint != _state["fingerprint"]:
            _cache.clear()
            _settings_of.clear()
            _state["fingerprint"] = fingerprint
        known = key in _settings_of
        settings_row = _settings_of.get(key)
    if not known:
        settings_row = _settings_for(key)
    settings_id = settings_row.pk if settings_row is not None else None
    with _lock:
        _settings_of[key] = settings_row
        calendar = _cache.get(settings_id)
    if calendar is None:
        calendar = build_calendar(settings_row)
        with _lock:
            calendar = _cache.setdefault(settings_id, calendar)
    return calendar


# -- the override file ------------------------------------------------------------------------


FIELDS = ("date", "kind", "name", "source_document", "source_url")


@dataclass(frozen=True)
class OverrideRow:
    date: date
    kind: str
    name: str
    source_document: str
    source_url: str


@dataclass(frozen=True)
class LoadResult:
    created: int
    updated: int
    unchanged: int


def parse_overrides(path: str | Path) -> list[OverrideRow]:
    """Validate the whole file; raise ImportFailed listing each bad entry as ``line N, column X:
    reason`` (N is the entry's line in the YAML file)."""
    try:
        data = load_yaml(path)
    except YamlError as exc:
        raise ImportFailed(str(path), exc.problems) from None
    entries = data.get("overrides") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        raise ImportFailed(
            str(path), ["line 1, column overrides: " + _("cần một bảng có danh sách 'overrides'")]
        )
    errors = RowErrors()
    for key in sorted(set(data) - {"overrides"}, key=str):
        errors.add(mark_line(data.key_marks[key]), str(key), _("khóa không được biết"))
    rows: list[OverrideRow] = []
    seen: dict[date, int] = {}
    for entry in entries:
        if not isinstance(entry, MarkedDict):
            errors.add(1, "date", _("mỗi ngày điều chỉnh phải là một bảng (date, kind, name …)"))
            continue
        line = mark_line(entry.mark)
        for key in sorted(set(entry) - set(FIELDS) - {"note"}, key=str):
            errors.add(mark_line(entry.key_marks[key]), str(key), _("khóa không được biết"))
        raw_day = entry.get("date")
        day = None
        if isinstance(raw_day, date):
            day = raw_day
        elif isinstance(raw_day, str):
            try:
                day = date.fromisoformat(raw_day)
            except ValueError:
                errors.add(line, "date", _("không phải ngày YYYY-MM-DD: %(value)r") % {"value": raw_day})
        else:
            errors.add(
                line,
                "date",
                _("thiếu") if raw_day is None else _("không phải ngày: %(value)r") % {"value": raw_day},
            )
        kind = entry.get("kind")
        if kind not in OverrideKind.values:
            errors.add(
                line,
                "kind",
                _("phải là một trong %(allowed)s, không phải %(value)r")
                % {"allowed": ", ".join(OverrideKind.values), "value": kind},
            )
        name = entry.get("name")
        if not isinstance(name, str) or not name.strip():
            errors.add(line, "name", _("thiếu"))
        document = entry.get("source_document") or ""
        url = entry.get("source_url") or ""
        if not isinstance(document, str) or not isinstance(url, str):
            errors.add(line, "source_document", _("phải là văn bản"))
        if day is not None:
            if day in seen:
                errors.add(line, "date", _("%(day)s đã có ở dòng %(line)s") % {"day": day, "line": seen[day]})
            seen[day] = line
        if day is not None and kind in OverrideKind.values and isinstance(name, str) and name.strip():
            rows.append(OverrideRow(day, kind, name.strip(), str(document).strip(), str(url).strip()))
    errors.raise_if_any(str(path))
    return rows


def load_overrides(path: str | Path = DEFAULT_OVERRIDES_FILE, model=CalendarOverride) -> LoadResult:
    """Insert or update the file's overrides by date (idempotent; rows only in the database
    are kept). ``model`` is the historical model when called from a data migration."""
    rows = parse_overrides(path)
    created = updated = unchanged = 0
    with transaction.atomic():
        existing = {o.date: o for o in model.objects.filter(date__in=[r.date for r in rows])}
        for row in rows:
            values = {
                "kind": row.kind,
                "name": row.name,
                "source_document": row.source_document,
                "source_url": row.source_url,
                "year": row.date.year,
            }
            current = existing.get(row.date)
            if current is None:
                model.objects.create(date=row.date, **values)
                created += 1
            elif any(getattr(current, k) != v for k, v in values.items()):
                for k, v in values.items():
                    setattr(current, k, v)
                current.save()
                updated += 1
            else:
                unchanged += 1
    if created or updated:
        clear_calendar_cache()
    return LoadResult(created, updated, unchanged)
