"""``cchc workdays`` (a contract): count, add, load-overrides, show — through call_command,
and once through the installed ``cchc`` console script."""

import os
import subprocess
import sys
from datetime import time
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from cchc.workdays.models import CalendarOverride, CalendarSettings

pytestmark = pytest.mark.django_db
CCHC = Path(sys.executable).with_name("cchc")


def run(*args: str) -> str:
    out = StringIO()
    call_command("workdays", *args, stdout=out)
    return out.getvalue()


def test_count_prints_the_working_days_of_the_closed_interval(overrides):
    assert run("count", "--from", "2024-04-26", "--to", "2024-05-06") == "5\n"
    assert run("count", "--from", "2026-01-01", "--to", "2026-12-31") == "249\n"
    assert run("count", "--from", "2024-05-05", "--to", "2024-05-05") == "0\n"


def test_add_prints_the_due_date(overrides):
    assert run("add", "--start", "2024-04-26T10:00", "--days", "3") == "2024-05-04\n"
    assert run("add", "--start", "2024-04-26", "--days", "3") == "2024-05-04\n"
    assert run("add", "--start", "2025-12-31 09:00:00+07:00", "--days", "2") == "2026-01-06\n"
    assert run("add", "--start", "2024-04-26T10:00", "--days", "0") == "2024-04-26\n"


def test_add_reads_utc_offsets_as_moments(overrides):
    CalendarSettings.objects.create(afternoon_cutoff=time(16, 0))
    # 09:30Z is 16:30 in Vietnam: after the cut-off, received Tue 7/5, day 1 Wed 8/5.
    assert run("add", "--start", "2024-05-06T09:30:00Z", "--days", "1") == "2024-05-08\n"
    assert run("add", "--start", "2024-05-06T08:30:00Z", "--days", "1") == "2024-05-07\n"


def test_add_with_hours_prints_the_due_moment(overrides):
    assert run("add", "--start", "2024-04-26T16:00", "--hours", "4") == "2024-05-02T10:30\n"
    assert run("add", "--start", "2024-05-06", "--hours", "1,5") == "2024-05-06T09:00\n"


def test_province_settings_through_the_cli(province, overrides):
    CalendarSettings.objects.create(province=province.P, afternoon_cutoff=time(16, 0))
    args = ["add", "--start", "2025-04-25T16:30", "--days", "1"]
    assert run(*args) == "2025-04-26\n"
    assert run(*args, "--province", "A1") == "2025-04-28\n"
    assert run("count", "--from", "2025-04-25", "--to", "2025-04-28", "--province", "P") == "3\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["count", "--from", "2024-13-01", "--to", "2024-12-31"], "not a date YYYY-MM-DD: '2024-13-01'"),
        (["count", "--from", "2024-05-06", "--to", "2024-05-01"], "is before --from"),
        (["add", "--start", "hôm qua", "--days", "1"], "not a date or date-time"),
        (["add", "--start", "2024-05-06", "--days", "-1"], "whole number of working days"),
        (["add", "--start", "2024-05-06", "--days", "1.5"], "whole number of working days"),
        (["add", "--start", "2024-05-06", "--hours", "abc"], "--hours must be a number"),
        (["add", "--start", "2024-05-06", "--hours", "-2"], "--hours must be a number ≥ 0"),
        (["add", "--start", "2024-05-06", "--days", "1", "--province", "NOPE"], "unknown unit code: NOPE"),
        (["show", "--year", "1066"], "--year out of range"),
    ],
)
def test_bad_input_is_a_clear_error(db, args, message):
    with pytest.raises(CommandError, match=message):
        run(*args)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["add", "--start", "2024-05-06"], "one of the arguments --days --hours is required"),
        (["add", "--start", "2024-05-06", "--days", "1", "--hours", "2"], "not allowed with argument --days"),
        (["count", "--from", "2024-05-06"], "the following arguments are required: --to"),
    ],
)
def test_missing_or_conflicting_options_are_refused(db, args, message):
    with pytest.raises(CommandError, match=message):
        run(*args)


def test_load_overrides_is_idempotent(db, tmp_path):
    CalendarOverride.objects.all().delete()
    assert run("load-overrides") == "51 created, 0 updated, 0 unchanged\n"
    assert run("load-overrides") == "0 created, 0 updated, 51 unchanged\n"
    own = tmp_path / "2027.yaml"
    own.write_text(
        "overrides:\n  - {date: 2027-02-05, kind: day_off, name: Nghỉ Tết, source_document: CV 1/VPCP}\n",
        encoding="utf-8",
    )
    assert run("load-overrides", str(own)) == "1 created, 0 updated, 0 unchanged\n"
    assert CalendarOverride.objects.count() == 52


def test_load_overrides_of_a_bad_file_changes_nothing(db, tmp_path):
    CalendarOverride.objects.all().delete()
    bad = tmp_path / "bad.yaml"
    bad.write_text("overrides:\n  - {date: 2027-02-05, kind: off, name: x}\n", encoding="utf-8")
    with pytest.raises(CommandError, match="line 2, column kind"):
        run("load-overrides", str(bad))
    assert CalendarOverride.objects.count() == 0


def test_show_lists_the_weekdays_off_and_the_saturdays_worked(overrides):
    out = run("show", "--year", "2026").splitlines()
    assert "2026-01-02\tday_off\tNgày nghỉ Tết Dương lịch (hoán đổi với thứ Bảy 10/01/2026)" in out
    assert "2026-08-22\tworking_day\tLàm bù cho thứ Hai 31/08/2026" in out
    assert "2026-11-24\tday_off\tNgày Văn hóa Việt Nam" in out
    assert out[-1] == "249 working days"


def test_the_console_script(tmp_path):
    """The installed ``cchc`` script, in a fresh process on its own SQLite database."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CCHC_", "PYTEST"))}
    env.update({"CCHC_VAR_DIR": str(tmp_path), "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite3'}"})
    env["DJANGO_SECRET_KEY"] = "test-key-for-a-fresh-process-" + "x" * 30  # DEBUG off: a key is required

    def cchc(*args):
        return subprocess.run([str(CCHC), *args], env=env, capture_output=True, text=True, timeout=120)

    migrated = cchc("migrate", "--skip-checks", "-v", "0")
    assert migrated.returncode == 0, migrated.stderr
    counted = cchc("workdays", "count", "--from", "2026-01-01", "--to", "2026-01-31")
    assert (counted.returncode, counted.stdout) == (0, "21\n"), counted.stderr
    added = cchc("workdays", "add", "--start", "2025-12-31T15:00", "--days", "2")
    assert (added.returncode, added.stdout) == (0, "2026-01-06\n"), added.stderr
    bad = cchc("workdays", "add", "--start", "2025-12-31", "--days", "two")
    assert bad.returncode != 0
    assert "--days must be a whole number" in bad.stderr
    assert bad.stdout == ""
