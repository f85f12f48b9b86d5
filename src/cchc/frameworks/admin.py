from django.contrib import admin

from cchc.frameworks.models import Band, Framework, FrameworkChange, Node
from cchc.frameworks.services import framework_units
from cchc.orgs.access import SharedObjectAdmin


class _FrameworkShared(SharedObjectAdmin):
    """A framework is changed only by a secretariat covering every unit it applies to; a new
    one (no object yet) by a province-wide secretariat."""

    def _framework(self, obj):
        return obj if isinstance(obj, Framework) else getattr(obj, "framework", None)

    def shared_units(self, request, obj=None):
        framework = self._framework(obj)
        return framework_units(framework) if framework is not None else None


class BandInline(_FrameworkShared, admin.TabularInline):
    model = Band
    extra = 0

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.scored:
            return ["code", "min_index", "min_field_ratio"]
        return []


class FrameworkChangeInline(admin.TabularInline):
    """The audit of a framework's changes (read-only)."""

    model = FrameworkChange
    extra = 0
    can_delete = False
    fields = ("at", "by", "target", "field", "old", "new")
    readonly_fields = ("at", "by", "target", "field", "old", "new")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Framework)
class FrameworkAdmin(_FrameworkShared, admin.ModelAdmin):
    list_display = ["code", "name", "year", "status", "scored"]
    list_filter = ["year", "status"]
    search_fields = ["code", "name"]
    readonly_fields = ["scored"]
    inlines = [BandInline, FrameworkChangeInline]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.scored:
            return ["scored", "code", "year", "unit_types"]
        return ["scored"]


@admin.register(Node)
class NodeAdmin(_FrameworkShared, admin.ModelAdmin):
    list_display = ["code", "name", "framework", "max_points", "evidence_required"]
    list_filter = ["framework"]
    search_fields = ["code", "name"]
    raw_id_fields = ["parent", "responsible_unit"]

    def get_readonly_fields(self, request, obj=None):
        # A scored framework's rules, maxima and evidence flags are frozen here too; the texts
        # are best edited on the framework page, which audits each change.
        if obj is not None and obj.framework.scored:
            return ["framework", "parent", "code", "max_points", "evidence_required", "rule", "order"]
        return []

    def save_model(self, request, obj, form, change):
        from cchc.frameworks.services import audit_admin_change

        if change:
            audit_admin_change(obj, request.user)
        super().save_model(request, obj, form, change)


@admin.register(FrameworkChange)
class FrameworkChangeAdmin(admin.ModelAdmin):
    list_display = ["at", "framework", "target", "field", "old", "new", "by"]
    list_filter = ["framework"]
    search_fields = ["target", "field", "old", "new"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
