from cchc.core.commands import BaseCommand
from cchc.procedures.catalogue import import_procedures


class Command(BaseCommand):
    help = (
        "Import the procedure catalogue (CSV/XLSX): "
        "code,name,field,level,processing_days,online_mode,fee,paper_result"
    )

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, **opts):
        stats = import_procedures(opts["file"])
        self.stdout.write(
            f"{stats['rows']} rows: {stats['created']} created, {stats['updated']} updated, "
            f"{stats['unchanged']} unchanged"
        )
