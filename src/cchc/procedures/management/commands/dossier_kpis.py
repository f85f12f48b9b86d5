import datetime as dt
import json
import sys

from django.core.management.base import CommandError

from cchc.core.commands import BaseCommand
from cchc.core.tables import Sheet, write_csv, write_xlsx
from cchc.orgs.models import OrgUnit
from cchc.procedures.kpis import CLI_COLUMNS, cli_cell, compute_kpis


def _date(raw: str) -> dt.date:
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise CommandError(f"not a date (YYYY-MM-DD): {raw!r}") from None


class Command(BaseCommand):
    help = "Dossier KPIs for a window: " + ",".join(CLI_COLUMNS)

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="date_from", required=True, help="YYYY-MM-DD")
        parser.add_argument("--to", dest="date_to", required=True, help="YYYY-MM-DD")
        parser.add_argument("--by", required=True, choices=["unit", "level", "field", "procedure", "month"])
        parser.add_argument("--format", choices=["csv", "json", "xlsx"], default="csv")
        parser.add_argument("--output", help="file to write (default: standard output)")
        parser.add_argument("--unit", help="restrict to the subtree of this unit code")

    def handle(self, *args, **opts):
        date_from, date_to = _date(opts["date_from"]), _date(opts["date_to"])
        if date_to < date_from:
            raise CommandError("--to is before --from")
        units = None
        if opts["unit"]:
            root = OrgUnit.objects.filter(code=opts["unit"]).first()
            if root is None:
                raise CommandError(f"unknown unit {opts['unit']!r}")
            units = OrgUnit.objects.subtree_of(root)
        rows = compute_kpis(date_from, date_to, opts["by"], units=units)
        table = [[cli_cell(r, c) for c in CLI_COLUMNS] for r in rows]
        fmt, output = opts["format"], opts["output"]
        if fmt == "xlsx":
            if not output:
                raise CommandError("--output is required for xlsx")
            cells = (
                [
                    float(v) if isinstance(v, str) and v and c.endswith("_rate") else (v if v != "" else None)
                    for c, v in zip(CLI_COLUMNS, values, strict=True)
                ]
                for values in table
            )
            write_xlsx([Sheet("kpis", CLI_COLUMNS, cells, bold_header=False)], output, write_only=True)
            return
        if fmt == "csv":
            # The one table writer: a name a spreadsheet would run as a formula is guarded.
            write_csv(CLI_COLUMNS, table, output or _Writer(self.stdout))
            return
        doc = [
            {c: (None if v == "" else v) for c, v in zip(CLI_COLUMNS, values, strict=True)}
            for values in table
        ]
        if output:
            with open(output, "w", encoding="utf-8", newline="") as stream:
                stream.write(json.dumps(doc, ensure_ascii=False, indent=1) + "\n")
        else:
            self.stdout.write(json.dumps(doc, ensure_ascii=False, indent=1))


class _Writer:
    """csv needs write(); OutputWrapper adds newlines, so write raw."""

    def __init__(self, wrapper):
        self.out = getattr(wrapper, "_out", sys.stdout)

    def write(self, text: str) -> None:
        self.out.write(text)
