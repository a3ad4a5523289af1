"""Admin for the geography reference data (county admins keep it; verbose names come from the models).
Every save and delete goes through villages.services."""

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.admin import ServiceAdmin, form_fields
from villages import services
from villages.models import (
    AdministrativeVillage,
    County,
    ExitIndicator,
    NaturalVillage,
    Township,
    VillageIndicatorStatus,
)

EXIT_FIELDS = ("is_poor", "planned_exit_year", "exit_year", "registered_rural_population")


@admin.register(County)
class CountyAdmin(ServiceAdmin):
    list_display = ("name", "region_code", "province", "prefecture", "is_poverty_county")
    search_fields = ("name", "region_code")

    def service_create(self, request, obj, form):
        return services.county_create(user=request.user, **form_fields(form, changed_only=False))

    def service_update(self, request, obj, form):
        return services.county_update(user=request.user, county=obj, **form_fields(form, changed_only=True))

    def service_delete(self, request, obj):
        services.county_delete(user=request.user, county=obj)


@admin.register(Township)
class TownshipAdmin(ServiceAdmin):
    list_display = ("name", "county", "code", *EXIT_FIELDS)
    list_filter = ("is_poor", "exit_year", "county")
    search_fields = ("name", "code")
    list_select_related = ("county",)
    readonly_fields = ("exit_year",)  # set by county approval of the township's exit, never typed

    def service_create(self, request, obj, form):
        return services.township_create(user=request.user, **form_fields(form, changed_only=False))

    def service_update(self, request, obj, form):
        return services.township_update(
            user=request.user, township=obj, **form_fields(form, changed_only=True)
        )

    def service_delete(self, request, obj):
        services.township_delete(user=request.user, township=obj)


class VillageIndicatorStatusInline(admin.TabularInline):
    model = VillageIndicatorStatus
    extra = 0
    fields = ("indicator", "met", "note", "updated_at")
    readonly_fields = ("updated_at",)


@admin.register(AdministrativeVillage)
class AdministrativeVillageAdmin(ServiceAdmin):
    list_display = ("name", "township", "code", *EXIT_FIELDS)
    list_filter = ("is_poor", "exit_year", "township")
    search_fields = ("name", "code", "township__name")
    list_select_related = ("township",)
    autocomplete_fields = ("township",)
    inlines = (VillageIndicatorStatusInline,)
    readonly_fields = ("exit_year",)  # set by county approval of the village's exit, never typed

    def service_create(self, request, obj, form):
        return services.village_create(user=request.user, **form_fields(form, changed_only=False))

    def service_update(self, request, obj, form):
        return services.village_update(user=request.user, village=obj, **form_fields(form, changed_only=True))

    def service_delete(self, request, obj):
        services.village_delete(user=request.user, village=obj)

    def save_formset(self, request, form, formset, change):
        """The indicator rows (出列指标情况) through villages.services as well."""
        for status in formset.save(commit=False):
            if (
                status.pk
                and "indicator" in next(f for f in formset.forms if f.instance is status).changed_data
            ):
                raise ValidationError(_("一条达标记录属于一项指标；换指标请删除这条并新增一条。"))
            services.village_indicator_set(
                user=request.user,
                village=form.instance,
                indicator=status.indicator,
                met=status.met,
                note=status.note,
            )
        for status in formset.deleted_objects:
            services.village_indicator_delete(user=request.user, status=status)


@admin.register(NaturalVillage)
class NaturalVillageAdmin(ServiceAdmin):
    list_display = ("name", "village", "township", "code", "is_poor", "latitude", "longitude")
    list_filter = ("is_poor", "village__township")
    search_fields = ("name", "code", "village__name")
    list_select_related = ("village__township",)
    autocomplete_fields = ("village",)

    @admin.display(description=gettext_lazy("乡镇"), ordering="village__township__name")
    def township(self, obj: NaturalVillage) -> str:
        return obj.village.township.name

    def service_create(self, request, obj, form):
        return services.natural_village_create(user=request.user, **form_fields(form, changed_only=False))

    def service_update(self, request, obj, form):
        return services.natural_village_update(
            user=request.user, natural_village=obj, **form_fields(form, changed_only=True)
        )

    def service_delete(self, request, obj):
        services.natural_village_delete(user=request.user, natural_village=obj)


@admin.register(ExitIndicator)
class ExitIndicatorAdmin(ServiceAdmin):
    list_display = ("name", "code", "level", "province", "order", "active")
    list_filter = ("level", "province", "active")
    search_fields = ("name", "code")

    def service_create(self, request, obj, form):
        return services.exit_indicator_create(user=request.user, **form_fields(form, changed_only=False))

    def service_update(self, request, obj, form):
        return services.exit_indicator_update(
            user=request.user, indicator=obj, **form_fields(form, changed_only=True)
        )

    def service_delete(self, request, obj):
        services.exit_indicator_delete(user=request.user, indicator=obj)


@admin.register(VillageIndicatorStatus)
class VillageIndicatorStatusAdmin(ServiceAdmin):
    list_display = ("village", "indicator", "met", "note", "updated_at")
    list_filter = ("met", "indicator", "village__township")
    search_fields = ("village__name", "indicator__name")
    list_select_related = ("village", "indicator")
    autocomplete_fields = ("village",)

    def service_create(self, request, obj, form):
        return services.village_indicator_set(user=request.user, **form_fields(form, changed_only=False))

    def service_update(self, request, obj, form):
        if {"village", "indicator"} & set(form.changed_data):
            raise ValidationError(_("一条达标记录属于一个行政村的一项指标；换村或换指标请新增一条记录。"))
        return services.village_indicator_set(
            user=request.user, village=obj.village, indicator=obj.indicator, met=obj.met, note=obj.note
        )

    def service_delete(self, request, obj):
        services.village_indicator_delete(user=request.user, status=obj)
