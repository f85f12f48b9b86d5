from django.contrib import admin

from cchc.frameworks.models import Band, Framework, Node


class BandInline(admin.TabularInline):
    model = Band
    extra = 0


@admin.register(Framework)
class FrameworkAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "year", "status"]
    list_filter = ["year", "status"]
    search_fields = ["code", "name"]
    inlines = [BandInline]


@admin.register(Node)
class NodeAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "framework", "max_points", "evidence_required"]
    list_filter = ["framework"]
    search_fields = ["code", "name"]
    raw_id_fields = ["parent", "responsible_unit"]
