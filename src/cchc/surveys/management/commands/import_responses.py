from cchc.core.commands import BaseCommand
from cchc.surveys.importers import import_responses


class Command(BaseCommand):
    help = (
        "Import paper survey forms (CSV or XLSX): form_no,unit_code,submitted_at, then one column per "
        "question code; the campaign of the questionnaire and period is created when missing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--questionnaire", required=True, help="questionnaire code")
        parser.add_argument("--period", required=True, type=int, help="campaign period (year)")

    def handle(self, *args, **opts):
        stats = import_responses(opts["file"], opts["questionnaire"], opts["period"])
        self.stdout.write(
            f"{stats['rows']} forms: {stats['created']} created, {stats['changed']} changed, "
            f"{stats['unchanged']} unchanged" + (" (campaign created)" if stats["campaign_created"] else "")
        )
