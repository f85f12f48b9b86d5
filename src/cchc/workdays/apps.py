from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkdaysConfig(AppConfig):
    """The working-day calendar (lịch ngày làm việc): weekends, statutory and lunar holidays,
    compensatory days off and the yearly swapped days, as data an admin can edit."""

    name = "cchc.workdays"
    label = "workdays"
    verbose_name = _("Lịch ngày làm việc")
