from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProceduresConfig(AppConfig):
    """Administrative procedures (thủ tục hành chính), their dossiers (hồ sơ) and the KPIs."""

    name = "cchc.procedures"
    label = "procedures"
    verbose_name = _("Thủ tục hành chính và hồ sơ")
