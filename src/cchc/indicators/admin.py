from django.contrib import admin

from cchc.indicators.models import EntrySheet, EntryValue, Indicator, IndicatorValue, Target


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "name",
        "unit_of_measure",
        "source",
        "aggregation",
        "periodicity",
        "higher_is_better",
    ]
    list_filter = ["source", "periodicity"]
    filter_horizontal = ["entry_unit_types"]
    search_fields = ["code", "name"]


@admin.register(IndicatorValue)
class IndicatorValueAdmin(admin.ModelAdmin):
    list_display = ["indicator", "unit", "period_kind", "period_start", "value", "numerator", "denominator"]
    list_filter = ["period_kind", "indicator"]
    search_fields = ["unit__code", "unit__name", "indicator__code"]
    autocomplete_fields = ["unit", "indicator"]


@admin.register(Target)
class TargetAdmin(admin.ModelAdmin):
    list_display = ["indicator", "unit", "year", "value", "source_document"]
    autocomplete_fields = ["unit", "indicator"]


class EntryValueInline(admin.TabularInline):
    model = EntryValue
    extra = 0
    readonly_fields = ["indicator", "value", "numerator", "denominator", "comment", "evidence"]
    can_delete = False


@admin.register(EntrySheet)
class EntrySheetAdmin(admin.ModelAdmin):
    """Read-only here: sheets change only through the entry pages (approval, audit)."""

    list_display = ["unit", "period_kind", "period_start", "status", "submitted_at", "decided_at"]
    list_filter = ["status", "period_kind"]
    search_fields = ["unit__code", "unit__name"]
    inlines = [EntryValueInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
