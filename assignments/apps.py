from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssignmentsConfig(AppConfig):
    name = "assignments"
    verbose_name = _("挂包帮")

    def ready(self) -> None:
        # The access rule's one question about pairings: which households is a cadre paired with now.
        from assignments.selectors import cadre_paired_households, household_responsibility
        from core.access import register_cadre_households
        from households.selectors import HouseholdSection, household_section_register

        register_cadre_households(cadre_paired_households)
        # 挂包帮与走访 on the household page, between its measures and its exit applications.
        household_section_register(
            HouseholdSection(
                key="assignments",
                template="assignments/_household_section.html",
                context=household_responsibility,
                order=50,
            )
        )
