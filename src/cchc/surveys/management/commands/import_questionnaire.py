from django.core.management.base import CommandError

from cchc.core.commands import BaseCommand
from cchc.core.importing import error_summary
from cchc.surveys.io import QuestionnaireFormatError, import_file

OUTCOMES = {
    "created": "Created",
    "updated": "Updated (no answers yet)",
    "unchanged": "Unchanged",
    "new_version": "In use: created a new version",
}


class Command(BaseCommand):
    help = (
        "Import a questionnaire from YAML or XLSX; nothing changes when the file has errors, and a "
        "questionnaire with answers is never edited (a changed file creates version + 1)."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, **opts):
        try:
            questionnaire, outcome = import_file(opts["file"])
        except QuestionnaireFormatError as exc:
            raise CommandError(
                error_summary(opts["file"], exc.problems) + "\n" + "\n".join(exc.problems)
            ) from None
        self.stdout.write(
            f"{OUTCOMES[outcome]} {questionnaire.code} v{questionnaire.version}: "
            f"{questionnaire.questions.count()} questions"
        )
