from django.core.management.base import CommandError

from cchc.core.commands import BaseCommand
from cchc.surveys.importers import write_template
from cchc.surveys.services import latest_questionnaire


class Command(BaseCommand):
    help = "Write the paper-form template of a questionnaire (CSV header, or XLSX with a guide sheet)."

    def add_arguments(self, parser):
        parser.add_argument("--questionnaire", required=True)
        parser.add_argument("--format", choices=["csv", "xlsx"], help="default: from --output, else csv")
        parser.add_argument("--output", help="file to write (default: standard output for CSV)")

    def handle(self, *args, **opts):
        questionnaire = latest_questionnaire(opts["questionnaire"])
        if questionnaire is None:
            raise CommandError(f"unknown questionnaire {opts['questionnaire']!r}")
        fmt = opts["format"] or ("xlsx" if (opts["output"] or "").lower().endswith(".xlsx") else "csv")
        if fmt == "xlsx" and not opts["output"]:
            raise CommandError("--output is required for xlsx")
        write_template(questionnaire, fmt, opts["output"] or self.stdout)
