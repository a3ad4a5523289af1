"""Admin: poverty lines are kept here; households and members are read-mostly (changes go through the
pages and API, whose services check the rules and keep the audit history)."""

from django.contrib import admin, messages
from django.db import transaction
from django.utils.translation import gettext as _

from core.admin import ServiceAdmin, form_fields
from households.models import Household, Member, PovertyLine
from households.services import household_update, member_update, poverty_line_delete, poverty_line_set


@admin.register(PovertyLine)
class PovertyLineAdmin(ServiceAdmin):
    """Lines change through households.services.poverty_line_set, which recomputes every decision."""

    list_display = ("year", "amount", "region_code", "note")
    list_filter = ("region_code",)
    ordering = ("-year", "region_code")

    def get_readonly_fields(self, request, obj=None):
        return ("year", "region_code") if obj else ()  # a line's year and region are its identity

    def _set(self, request, obj, form):
        change = poverty_line_set(
            year=obj.year, amount=obj.amount, region_code=obj.region_code, note=obj.note, user=request.user
        )
        job = change.job
        if job is not None:
            messages.info(request, _("已安排重新判定全部贫困户的脱贫条件。"))

            def said() -> None:  # after the job's own enqueue (on commit): did it start?
                if job.state == job.State.FAILED:
                    messages.error(
                        request,
                        _(
                            "扶贫标准已保存，但脱贫条件的重新计算没有启动：{error}。请稍后在“脱贫条件重算记录”处点“重新计算”（接口 POST /api/v1/eligibility/recompute/）。"
                        ).format(error=job.error),
                    )

            transaction.on_commit(said)
        return change.line

    service_create = service_update = _set

    def service_delete(self, request, obj):
        poverty_line_delete(line=obj, user=request.user)


class MemberInline(admin.TabularInline):
    model = Member
    extra = 0
    can_delete = False
    fields = (
        "name",
        "id_number",
        "relation",
        "sex",
        "ethnicity",
        "labour",
        "health",
        "left_reason",
        "left_on",
    )
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class ReadMostlyAdmin(ServiceAdmin):
    """Neither added nor deleted here; the few fields not read-only are corrected through the services."""

    # 10⁴–10⁶ rows: no COUNT(*) of the whole table on every list page.
    show_full_result_count = False
    list_per_page = 50

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Household)
class HouseholdAdmin(ReadMostlyAdmin):
    list_display = (
        "household_number",
        "head_name",
        "township",
        "village",
        "natural_village",
        "attribute",
        "main_cause",
        "status",
        "exit_year",
        "eligible",
    )
    list_filter = ("status", "attribute", "main_cause", "eligible", "identified_year", "township")
    # Exact or prefix matches so the indexes are used: number, head's name or pinyin initials, ID number.
    search_fields = (
        "=household_number",
        "^head_name",
        "=head_initials",
        "=members__id_number",
        "^members__name",
    )
    list_select_related = ("township", "village", "natural_village")
    raw_id_fields = ("natural_village", "village", "township")
    readonly_fields = (
        "household_number",
        "natural_village",
        "village",
        "township",
        "attribute",
        "main_cause",
        "other_causes",
        "identified_year",
        "status",
        "exit_year",
        "removed_reason",
        "eligible",
        "eligibility_year",
        "eligibility_reasons",
        "head_name",
        "head_initials",
        "created_at",
        "updated_at",
    )
    inlines = (MemberInline,)

    def service_update(self, request, obj, form):
        return household_update(household=obj, user=request.user, **form_fields(form, changed_only=True))


@admin.register(Member)
class MemberAdmin(ReadMostlyAdmin):
    list_display = ("name", "id_number", "household", "relation", "sex", "labour", "left_reason")
    list_filter = ("relation", "sex", "labour", "left_reason")
    search_fields = ("=id_number", "^name", "=household__household_number")
    list_select_related = ("household",)
    raw_id_fields = ("household",)
    readonly_fields = ("household", "id_number", "relation", "sex", "left_reason", "left_on")

    def service_update(self, request, obj, form):
        return member_update(member=obj, user=request.user, **form_fields(form, changed_only=True))
