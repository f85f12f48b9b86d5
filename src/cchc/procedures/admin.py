from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from cchc.orgs.access import SharedObjectAdmin
from cchc.procedures.models import Dossier, DossierDay, DossierMonth, ImportJob, Procedure, ProcedureUnit


class ProcedureUnitInline(admin.TabularInline):
    model = ProcedureUnit
    extra = 0
    autocomplete_fields = ["unit"]
    fields = ["unit", "linked_by_admin", "has_dossiers"]
    readonly_fields = ["has_dossiers"]

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        # A unit an admin adds here is linked by the admin.
        formset.form.base_fields["linked_by_admin"].initial = True
        return formset


@admin.register(Procedure)
class ProcedureAdmin(SharedObjectAdmin, admin.ModelAdmin):
    """The catalogue is shared by the province: read-only but for a secretariat covering it."""

    list_display = [
        "code",
        "name",
        "field",
        "level",
        "processing_days",
        "processing_hours",
        "online_mode",
        "fee",
    ]
    list_filter = ["level", "online_mode", "fee", "paper_result", "field"]
    search_fields = ["code", "name", "field"]
    inlines = [ProcedureUnitInline]


@admin.register(ProcedureUnit)
class ProcedureUnitAdmin(admin.ModelAdmin):
    list_display = ["procedure", "unit", "linked_by_admin", "has_dossiers"]
    list_filter = ["linked_by_admin", "has_dossiers"]
    search_fields = ["procedure__code", "procedure__name", "unit__code", "unit__name"]
    autocomplete_fields = ["procedure", "unit"]
    readonly_fields = ["has_dossiers"]


class ReadOnlyAdmin(admin.ModelAdmin):
    """Imported data changes only through the imports (so the rollups stay right)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Dossier)
class DossierAdmin(ReadOnlyAdmin):
    list_display = [
        "code",
        "unit",
        "procedure",
        "received_at",
        "due_at",
        "finished_at",
        "status",
        "channel",
        "outcome",
    ]
    list_filter = ["status", "channel", "outcome", "digitized", "paid_online", "apology_issued"]
    search_fields = ["code", "unit__code", "procedure__code"]
    date_hierarchy = "received_at"
    list_select_related = ["unit", "procedure"]
    show_full_result_count = False


@admin.register(DossierDay)
class DossierDayAdmin(ReadOnlyAdmin):
    list_display = ["day", "unit", "procedure", "received", "resolved", "resolved_late", "withdrawn"]
    list_select_related = ["unit", "procedure"]
    date_hierarchy = "day"
    show_full_result_count = False


@admin.register(DossierMonth)
class DossierMonthAdmin(ReadOnlyAdmin):
    list_display = ["month", "unit", "received", "resolved", "resolved_late", "withdrawn"]
    list_select_related = ["unit"]
    date_hierarchy = "month"
    show_full_result_count = False


@admin.register(ImportJob)
class ImportJobAdmin(ReadOnlyAdmin):
    list_display = [
        "original_name",
        "kind",
        "status",
        "progress",
        "rows_loaded",
        "rows_bad",
        "created_by",
        "created_at",
    ]
    list_filter = ["kind", "status"]
    fieldsets = [
        (None, {"fields": ["original_name", "kind", "status", "phase", "progress", "errors", "summary"]}),
        (_("Thời điểm"), {"fields": ["created_at", "started_at", "finished_at"]}),
    ]

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser
