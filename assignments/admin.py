"""Admin: work units, cadres, revisit rounds."""

from django.contrib import admin

from assignments.models import Cadre, RevisitRound, WorkUnit, WorkUnitVillage


class WorkUnitVillageInline(admin.TabularInline):
    model = WorkUnitVillage
    extra = 0
    autocomplete_fields = ("village",)


@admin.register(WorkUnit)
class WorkUnitAdmin(admin.ModelAdmin):
    list_display = ("name", "level", "leader", "phone")
    list_filter = ("level",)
    search_fields = ("name", "leader")
    inlines = (WorkUnitVillageInline,)


@admin.register(Cadre)
class CadreAdmin(admin.ModelAdmin):
    list_display = ("name", "unit", "post", "phone", "active")
    list_filter = ("active", "unit__level")
    search_fields = ("name", "phone", "unit__name")
    list_select_related = ("unit",)
    autocomplete_fields = ("unit",)


@admin.register(RevisitRound)
class RevisitRoundAdmin(admin.ModelAdmin):
    list_display = ("name", "year", "number", "starts_on", "ends_on")
    list_filter = ("year",)
    search_fields = ("name",)
