"""/api/v1/: each app registers its viewsets on one router."""

from django.urls import path
from rest_framework.authtoken.views import obtain_auth_token
from rest_framework.routers import DefaultRouter

router = DefaultRouter()

urlpatterns = [
    path("auth/token/", obtain_auth_token, name="api-token"),
]
urlpatterns += router.urls
