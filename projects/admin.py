"""Admin: projects with their funding and progress, relocation sites, trainings, targets."""

from django.contrib import admin

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
class ProjectAdmin(admin.ModelAdmin):
    list_display = ("name", "category", "year", "township", "village", "state", "planned_investment")
    list_filter = ("state", "category", "year", "township")
    search_fields = ("name",)
    list_select_related = ("township", "village")
    autocomplete_fields = ("parent", "township", "village", "natural_villages")
    # Beneficiaries are households (10⁴–10⁶): ids, never a select of them all.
    raw_id_fields = ("beneficiaries",)
    inlines = (FundingSourceInline, ProgressEntryInline)


class RelocationInline(admin.TabularInline):
    model = Relocation
    extra = 0
    raw_id_fields = ("household",)


@admin.register(RelocationSite)
class RelocationSiteAdmin(admin.ModelAdmin):
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


@admin.register(Training)
class TrainingAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "year", "township", "planned_participants", "actual_participants")
    list_filter = ("kind", "year", "township")
    search_fields = ("name",)
    list_select_related = ("township",)
    autocomplete_fields = ("township",)
    # Participants are members (up to 4·10⁶): ids, never a select of them all.
    raw_id_fields = ("participants",)


@admin.register(Target)
class TargetAdmin(admin.ModelAdmin):
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
