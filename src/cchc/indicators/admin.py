from django.contrib import admin

from cchc.indicators.models import Indicator, IndicatorValue, Target


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "unit_of_measure", "source", "higher_is_better"]
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
