from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from cchc.api.models import ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are created with ``cchc create-api-token`` (the key is shown once, there); here they
    are listed, their expiry changed, and revoked."""

    list_display = ["id", "user", "name", "created", "expires", "last_used", "revoked", "state"]
    list_filter = [("revoked", admin.EmptyFieldListFilter), "expires", "last_used"]
    search_fields = ["user__username", "name"]
    readonly_fields = ["user", "created", "last_used", "revoked"]
    fields = ["user", "name", "created", "expires", "last_used", "revoked"]
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False

    @admin.display(description=_("trạng thái"))
    def state(self, obj: ApiToken) -> str:
        return str(
            {"active": _("đang dùng"), "expired": _("hết hạn"), "revoked": _("đã thu hồi")}[obj.status]
        )

    @admin.action(description=_("Thu hồi các khoá đã chọn"))
    def revoke(self, request, queryset):
        count = queryset.revoke()
        self.message_user(
            request,
            ngettext("Đã thu hồi %(count)d khoá.", "Đã thu hồi %(count)d khoá.", count) % {"count": count},
            messages.SUCCESS,
        )
