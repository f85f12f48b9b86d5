from django.contrib import admin

from cchc.orgs.models import OrgUnit, RoleAssignment, UnitType


@admin.register(UnitType)
class UnitTypeAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level"]


@admin.register(OrgUnit)
class OrgUnitAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "unit_type", "parent", "valid_from", "valid_to", "successor"]
    list_filter = ["unit_type"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["parent", "successor"]
    list_select_related = ["unit_type", "parent", "successor"]


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "unit"]
    list_filter = ["role"]
    search_fields = ["user__username", "unit__code", "unit__name"]
    autocomplete_fields = ["unit", "user"]
