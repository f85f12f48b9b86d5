from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from cchc.orgs.access import SharedObjectAdmin
from cchc.workdays.models import CalendarOverride, CalendarSettings

WEEKDAYS = [_("Thứ Hai"), _("Thứ Ba"), _("Thứ Tư"), _("Thứ Năm"), _("Thứ Sáu"), _("Thứ Bảy"), _("Chủ nhật")]


@admin.register(CalendarOverride)
class CalendarOverrideAdmin(SharedObjectAdmin, admin.ModelAdmin):
    """The overrides count for every province: only a secretariat covering all of them (or a
    superuser) changes them; others see them read-only."""

    list_display = ["date", "weekday", "kind", "name", "source_document"]
    list_filter = ["year", "kind"]
    search_fields = ["name", "source_document"]
    date_hierarchy = "date"
    readonly_fields = ["year", "updated_at"]

    @admin.display(description=_("thứ"))
    def weekday(self, obj: CalendarOverride) -> str:
        return str(WEEKDAYS[obj.date.weekday()])


@admin.register(CalendarSettings)
class CalendarSettingsAdmin(SharedObjectAdmin, admin.ModelAdmin):
    list_display = ["__str__", "afternoon_cutoff", "clock_starts_next_day", "work_start", "work_end"]
    list_filter = ["clock_starts_next_day"]
    search_fields = ["province__code", "province__name"]
    autocomplete_fields = ["province"]
    readonly_fields = ["updated_at"]

    def shared_units(self, request, obj=None):
        # One province's settings: its secretariat; the default row (no province): everyone's.
        if obj is not None and obj.province_id:
            return [obj.province]
        return None

    def save_model(self, request, obj, form, change):
        from django.core.exceptions import PermissionDenied

        # The province chosen in the form must be one the user may change too.
        if not self.may_change_shared(request, obj):
            raise PermissionDenied
        super().save_model(request, obj, form, change)
