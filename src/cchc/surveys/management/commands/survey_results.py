import json

from django.core.management.base import CommandError

from cchc.core.commands import BaseCommand
from cchc.core.tables import Sheet, csv_text, write_xlsx
from cchc.surveys.importers import find_campaign
from cchc.surveys.results import compute_results

COLUMNS = ["group", "forms", "valid_answers", "satisfied_share", "index", "ci_low", "ci_high"]


class Command(BaseCommand):
    help = (
        "Survey results of a questionnaire and period: "
        "group,forms,valid_answers,satisfied_share,index,ci_low,ci_high (percent, 2 decimals). "
        "--by level groups by unit type (province, department, district, commune); "
        "--by unit adds the column unit_code."
    )

    def add_arguments(self, parser):
        parser.add_argument("--questionnaire", required=True)
        parser.add_argument("--period", required=True, type=int)
        parser.add_argument("--by", choices=["unit", "level", "aspect", "question"], default="unit")
        parser.add_argument("--format", choices=["csv", "json", "xlsx"], default="csv")
        parser.add_argument("--output", help="file to write (default: standard output)")

    def handle(self, *args, **opts):
        campaign = find_campaign(opts["questionnaire"], opts["period"])
        if campaign is None:
            raise CommandError(f"no campaign of {opts['questionnaire']!r} in {opts['period']}")
        results = compute_results(campaign, by=opts["by"])
        columns = COLUMNS + (["unit_code"] if opts["by"] == "unit" else [])
        rows = [r.as_dict() | ({"unit_code": r.group_key} if opts["by"] == "unit" else {}) for r in results]
        fmt, output = opts["format"], opts["output"]
        if fmt == "xlsx":
            if not output:
                raise CommandError("--output is required for xlsx")

            def typed(row):
                return (
                    [row["group"], int(row["forms"]), int(row["valid_answers"])]
                    + [float(row[c]) if row[c] else None for c in COLUMNS[3:]]
                    + [row[c] for c in columns[len(COLUMNS) :]]
                )

            write_xlsx([Sheet("ket_qua", columns, [typed(r) for r in rows], widths=[45])], output)
            return
        if fmt == "json":
            text = json.dumps(rows, ensure_ascii=False, indent=2) + "\n"
        else:
            text = csv_text(columns, rows)
        if output:
            with open(output, "w", encoding="utf-8", newline="") as fh:
                fh.write(text)
        else:
            self.stdout.write(text, ending="")
