"""Admin: user accounts with their role and scope. Logins are made, changed and deleted through
accounts.services, which check the role and its scope (and decide who opens the admin site)."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy

from accounts import services
from accounts.models import User
from core.admin import ServiceAdmin, form_fields

SCOPE_FIELDSET = (gettext_lazy("角色与范围"), {"fields": ("role", "township", "village", "cadre")})


@admin.register(User)
class UserAdmin(ServiceAdmin, DjangoUserAdmin):
    fieldsets = (*DjangoUserAdmin.fieldsets, SCOPE_FIELDSET)
    add_fieldsets = (*DjangoUserAdmin.add_fieldsets, SCOPE_FIELDSET)
    # Who opens the admin site follows from the role (accounts.services), never ticked by hand.
    readonly_fields = ("is_staff", "is_superuser")
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

    def service_create(self, request, obj, form):
        data = form.cleaned_data
        return services.account_create(
            username=data["username"],
            password=data.get("password1") or "",
            role=data.get("role") or "",
            township=data.get("township"),
            village=data.get("village"),
            cadre=data.get("cadre"),
            by=request.user,  # an account an admin made must choose its own password at first sign-in
        )

    def service_update(self, request, obj, form):
        changes = form_fields(form, changed_only=True)
        changes.pop("last_login", None)  # shown, not changed: Django writes it at sign-in
        changes.pop("date_joined", None)
        return services.account_update(account=obj, by=request.user, **changes)

    def service_delete(self, request, obj):
        services.account_delete(account=obj, by=request.user)
