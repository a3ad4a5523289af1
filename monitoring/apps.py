from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonitoringConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "monitoring"
    verbose_name = _("防返贫监测")

    def ready(self) -> None:
        # What the cadre's revisits and phone pages learn of 防返贫监测 (assignments may not import it):
        # the risk types a revisit reports and the candidate it raises, and each household's marker.
        from assignments.phone.selectors import household_markers_register
        from assignments.services import RevisitRisk, revisit_risk_register
        from households.selectors import HouseholdSection, household_section_register
        from monitoring.choices import RISK_TYPES
        from monitoring.selectors import household_monitoring, household_monitoring_markers
        from monitoring.services import candidate_from_revisit

        revisit_risk_register(RevisitRisk(risk_types=RISK_TYPES, raise_candidate=candidate_from_revisit))
        household_markers_register(household_monitoring_markers)
        # 防返贫监测 on the household page, after its cadre and revisits.
        household_section_register(
            HouseholdSection(
                key="monitoring",
                template="monitoring/_household_section.html",
                context=household_monitoring,
                order=55,
            )
        )
