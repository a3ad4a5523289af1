"""/api/v1/: each app registers its viewsets on one router."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from accounts.api import UserViewSet, obtain_auth_token
from assignments.api import ROUTES as ASSIGNMENT_ROUTES
from assignments.phone.api import ROUTES as PHONE_ROUTES
from core.audit_views import AccessLogViewSet
from core.jobs_api import JobViewSet
from core.rosters.api import ImportRecordViewSet
from households.api import (
    AssessmentViewSet,
    EligibilityRecomputeView,
    ExitApplicationViewSet,
    HouseholdExportView,
    HouseholdViewSet,
    MemberViewSet,
    PovertyLineViewSet,
    StatsView,
)
from households.plans_api import ROUTES as PLAN_ROUTES
from households.units.api import ROUTES as UNIT_EXIT_ROUTES
from monitoring.api import ROUTES as MONITORING_ROUTES
from projects.api import ROUTES as PROJECT_ROUTES
from villages.api import NaturalVillageViewSet, TownshipViewSet, VillageViewSet

router = DefaultRouter()
router.register("townships", TownshipViewSet, basename="township")
router.register("villages", VillageViewSet, basename="village")
router.register("natural-villages", NaturalVillageViewSet, basename="natural-village")
router.register("households", HouseholdViewSet, basename="household")
router.register("members", MemberViewSet, basename="member")
router.register("poverty-lines", PovertyLineViewSet, basename="poverty-line")
router.register("exit-applications", ExitApplicationViewSet, basename="exit-application")
router.register("jobs", JobViewSet, basename="job")
router.register("imports", ImportRecordViewSet, basename="import")
router.register("users", UserViewSet, basename="user")
router.register("audit", AccessLogViewSet, basename="audit")

# The cadre work (挂包帮 / 转走访) declares its routes in assignments/api.py and assignments/phone/api.py.
# Likewise village and township exit (households/units/api.py), money and moves (projects/api.py), and
# 一户一策 / 帮扶措施 (households/plans_api.py).
_ROUTES = (
    ASSIGNMENT_ROUTES + PHONE_ROUTES + UNIT_EXIT_ROUTES + PROJECT_ROUTES + PLAN_ROUTES + MONITORING_ROUTES
)
for _prefix, _viewset, _basename in _ROUTES:
    router.register(_prefix, _viewset, basename=_basename)

# Assessments live under their household, one per year: /households/{id}/assessments/{year}/.
assessments = AssessmentViewSet.as_view({"get": "list", "post": "create"})
assessment = AssessmentViewSet.as_view({"get": "retrieve", "patch": "partial_update"})

urlpatterns = [
    path("auth/token/", obtain_auth_token, name="api-token"),
    path("households/<int:household_pk>/assessments/", assessments, name="assessment-list"),
    path("households/<int:household_pk>/assessments/<int:year>/", assessment, name="assessment-detail"),
    path("eligibility/recompute/", EligibilityRecomputeView.as_view(), name="eligibility-recompute"),
    path("stats/", StatsView.as_view(), name="stats"),
    path("exports/households/", HouseholdExportView.as_view(), name="export-households"),
]
urlpatterns += router.urls
