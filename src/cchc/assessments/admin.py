from django.contrib import admin

from cchc.assessments.models import Assessment, Evidence, EvidenceEvent, Round, ScoreChange, Transition


@admin.register(Round)
class RoundAdmin(admin.ModelAdmin):
    list_display = ["framework", "year", "deadline"]


class TransitionInline(admin.TabularInline):
    model = Transition
    extra = 0
    can_delete = False
    readonly_fields = ["from_status", "to_status", "by", "at", "note"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Assessment)
class AssessmentAdmin(admin.ModelAdmin):
    """Read-only here: scores and statuses change only through the workflow actions."""

    list_display = ["unit", "round", "status", "submitted_at"]
    list_filter = ["status", "round"]
    search_fields = ["unit__code", "unit__name"]
    readonly_fields = ["round", "unit", "status", "submitted_at"]
    inlines = [TransitionInline]

    def has_add_permission(self, request):
        return False


@admin.register(ScoreChange)
class ScoreChangeAdmin(admin.ModelAdmin):
    list_display = ["at", "by", "score", "field", "old_value", "new_value", "reason"]
    list_filter = ["field"]
    readonly_fields = [f.name for f in ScoreChange._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Evidence)
class EvidenceAdmin(admin.ModelAdmin):
    list_display = ["original_name", "score", "size", "uploaded_by", "uploaded_at"]
    readonly_fields = [f.name for f in Evidence._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(EvidenceEvent)
class EvidenceEventAdmin(admin.ModelAdmin):
    """The evidence audit trail: read-only."""

    list_display = ["at", "by", "assessment", "node", "action", "file_name", "size", "sha256", "pruned_at"]
    list_filter = ["action"]
    search_fields = ["file_name", "sha256", "assessment__unit__code"]
    readonly_fields = [f.name for f in EvidenceEvent._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
