from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


class WorkdaysConfig(AppConfig):
    """The working-day calendar (lịch ngày làm việc): weekends, statutory and lunar holidays,
    compensatory days off and the yearly swapped days, as data an admin can edit."""

    name = "cchc.workdays"
    label = "workdays"
    verbose_name = _("Lịch ngày làm việc")

    def ready(self) -> None:
        from cchc.workdays.models import CalendarOverride, CalendarSettings

        for model in (CalendarOverride, CalendarSettings):
            post_save.connect(_invalidate, sender=model, dispatch_uid=f"workdays-save-{model.__name__}")
            post_delete.connect(_invalidate, sender=model, dispatch_uid=f"workdays-delete-{model.__name__}")


def _invalidate(**kwargs) -> None:
    from cchc.workdays.services import clear_calendar_cache

    clear_calendar_cache()
