from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlansConfig(AppConfig):
    name = "cchc.plans"
    label = "plans"
    verbose_name = _("Kế hoạch, cam kết, kiểm tra và khen thưởng CCHC")
    default_auto_field = "django.db.models.BigAutoField"
