import csv
import io
import json

from django.core.management.base import BaseCommand, CommandError

from cchc.surveys.importers import find_campaign
from cchc.surveys.results import compute_results

COLUMNS = ["group", "forms", "valid_answers", "satisfied_share", "index", "ci_low", "ci_high"]


class Command(BaseCommand):
    help = (
        "Survey results of a questionnaire and period: "
        "group,forms,valid_answers,satisfied_share,index,ci_low,ci_high (percent, 2 decimals). "
        "--by level groups by unit type (province, department, district, commune)."
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
        rows = [r.as_dict() for r in compute_results(campaign, by=opts["by"])]
        fmt, output = opts["format"], opts["output"]
        if fmt == "xlsx":
            if not output:
                raise CommandError("--output is required for xlsx")
            from openpyxl import Workbook
            from openpyxl.styles import Font

            wb = Workbook()
            ws = wb.active
            ws.title = "ket_qua"
            ws.append(COLUMNS)
            for cell in ws[1]:
                cell.font = Font(bold=True)
            for row in rows:
                ws.append(
                    [row["group"], int(row["forms"]), int(row["valid_answers"])]
                    + [float(row[c]) if row[c] else None for c in COLUMNS[3:]]
                )
            ws.column_dimensions["A"].width = 45
            wb.save(output)
            return
        if fmt == "json":
            text = json.dumps(rows, ensure_ascii=False, indent=2) + "\n"
        else:
            buffer = io.StringIO()
            writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
            text = buffer.getvalue()
        if output:
            with open(output, "w", encoding="utf-8", newline="") as fh:
                fh.write(text)
        else:
            self.stdout.write(text, ending="")
