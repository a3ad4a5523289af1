"""Admin: user accounts with their role and scope."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from accounts.models import User

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
