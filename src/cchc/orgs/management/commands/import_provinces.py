import time

from django.core.management.base import CommandError

from cchc.core.commands import BaseCommand
from cchc.orgs.importers import import_vietnam_provinces


class Command(BaseCommand):
    help = "Import the current 34 provinces and their communes from the vietnam-provinces package."

    def add_arguments(self, parser):
        group = parser.add_mutually_exclusive_group(required=True)
        group.add_argument("--province", help="one province: its code (01, P01) or part of its name")
        group.add_argument("--all", action="store_true", help="all 34 provinces")

    def handle(self, *args, **opts):
        started = time.perf_counter()
        try:
            stats = import_vietnam_provinces(None if opts["all"] else opts["province"])
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            f"{stats['provinces']} province(s), {stats['created']} units created in {time.perf_counter() - started:.1f} s"
        )
