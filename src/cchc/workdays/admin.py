from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from cchc.workdays.models import CalendarOverride, CalendarSettings

WEEKDAYS = [_("Thứ Hai"), _("Thứ Ba"), _("Thứ Tư"), _("Thứ Năm"), _("Thứ Sáu"), _("Thứ Bảy"), _("Chủ nhật")]


@admin.register(CalendarOverride)
class CalendarOverrideAdmin(admin.ModelAdmin):
    list_display = ["date", "weekday", "kind", "name", "source_document"]
    list_filter = ["year", "kind"]
    search_fields = ["name", "source_document"]
    date_hierarchy = "date"
    readonly_fields = ["year", "updated_at"]

    @admin.display(description=_("thứ"))
    def weekday(self, obj: CalendarOverride) -> str:
        return str(WEEKDAYS[obj.date.weekday()])


@admin.register(CalendarSettings)
class CalendarSettingsAdmin(admin.ModelAdmin):
    list_display = ["__str__", "afternoon_cutoff", "clock_starts_next_day", "work_start", "work_end"]
    list_filter = ["clock_starts_next_day"]
    search_fields = ["province__code", "province__name"]
    autocomplete_fields = ["province"]
    readonly_fields = ["updated_at"]
