"""Admin: user accounts with their role and scope, work units, cadres, revisit rounds."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from assignments.models import Cadre, RevisitRound, User, WorkUnit, WorkUnitVillage

SCOPE_FIELDSET = ("角色与范围", {"fields": ("role", "township", "village", "cadre")})


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    fieldsets = (*DjangoUserAdmin.fieldsets, SCOPE_FIELDSET)
    add_fieldsets = (*DjangoUserAdmin.add_fieldsets, SCOPE_FIELDSET)
    list_display = (
        "username",
        "first_name",
        "role",
        "township",
        "village",
        "cadre",
        "is_active",
        "last_login",
    )
    list_filter = ("role", "is_active", "township")
    list_select_related = ("township", "village", "cadre")
    autocomplete_fields = ("township", "village", "cadre")


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
