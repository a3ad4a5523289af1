from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = _("项目与搬迁")

    def ready(self) -> None:
        from households.selectors import HouseholdSection, household_section_register
        from projects.views import household_section

        # 项目、搬迁与培训 on the household page, after its measures and cadre.
        household_section_register(
            HouseholdSection(
                key="projects",
                template="projects/_household_section.html",
                context=household_section,
                order=60,
            )
        )
