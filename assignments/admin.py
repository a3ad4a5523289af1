"""Admin: work units, cadres, revisit rounds. Every save and delete goes through assignments.services."""

from django.contrib import admin

from assignments import services
from assignments.models import Cadre, RevisitRound, WorkUnit, WorkUnitVillage
from core.admin import ServiceAdmin, form_fields


class WorkUnitVillageInline(admin.TabularInline):
    model = WorkUnitVillage
    extra = 0
    autocomplete_fields = ("village",)


@admin.register(WorkUnit)
class WorkUnitAdmin(ServiceAdmin):
    list_display = ("name", "level", "leader", "phone")
    list_filter = ("level",)
    search_fields = ("name", "leader")
    inlines = (WorkUnitVillageInline,)

    def service_create(self, request, obj, form):
        return services.work_unit_create(user=request.user, **form_fields(form, changed_only=False))

    def service_update(self, request, obj, form):
        return services.work_unit_update(user=request.user, unit=obj, **form_fields(form, changed_only=True))

    def service_delete(self, request, obj):
        services.work_unit_delete(user=request.user, unit=obj)


@admin.register(Cadre)
class CadreAdmin(ServiceAdmin):
    list_display = ("name", "unit", "post", "phone", "active")
    list_filter = ("active", "unit__level")
    search_fields = ("name", "phone", "unit__name")
    list_select_related = ("unit",)
    autocomplete_fields = ("unit",)

    def service_create(self, request, obj, form):
        fields = form_fields(form, changed_only=False)
        active = fields.pop("active", True)
        cadre = services.cadre_create(user=request.user, **fields)
        if not active:  # a cadre entered as already gone: no pairings yet, so nothing refuses it
            cadre = services.cadre_update(user=request.user, cadre=cadre, active=False)
        return cadre

    def service_update(self, request, obj, form):
        return services.cadre_update(user=request.user, cadre=obj, **form_fields(form, changed_only=True))

    def service_delete(self, request, obj):
        services.cadre_delete(user=request.user, cadre=obj)


@admin.register(RevisitRound)
class RevisitRoundAdmin(ServiceAdmin):
    list_display = ("name", "year", "number", "starts_on", "ends_on")
    list_filter = ("year",)
    search_fields = ("name",)

    def service_create(self, request, obj, form):
        return services.revisit_round_create(user=request.user, **form_fields(form, changed_only=False))

    def service_update(self, request, obj, form):
        return services.revisit_round_update(
            user=request.user, round=obj, **form_fields(form, changed_only=True)
        )

    def service_delete(self, request, obj):
        services.revisit_round_delete(user=request.user, round=obj)
