from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveysConfig(AppConfig):
    """Questionnaires, campaigns and responses: SIPAS, the PAR sociological survey, PAPI."""

    name = "cchc.surveys"
    label = "surveys"
    verbose_name = _("Khảo sát sự hài lòng")

    def ready(self):
        from cchc.indicators.services import register_refresher

        def refresh(year: int) -> int:
            from cchc.surveys.indicators import refresh_indicators
            from cchc.surveys.models import Campaign

            written = 0
            for campaign in Campaign.objects.filter(period=year).select_related("questionnaire"):
                stats = refresh_indicators(campaign)
                written += stats["created"] + stats["updated"]
            return written

        register_refresher("surveys", refresh)
