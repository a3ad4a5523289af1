"""Village and township exit pages, under /villages/exit/ beside the exit report (dashboards)."""

from django.urls import path

from households.units import views
from households.units.models import UnitLevel

app_name = "unit_exit"
urlpatterns = [
    path("indicators/", views.indicators, name="indicators"),
    path("indicators/<int:village_pk>/", views.indicators_record, name="indicators-record"),
    path("applications/", views.unit_exit_list, name="list"),
    path("applications/<int:pk>/", views.unit_exit_detail, name="detail"),
    path("applications/<int:pk>/advance/", views.unit_exit_advance_view, name="advance"),
    path("applications/<int:pk>/objections/", views.unit_exit_objection_view, name="objection"),
    path("objections/<int:pk>/resolve/", views.unit_exit_objection_resolve_view, name="objection-resolve"),
    path(
        "apply/village/<int:pk>/", views.unit_exit_apply, {"level": UnitLevel.VILLAGE}, name="apply-village"
    ),
    path(
        "apply/township/<int:pk>/",
        views.unit_exit_apply,
        {"level": UnitLevel.TOWNSHIP},
        name="apply-township",
    ),
]
