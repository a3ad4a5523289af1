"""/api/v1/: each app registers its viewsets on one router."""

from django.urls import path
from rest_framework.authtoken.views import obtain_auth_token
from rest_framework.routers import DefaultRouter

from villages.api import NaturalVillageViewSet, TownshipViewSet, VillageViewSet

router = DefaultRouter()
router.register("townships", TownshipViewSet, basename="township")
router.register("villages", VillageViewSet, basename="village")
router.register("natural-villages", NaturalVillageViewSet, basename="natural-village")

urlpatterns = [
    path("auth/token/", obtain_auth_token, name="api-token"),
]
urlpatterns += router.urls
