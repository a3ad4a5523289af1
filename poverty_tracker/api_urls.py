"""/api/v1/: each app registers its viewsets on one router."""

from django.urls import path
from rest_framework.authtoken.views import obtain_auth_token
from rest_framework.routers import DefaultRouter

from assignments.api_routes import ROUTES as ASSIGNMENT_ROUTES
from villages.api import NaturalVillageViewSet, TownshipViewSet, VillageViewSet

router = DefaultRouter()
router.register("townships", TownshipViewSet, basename="township")
router.register("villages", VillageViewSet, basename="village")
router.register("natural-villages", NaturalVillageViewSet, basename="natural-village")

# The cadre work (挂包帮 / 转走访) declares its routes in assignments/api_routes.py.
for _prefix, _viewset, _basename in ASSIGNMENT_ROUTES:
    router.register(_prefix, _viewset, basename=_basename)

urlpatterns = [
    path("auth/token/", obtain_auth_token, name="api-token"),
]
urlpatterns += router.urls
