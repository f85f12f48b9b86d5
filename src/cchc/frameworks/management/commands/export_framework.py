import sys

from django.core.management.base import CommandError

from cchc.core.commands import BaseCommand
from cchc.frameworks.io import dump_yaml, export_document, write_xlsx
from cchc.frameworks.models import Framework


class Command(BaseCommand):
    help = "Export a framework as YAML (default) or XLSX."

    def add_arguments(self, parser):
        parser.add_argument("code")
        parser.add_argument("--format", choices=["yaml", "xlsx"], default="yaml")
        parser.add_argument("--output", help="file to write (default: standard output for YAML)")

    def handle(self, *args, **opts):
        framework = Framework.objects.filter(code=opts["code"]).first()
        if framework is None:
            raise CommandError(f"unknown framework {opts['code']!r}")
        if opts["format"] == "xlsx":
            if not opts["output"]:
                raise CommandError("--output is required for xlsx")
            write_xlsx(framework, opts["output"])
            return
        text = dump_yaml(export_document(framework))
        if opts["output"]:
            with open(opts["output"], "w", encoding="utf-8") as fh:
                fh.write(text)
        else:
            sys.stdout.write(text)
