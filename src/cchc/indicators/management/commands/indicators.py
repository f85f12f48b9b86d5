from django.core.management.base import CommandError

from cchc.core.commands import BaseCommand
from cchc.indicators.services import refresh_year, sync_catalogue


class Command(BaseCommand):
    help = (
        "Indicators: `refresh --year YEAR` recomputes every computed indicator; `sync` reloads the catalogue"
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        refresh = sub.add_parser("refresh", help="recompute the dossier and survey indicators of a year")
        refresh.add_argument("--year", type=int, required=True)
        sub.add_parser("sync", help="load data/indicators.yaml into the catalogue")

    def handle(self, *args, **opts):
        if opts["action"] == "sync":
            self.stdout.write(f"{sync_catalogue()} indicators in the catalogue")
            return
        year = opts["year"]
        if not 1900 <= year <= 2200:
            raise CommandError(f"not a year: {year}")
        for name, written in refresh_year(year).items():
            self.stdout.write(f"{name}: {written} values written for {year}")
