from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProceduresConfig(AppConfig):
    """Administrative procedures (thủ tục hành chính), their dossiers (hồ sơ) and the KPIs."""

    name = "cchc.procedures"
    label = "procedures"
    verbose_name = _("Thủ tục hành chính và hồ sơ")

    def ready(self):
        from cchc.indicators.services import register_refresher

        def refresh(year: int) -> int:
            from cchc.procedures.indicator_values import write_year_indicators

            return write_year_indicators(year)

        register_refresher("dossiers", refresh)
