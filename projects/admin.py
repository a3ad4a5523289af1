"""Admin: projects with their funding and progress, relocation sites, trainings, targets. Every save and
delete of these records goes through projects.services."""

from django.contrib import admin

from core.admin import ServiceAdmin, form_fields
from projects import services
from projects.models import (
    FundingSource,
    ProgressEntry,
    Project,
    Relocation,
    RelocationSite,
    Target,
    Training,
)


class FundingSourceInline(admin.TabularInline):
    model = FundingSource
    extra = 0


class ProgressEntryInline(admin.TabularInline):
    model = ProgressEntry
    extra = 0


@admin.register(Project)
class ProjectAdmin(ServiceAdmin):
    list_display = ("name", "category", "year", "township", "village", "state", "planned_investment")
    list_filter = ("state", "category", "year", "township")
    search_fields = ("name",)
    list_select_related = ("township", "village")
    autocomplete_fields = ("parent", "township", "village", "natural_villages")
    # Beneficiaries are added and removed on the project's page, where their rules are checked
    # (removed households refused, other townships for the county only).
    exclude = ("beneficiaries",)
    inlines = (FundingSourceInline, ProgressEntryInline)
    service_saves_many_to_many = True

    def service_create(self, request, obj, form):
        fields = form_fields(form, changed_only=False, many_to_many=True)
        return services.project_create(user=request.user, **fields)

    def service_update(self, request, obj, form):
        fields = form_fields(form, changed_only=True, many_to_many=True)
        return services.project_update(user=request.user, project=obj, **fields)

    def service_delete(self, request, obj):
        services.project_delete(user=request.user, project=obj)


class RelocationInline(admin.TabularInline):
    model = Relocation
    extra = 0
    raw_id_fields = ("household",)


@admin.register(RelocationSite)
class RelocationSiteAdmin(ServiceAdmin):
    list_display = (
        "name",
        "township",
        "village",
        "kind",
        "planned_households",
        "planned_persons",
        "build_state",
        "year",
    )
    list_filter = ("kind", "build_state", "year", "township")
    search_fields = ("name",)
    list_select_related = ("township", "village")
    autocomplete_fields = ("township", "village")
    inlines = (RelocationInline,)

    def service_create(self, request, obj, form):
        return services.relocation_site_create(user=request.user, **form_fields(form, changed_only=False))

    def service_update(self, request, obj, form):
        fields = form_fields(form, changed_only=True)
        return services.relocation_site_update(user=request.user, site=obj, **fields)

    def service_delete(self, request, obj):
        services.relocation_site_delete(user=request.user, site=obj)


@admin.register(Training)
class TrainingAdmin(ServiceAdmin):
    list_display = ("name", "kind", "year", "township", "planned_participants", "actual_participants")
    list_filter = ("kind", "year", "township")
    search_fields = ("name",)
    list_select_related = ("township",)
    autocomplete_fields = ("township",)
    # Participants are added on the training's page, where each is checked (current members only).
    exclude = ("participants",)

    def service_create(self, request, obj, form):
        return services.training_create(user=request.user, **form_fields(form, changed_only=False))

    def service_update(self, request, obj, form):
        fields = form_fields(form, changed_only=True)
        return services.training_update(user=request.user, training=obj, **fields)

    def service_delete(self, request, obj):
        services.training_delete(user=request.user, training=obj)


@admin.register(Target)
class TargetAdmin(ServiceAdmin):
    list_display = (
        "year",
        "county",
        "township",
        "category",
        "persons",
        "households",
        "villages_to_exit",
        "income_goal",
    )
    list_filter = ("year", "township", "category")
    list_select_related = ("county", "township")
    autocomplete_fields = ("township",)

    def service_create(self, request, obj, form):
        return services.target_create(user=request.user, **form_fields(form, changed_only=False))

    def service_update(self, request, obj, form):
        return services.target_update(user=request.user, target=obj, **form_fields(form, changed_only=True))

    def service_delete(self, request, obj):
        services.target_delete(user=request.user, target=obj)
