from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from cchc.orgs.access import SharedObjectAdmin
from cchc.surveys.models import (
    Answer,
    Campaign,
    CampaignUnit,
    Invitation,
    PublishedIndex,
    Question,
    Questionnaire,
    Response,
    Section,
)
from cchc.surveys.services import new_version


class _InUseReadOnly(SharedObjectAdmin):
    """Inlines of a questionnaire that has answers are read-only (copy it as a new version);
    questionnaires are shared by the province, so only a secretariat covering it changes them."""

    def _locked(self, obj):
        return obj is not None and obj.in_use

    def has_add_permission(self, request, obj=None):
        return not self._locked(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return not self._locked(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not self._locked(obj) and super().has_delete_permission(request, obj)


class SectionInline(_InUseReadOnly, admin.TabularInline):
    model = Section
    extra = 0


class QuestionInline(_InUseReadOnly, admin.StackedInline):
    model = Question
    extra = 0
    fields = [
        ("order", "code", "type", "section"),
        "text",
        ("aspect", "criterion"),
        ("required", "allow_na", "is_expectation"),
        "options",
        "show_if",
    ]


@admin.register(Questionnaire)
class QuestionnaireAdmin(SharedObjectAdmin, admin.ModelAdmin):
    list_display = ["code", "version", "name", "kind", "audience", "status", "in_use"]
    list_filter = ["kind", "audience", "status"]
    search_fields = ["code", "name"]
    inlines = [SectionInline, QuestionInline]
    actions = ["copy_as_new_version"]

    @admin.display(boolean=True, description=_("đã có phiếu trả lời"))
    def in_use(self, obj):
        return obj.in_use

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.in_use:
            return [f.name for f in Questionnaire._meta.fields if f.name != "status"]
        return ["created_at"]

    @admin.action(description=_("Sao chép thành phiên bản mới"))
    def copy_as_new_version(self, request, queryset):
        if not self.may_change_shared(request):
            self.message_user(
                request,
                _(
                    "Bộ câu hỏi dùng chung cho cả tỉnh: chỉ Thường trực CCHC cấp tỉnh mới tạo được phiên bản mới."
                ),
                messages.ERROR,
            )
            return
        for questionnaire in queryset:
            copy = new_version(questionnaire, activate=False)
            self.message_user(
                request,
                _("Đã tạo %(code)s phiên bản %(version)s (nháp).")
                % {"code": copy.code, "version": copy.version},
                messages.SUCCESS,
            )


class CampaignUnitInline(admin.TabularInline):
    model = CampaignUnit
    extra = 0
    autocomplete_fields = ["unit"]
    readonly_fields = ["public_key"]

    def has_add_permission(self, request, obj=None):
        # New units get their random public key through services.create_campaign.
        return False


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ["name", "questionnaire", "period", "status", "public"]
    list_filter = ["status", "period"]
    inlines = [CampaignUnitInline]
    readonly_fields = ["questionnaire", "period", "created_by", "created_at"]

    def has_add_permission(self, request):
        return False


class AnswerInline(admin.TabularInline):
    model = Answer
    extra = 0
    can_delete = False
    fields = ["question", "value_int", "value_decimal", "value_text", "choices", "is_na"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Response)
class ResponseAdmin(admin.ModelAdmin):
    """Read-only: answers are never edited; exclusion goes through the quality-control page."""

    list_display = ["pk", "campaign", "unit", "channel", "form_no", "submitted_at", "excluded"]
    list_filter = ["campaign", "channel", "excluded"]
    search_fields = ["form_no", "unit__code", "unit__name"]
    inlines = [AnswerInline]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in Response._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["token", "campaign_unit", "created_at", "used_at"]
    readonly_fields = ["token", "campaign_unit", "created_at", "used_at"]

    def has_add_permission(self, request):
        return False


@admin.register(PublishedIndex)
class PublishedIndexAdmin(admin.ModelAdmin):
    list_display = ["unit", "year", "kind", "dimension", "value", "rank", "rank_of"]
    list_filter = ["kind", "year"]
    search_fields = ["unit__code", "unit__name"]
    autocomplete_fields = ["unit"]
