"""get_calendar(): the override table and the province settings layered on `holidays`, the
per-process cache and its invalidation; the override file loader."""

import importlib
from datetime import date, datetime, time

import pytest
from django.apps import apps as django_apps
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from cchc.core.importing import ImportFailed
from cchc.workdays.calendar import VN_TZ
from cchc.workdays.models import CalendarOverride, CalendarSettings, OverrideKind
from cchc.workdays.services import DEFAULT_OVERRIDES_FILE, get_calendar, load_overrides

pytestmark = pytest.mark.django_db


def test_the_shipped_overrides_reach_the_calendar(overrides):
    cal = get_calendar()
    assert not cal.is_working_day(date(2026, 1, 2))
    assert cal.is_working_day(date(2026, 1, 10))
    assert cal.reason(date(2026, 1, 2)).startswith("Ngày nghỉ Tết Dương lịch")


def test_an_override_row_changes_the_result_at_once(overrides):
    assert get_calendar().add_working_days(date(2024, 6, 3), 1) == date(2024, 6, 4)
    row = CalendarOverride.objects.create(
        date=date(2024, 6, 4), kind=OverrideKind.DAY_OFF, name="Nghỉ đột xuất", source_document="QĐ thử"
    )
    assert row.year == 2024
    assert get_calendar().add_working_days(date(2024, 6, 3), 1) == date(2024, 6, 5)
    row.kind = OverrideKind.WORKING_DAY
    row.date = date(2024, 6, 8)  # a Saturday made a working day
    row.save()
    assert get_calendar().add_working_days(date(2024, 6, 7), 1) == date(2024, 6, 8)
    row.delete()
    assert get_calendar().add_working_days(date(2024, 6, 7), 1) == date(2024, 6, 10)


def test_a_change_made_elsewhere_is_seen_without_a_signal(overrides):
    """Another process (no signal here) or a rolled-back transaction: the fingerprint check."""
    cal = get_calendar()
    assert get_calendar() is cal  # cached
    CalendarOverride.objects.bulk_create(
        [CalendarOverride(date=date(2024, 6, 4), kind="day_off", name="x", year=2024)]
    )  # bulk_create sends no post_save
    assert not get_calendar().is_working_day(date(2024, 6, 4))
    CalendarOverride.objects.filter(date=date(2024, 6, 4)).delete()
    assert get_calendar().is_working_day(date(2024, 6, 4))


def test_an_override_can_undo_a_statutory_holiday(overrides):
    CalendarOverride.objects.create(date=date(2030, 9, 3), kind="working_day", name="Làm việc")
    CalendarOverride.objects.create(date=date(2030, 9, 2), kind="working_day", name="Làm việc")
    assert get_calendar().is_working_day(date(2030, 9, 2))


def test_province_settings_apply_to_its_whole_tree(province, overrides):
    CalendarSettings.objects.create(province=province.P, afternoon_cutoff=time(16, 0))
    received = datetime(2025, 4, 25, 16, 30, tzinfo=VN_TZ)
    assert get_calendar().add_working_days(received, 1) == date(2025, 4, 26)
    for unit in (province.P, province.A, "A1", "P"):
        assert get_calendar(unit).add_working_days(received, 1) == date(2025, 4, 28), unit
    # Units of the tree share one calendar object.
    assert get_calendar(province.A) is get_calendar("A1")


def test_the_default_settings_row_applies_without_a_province_row(province):
    CalendarSettings.objects.create(province=None, clock_starts_next_day=False)
    assert get_calendar().add_working_days(date(2024, 5, 6), 1) == date(2024, 5, 6)
    assert get_calendar(province.B).add_working_days(date(2024, 5, 6), 1) == date(2024, 5, 6)
    CalendarSettings.objects.create(province=province.P, clock_starts_next_day=True)
    assert get_calendar(province.B).add_working_days(date(2024, 5, 6), 1) == date(2024, 5, 7)


def test_one_settings_row_per_province_and_one_default(province):
    CalendarSettings.objects.create(province=None)
    CalendarSettings.objects.create(province=province.P)
    with pytest.raises(IntegrityError), transaction.atomic():
        CalendarSettings.objects.create(province=None)
    with pytest.raises(IntegrityError), transaction.atomic():
        CalendarSettings.objects.create(province=province.P)
    with pytest.raises(ValidationError):
        CalendarSettings(province=province.P).full_clean()


def test_working_hours_must_be_ordered(db):
    with pytest.raises(IntegrityError), transaction.atomic():
        CalendarSettings.objects.create(work_start=time(17), work_end=time(8))


def test_an_unknown_unit_code_is_an_error(db):
    with pytest.raises(LookupError):
        get_calendar("NO-SUCH-UNIT")


def test_loading_the_shipped_file_is_idempotent(db):
    CalendarOverride.objects.all().delete()
    first = load_overrides()
    assert (first.created, first.updated) == (51, 0)
    again = load_overrides()
    assert (again.created, again.updated, again.unchanged) == (0, 0, 51)
    assert CalendarOverride.objects.count() == 51


def test_loading_updates_changed_rows_and_keeps_admin_rows(db, tmp_path):
    CalendarOverride.objects.all().delete()
    load_overrides()
    CalendarOverride.objects.filter(date=date(2024, 4, 29)).update(name="sửa tay")
    CalendarOverride.objects.create(date=date(2027, 5, 3), kind="day_off", name="Thêm bởi quản trị")
    result = load_overrides()
    assert (result.created, result.updated, result.unchanged) == (0, 1, 50)
    assert CalendarOverride.objects.get(date=date(2024, 4, 29)).name.startswith("Ngày nghỉ")
    assert CalendarOverride.objects.filter(date=date(2027, 5, 3)).exists()


BAD = """overrides:
  - date: 2027-02-30
    kind: day_off
    name: Ngày không có
  - date: 2027-05-03
    kind: holiday
    name: Sai loại
  - date: 2027-05-04
    kind: day_off
  - date: 2027-05-05
    kind: day_off
    name: Trùng
    colour: red
  - date: 2027-05-05
    kind: day_off
    name: Trùng lần hai
"""


def test_a_bad_file_changes_nothing_and_names_each_problem(db, tmp_path):
    CalendarOverride.objects.all().delete()
    path = tmp_path / "bad.yaml"
    path.write_text(BAD, encoding="utf-8")
    with pytest.raises(ImportFailed) as err:
        load_overrides(path)
    assert err.value.items == [
        "line 2, column date: không phải ngày YYYY-MM-DD: '2027-02-30'",
        "line 5, column kind: phải là một trong day_off, working_day, không phải 'holiday'",
        "line 8, column name: thiếu",
        "line 13, column colour: khóa không được biết",
        "line 14, column date: 2027-05-05 đã có ở dòng 10",
    ]
    assert CalendarOverride.objects.count() == 0


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("overrides: [", "không phải YAML hợp lệ"),
        ("- 1\n- 2\n", "'overrides'"),
        # The calendar file is read by the one strict loader: no aliases, duplicate or unknown keys.
        (
            "overrides:\n  - &d {date: 2027-02-05, kind: day_off, name: x}\n  - *d\n",
            "line 2, column 5: không được dùng neo",
        ),
        (
            "overrides:\n  - {date: 2027-02-05, kind: day_off, name: x, name: y}\n",
            "line 2, column 48: khóa 'name' lặp lại",
        ),
        ("overrides: []\nextra: 1\n", "line 2, column extra: khóa không được biết"),
    ],
)
def test_a_file_that_is_not_an_override_list_is_refused(db, tmp_path, text, message):
    path = tmp_path / "x.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ImportFailed, match=message):
        load_overrides(path)


def test_a_missing_file_is_refused(db, tmp_path):
    with pytest.raises(ImportFailed, match="không tìm thấy tệp"):
        load_overrides(tmp_path / "none.yaml")


def test_the_data_migration_loads_and_unloads_the_shipped_file(db):
    migration = importlib.import_module("cchc.workdays.migrations.0002_load_vn_overrides")
    CalendarOverride.objects.all().delete()
    migration.load(django_apps, None)
    assert CalendarOverride.objects.count() == 51
    assert CalendarOverride.objects.get(date=date(2024, 4, 29)).source_document.startswith(
        "Công văn 2450/VPCP-KGVX"
    )
    migration.unload(django_apps, None)
    assert CalendarOverride.objects.count() == 0


def test_the_default_file_is_the_shipped_one():
    assert DEFAULT_OVERRIDES_FILE.name == "vn-overrides.yaml"
    assert DEFAULT_OVERRIDES_FILE.is_file()
