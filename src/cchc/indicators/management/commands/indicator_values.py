import datetime as dt
import json

from django.core.management.base import CommandError
from django.db.models import Q
from django.utils import timezone

from cchc.core.commands import BaseCommand
from cchc.core.tables import Sheet, write_csv, write_xlsx
from cchc.indicators.models import Indicator
from cchc.indicators.periods import Period
from cchc.indicators.services import rolled_values, target_status
from cchc.orgs.models import OrgUnit

COLUMNS = ["unit_code", "unit_name", "period", "value", "numerator", "denominator", "target", "status"]


def _num(value) -> str:
    if value is None:
        return ""
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


class Command(BaseCommand):
    help = "Indicator values of a year, rolled up the unit tree, against their targets: " + ",".join(COLUMNS)

    def add_arguments(self, parser):
        parser.add_argument("--indicator", required=True)
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument(
            "--unit", help="the unit (default: every top-level unit); --by unit adds its children"
        )
        parser.add_argument("--by", choices=["unit", "month"], default="unit")
        parser.add_argument("--format", choices=["csv", "json", "xlsx"], default="csv")
        parser.add_argument("--output", help="file to write (default: standard output; required for xlsx)")
        parser.add_argument("--today", help="YYYY-MM-DD: the day the status is judged on (default: today)")

    def handle(self, *args, **opts):
        indicator = Indicator.objects.filter(code=opts["indicator"]).first()
        if indicator is None:
            raise CommandError(f"unknown indicator {opts['indicator']!r}")
        year = opts["year"]
        today = timezone.localdate()
        if opts["today"]:
            try:
                today = dt.date.fromisoformat(opts["today"])
            except ValueError:
                raise CommandError(f"not a date (YYYY-MM-DD): {opts['today']!r}") from None
        if opts["unit"]:
            unit = OrgUnit.objects.filter(code=opts["unit"]).first()
            if unit is None:
                raise CommandError(f"unknown unit {opts['unit']!r}")
            roots = [unit]
        else:
            roots = list(OrgUnit.objects.filter(parent__isnull=True))
        year_period = Period.year(year)
        rows = []
        if opts["by"] == "month":
            for unit in roots:
                for month in year_period.months():
                    rolled = rolled_values(indicator, [unit], month)[unit.pk]
                    rows.append((unit, month, rolled))
        else:
            units = []
            for root in roots:
                units.append(root)
                if opts["unit"]:
                    children = OrgUnit.objects.filter(parent=root).order_by("code")
                    # the children that existed during the year (a merged district ends mid-year)
                    units.extend(
                        children.filter(
                            Q(valid_from__isnull=True) | Q(valid_from__lte=year_period.end)
                        ).filter(Q(valid_to__isnull=True) | Q(valid_to__gte=year_period.start))
                    )
            rolled = rolled_values(indicator, units, year_period)
            rows = [(u, year_period, rolled[u.pk]) for u in units]
        table = []
        for unit, period, rolled in rows:
            status = target_status(indicator, unit, period, today, rolled=rolled)
            table.append(
                [
                    unit.code,
                    unit.name,
                    str(period),
                    _num(rolled.value),
                    _num(rolled.numerator),
                    _num(rolled.denominator),
                    _num(status.target),
                    status.status,
                ]
            )
        self._write(table, opts["format"], opts["output"])

    def _write(self, table, fmt, output):
        if fmt == "xlsx":
            if not output:
                raise CommandError("--output is required for xlsx")
            rows = (
                [float(v) if i in (3, 4, 5, 6) and v != "" else (v or None) for i, v in enumerate(values)]
                for values in table
            )
            write_xlsx([Sheet("values", COLUMNS, rows, bold_header=False)], output, write_only=True)
            return
        stream = open(output, "w", encoding="utf-8", newline="") if output else self.stdout._out  # noqa: SIM115
        try:
            if fmt == "json":
                doc = [
                    dict(zip(COLUMNS, (v if v != "" else None for v in values), strict=True))
                    for values in table
                ]
                stream.write(json.dumps(doc, ensure_ascii=False, indent=1) + "\n")
            else:
                write_csv(COLUMNS, table, stream)
        finally:
            if output:
                stream.close()
