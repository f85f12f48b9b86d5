"""``cchc workdays``: the working-day calendar from the command line (a contract).

cchc workdays count --from DATE --to DATE [--province CODE]     working days in [from, to]
cchc workdays add --start DATETIME --days N [--province CODE]   the due date, YYYY-MM-DD
cchc workdays add --start DATETIME --hours H [--province CODE]  the due moment, YYYY-MM-DDTHH:MM
cchc workdays load-overrides [FILE]                             announced days (idempotent)
cchc workdays show --year YEAR [--province CODE]                the year's days off and days worked
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.core.management.base import CommandError, CommandParser

from cchc.core.commands import BaseCommand
from cchc.workdays.calendar import local
from cchc.workdays.services import DEFAULT_OVERRIDES_FILE, get_calendar, load_overrides


def _date(raw: str) -> date:
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise CommandError(f"not a date YYYY-MM-DD: {raw!r}") from None


def _moment(raw: str) -> date | datetime:
    """``YYYY-MM-DD`` (a day, no cut-off) or ISO 8601 ``YYYY-MM-DDTHH:MM[:SS][+07:00]``
    (naive = Vietnam time)."""
    text = raw.strip()
    if len(text) == 10:
        return _date(text)
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise CommandError(f"not a date or date-time (ISO 8601, e.g. 2024-04-26T16:30): {raw!r}") from None


class Command(BaseCommand):
    requires_system_checks: list[str] = []
    help = "The working-day calendar: count working days, compute due dates, load announced days."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(
            dest="subcommand", required=True, metavar="{count,add,load-overrides,show}"
        )

        count = sub.add_parser("count", help="working days in the closed interval [--from, --to]")
        count.add_argument("--from", dest="date_from", required=True, metavar="DATE")
        count.add_argument("--to", dest="date_to", required=True, metavar="DATE")
        count.add_argument("--province", metavar="CODE", help="a unit code: its province's settings")

        add = sub.add_parser("add", help="the due date of a time limit received at --start")
        add.add_argument("--start", required=True, metavar="DATETIME")
        limit = add.add_mutually_exclusive_group(required=True)
        limit.add_argument("--days", metavar="N", help="working days (whole number)")
        limit.add_argument("--hours", metavar="H", help="working hours")
        add.add_argument("--province", metavar="CODE", help="a unit code: its province's settings")

        load = sub.add_parser("load-overrides", help="load announced days off / working days (YAML)")
        load.add_argument("file", nargs="?", default=str(DEFAULT_OVERRIDES_FILE), metavar="FILE")

        show = sub.add_parser("show", help="a year's weekdays off and weekend days worked")
        show.add_argument("--year", required=True, type=int)
        show.add_argument("--province", metavar="CODE", help="a unit code: its province's settings")

    def handle(self, *args, **opts):
        return getattr(self, "handle_" + opts["subcommand"].replace("-", "_"))(opts)

    def _calendar(self, opts):
        try:
            return get_calendar(opts.get("province"))
        except LookupError as exc:
            raise CommandError(str(exc.args[0])) from None

    def handle_count(self, opts) -> None:
        start, end = _date(opts["date_from"]), _date(opts["date_to"])
        if end < start:
            raise CommandError(f"--to {end} is before --from {start}")
        self.stdout.write(str(self._calendar(opts).count_working_days(start, end)))

    def handle_add(self, opts) -> None:
        start = _moment(opts["start"])
        calendar = self._calendar(opts)
        if opts["days"] is not None:
            raw = opts["days"].strip()
            if not raw.isdigit():
                raise CommandError(f"--days must be a whole number of working days ≥ 0: {opts['days']!r}")
            self.stdout.write(calendar.add_working_days(start, int(raw)).isoformat())
            return
        try:
            hours = Decimal(opts["hours"].replace(",", "."))
        except InvalidOperation:
            raise CommandError(f"--hours must be a number: {opts['hours']!r}") from None
        if not hours.is_finite() or hours < 0:
            raise CommandError(f"--hours must be a number ≥ 0: {opts['hours']!r}")
        if not isinstance(start, datetime):
            start = datetime.combine(start, calendar.work_start)
        due = calendar.due_at(start, hours=hours)
        self.stdout.write(local(due).strftime("%Y-%m-%dT%H:%M"))

    def handle_load_overrides(self, opts) -> None:
        result = load_overrides(opts["file"])
        self.stdout.write(f"{result.created} created, {result.updated} updated, {result.unchanged} unchanged")

    def handle_show(self, opts) -> None:
        year = opts["year"]
        if not 1995 <= year <= 2200:
            raise CommandError(f"--year out of range: {year}")
        calendar = self._calendar(opts)
        day, last = date(year, 1, 1), date(year, 12, 31)
        while day <= last:
            working = calendar.is_working_day(day)
            if working == (day.weekday() >= 5):
                state = "working_day" if working else "day_off"
                self.stdout.write(f"{day.isoformat()}\t{state}\t{calendar.reason(day)}")
            day += timedelta(days=1)
        self.stdout.write(f"{calendar.count_working_days(date(year, 1, 1), last)} working days")
