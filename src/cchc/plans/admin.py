"""Back-office views of the plans app; the workflow (progress, cancelling, applying templates,
proposals) runs through the app's pages and services, which audit every change."""

from django.contrib import admin

from cchc.plans import models as m


class TaskChangeInline(admin.TabularInline):
    model = m.TaskChange
    extra = 0
    can_delete = False
    fields = ("at", "by", "field", "old", "new")
    readonly_fields = ("at", "by", "field", "old", "new")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(m.Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = ("title", "year", "scope_unit", "doc_number", "doc_date")
    list_filter = ("year",)
    search_fields = ("title", "doc_number")


@admin.register(m.Task)
class TaskAdmin(admin.ModelAdmin):
    list_display = ("code", "title", "plan", "lead_unit", "deadline", "progress")
    list_filter = ("plan__year", "area")
    search_fields = ("code", "title")
    readonly_fields = ("progress", "completed_on", "cancelled_at")
    inlines = [TaskChangeInline]


@admin.register(m.CommitmentTemplate)
class CommitmentTemplateAdmin(admin.ModelAdmin):
    list_display = ("name", "year", "owner_unit")


@admin.register(m.Commitment)
class CommitmentAdmin(admin.ModelAdmin):
    list_display = ("unit", "year", "head_name", "signed_on")
    list_filter = ("year",)


@admin.register(m.Inspection)
class InspectionAdmin(admin.ModelAdmin):
    list_display = ("title", "year", "owner_unit")


@admin.register(m.AwardRule)
class AwardRuleAdmin(admin.ModelAdmin):
    list_display = ("name", "year", "kind", "form")


@admin.register(m.AwardDecision)
class AwardDecisionAdmin(admin.ModelAdmin):
    list_display = ("number", "unit", "year", "form", "decided_on")
    list_filter = ("year", "form")
