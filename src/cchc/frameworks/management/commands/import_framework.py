from django.core.management.base import CommandError

from cchc.core.commands import BaseCommand
from cchc.core.importing import error_summary
from cchc.frameworks.io import FrameworkFormatError
from cchc.frameworks.services import import_framework


class Command(BaseCommand):
    help = "Import a framework (bộ chỉ số) from YAML or XLSX; nothing changes when the file has errors."

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, **opts):
        try:
            framework, created = import_framework(opts["file"], user=None)
        except FrameworkFormatError as exc:
            raise CommandError(
                error_summary(opts["file"], exc.problems) + "\n" + "\n".join(exc.problems)
            ) from None
        leaves = framework.nodes.filter(children__isnull=True).count()
        self.stdout.write(
            f"{'Created' if created else 'Updated'} {framework.code}: {framework.nodes.count()} nodes, {leaves} leaves"
        )
