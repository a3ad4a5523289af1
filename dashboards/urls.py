"""Home and the cross-app report pages."""

from django.urls import path

from dashboards import views

app_name = "dashboards"
urlpatterns = [
    path("exit/", views.exit_overview, name="exit"),
    path("map/", views.battle_map, name="map"),
    path("county/", views.unit_dashboard, {"level": "county"}, name="county"),
    path("township/<int:unit_id>/", views.unit_dashboard, {"level": "township"}, name="township"),
    path("village/<int:unit_id>/", views.unit_dashboard, {"level": "village"}, name="village"),
    path("county/xlsx/", views.unit_dashboard_xlsx, {"level": "county"}, name="county-xlsx"),
    path(
        "township/<int:unit_id>/xlsx/", views.unit_dashboard_xlsx, {"level": "township"}, name="township-xlsx"
    ),
    path("village/<int:unit_id>/xlsx/", views.unit_dashboard_xlsx, {"level": "village"}, name="village-xlsx"),
]
