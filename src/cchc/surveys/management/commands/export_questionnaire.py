from django.core.management.base import CommandError

from cchc.core.commands import BaseCommand
from cchc.surveys.io import dump_yaml, export_document, write_xlsx
from cchc.surveys.models import Questionnaire


class Command(BaseCommand):
    help = "Export a questionnaire (latest version, or --qversion N) as YAML (default) or XLSX."

    def add_arguments(self, parser):
        parser.add_argument("code")
        parser.add_argument("--qversion", dest="qversion", type=int, help="version (default: the latest)")
        parser.add_argument("--format", choices=["yaml", "xlsx"], default="yaml")
        parser.add_argument("--output", help="file to write (default: standard output for YAML)")

    def handle(self, *args, **opts):
        qs = Questionnaire.objects.filter(code=opts["code"]).order_by("-version")
        if opts["qversion"]:
            qs = qs.filter(version=opts["qversion"])
        questionnaire = qs.first()
        if questionnaire is None:
            raise CommandError(f"unknown questionnaire {opts['code']!r}")
        if opts["format"] == "xlsx":
            if not opts["output"]:
                raise CommandError("--output is required for xlsx")
            write_xlsx(questionnaire, opts["output"])
            return
        text = dump_yaml(export_document(questionnaire))
        if opts["output"]:
            with open(opts["output"], "w", encoding="utf-8") as fh:
                fh.write(text)
        else:
            self.stdout.write(text, ending="")
