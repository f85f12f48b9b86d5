from django.core.management.base import CommandError

from cchc.assessments.importers import import_scores_csv
from cchc.core.commands import BaseCommand


class Command(BaseCommand):
    help = "Import self and appraised scores: unit_code,criterion_code,self_score,appraised_score"

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--framework", required=True, help="framework code")
        parser.add_argument("--year", required=True, type=int)
        parser.add_argument("--reason", default="", help="recorded on every score change")

    def handle(self, *args, **opts):
        try:
            stats = import_scores_csv(opts["file"], opts["framework"], opts["year"], opts["reason"])
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            f"{stats['rows']} rows: {stats['scores_changed']} scores changed, "
            f"{stats['assessments_created']} assessments created"
        )
