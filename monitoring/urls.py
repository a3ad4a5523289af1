from django.urls import path

from monitoring import views

app_name = "monitoring"

urlpatterns = [
    path("", views.object_list, name="list"),
    path("<int:pk>/", views.object_detail, name="detail"),
    path("<int:pk>/advance/", views.object_advance, name="advance"),
    path("<int:pk>/stable-since/", views.object_stable_since, name="stable-since"),
    path("<int:pk>/objections/", views.objection_record, name="objection-record"),
    path("objections/<int:pk>/resolve/", views.objection_resolve, name="objection-resolve"),
    path("quality/", views.quality, name="quality"),
    path("quality/<int:pk>/mark-correct/", views.quality_mark_correct, name="quality-mark-correct"),
]
