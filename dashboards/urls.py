"""Home and the cross-app report pages."""

from django.urls import path

from dashboards import views

app_name = "dashboards"
urlpatterns = [
    path("exit/", views.exit_overview, name="exit"),
]
