"""Admin for the geography reference data (county admins keep it; verbose names come from the models)."""

from django.contrib import admin

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
class CountyAdmin(admin.ModelAdmin):
    list_display = ("name", "region_code", "province", "prefecture", "is_poverty_county")
    search_fields = ("name", "region_code")


@admin.register(Township)
class TownshipAdmin(admin.ModelAdmin):
    list_display = ("name", "county", "code", *EXIT_FIELDS)
    list_filter = ("is_poor", "exit_year", "county")
    search_fields = ("name", "code")
    list_select_related = ("county",)
    readonly_fields = ("exit_year",)  # set by county approval of the township's exit, never typed


class VillageIndicatorStatusInline(admin.TabularInline):
    model = VillageIndicatorStatus
    extra = 0
    fields = ("indicator", "met", "note", "updated_at")
    readonly_fields = ("updated_at",)


@admin.register(AdministrativeVillage)
class AdministrativeVillageAdmin(admin.ModelAdmin):
    list_display = ("name", "township", "code", *EXIT_FIELDS)
    list_filter = ("is_poor", "exit_year", "township")
    search_fields = ("name", "code", "township__name")
    list_select_related = ("township",)
    autocomplete_fields = ("township",)
    inlines = (VillageIndicatorStatusInline,)
    readonly_fields = ("exit_year",)  # set by county approval of the village's exit, never typed


@admin.register(NaturalVillage)
class NaturalVillageAdmin(admin.ModelAdmin):
    list_display = ("name", "village", "township", "code", "is_poor", "latitude", "longitude")
    list_filter = ("is_poor", "village__township")
    search_fields = ("name", "code", "village__name")
    list_select_related = ("village__township",)
    autocomplete_fields = ("village",)

    @admin.display(description="乡镇", ordering="village__township__name")
    def township(self, obj: NaturalVillage) -> str:
        return obj.village.township.name


@admin.register(ExitIndicator)
class ExitIndicatorAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "level", "province", "order", "active")
    list_filter = ("level", "province", "active")
    search_fields = ("name", "code")


@admin.register(VillageIndicatorStatus)
class VillageIndicatorStatusAdmin(admin.ModelAdmin):
    list_display = ("village", "indicator", "met", "note", "updated_at")
    list_filter = ("met", "indicator", "village__township")
    search_fields = ("village__name", "indicator__name")
    list_select_related = ("village", "indicator")
    autocomplete_fields = ("village",)
