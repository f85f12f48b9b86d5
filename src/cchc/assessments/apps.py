from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentsConfig(AppConfig):
    name = "cchc.assessments"
    label = "assessments"
    verbose_name = _("Đánh giá, chấm điểm")

    def ready(self) -> None:
        from cchc.assessments import signals  # noqa: F401  (connects the receivers)
