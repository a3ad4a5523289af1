from django.urls import path

from monitoring import views, whatif_views

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
    path("what-if/", whatif_views.what_if, name="what-if"),
    path("what-if/<int:pk>/", whatif_views.what_if_result, name="what-if-result"),
    path("what-if/<int:pk>/status/", whatif_views.what_if_status, name="what-if-status"),
    path("what-if/<int:pk>/xlsx/", whatif_views.what_if_xlsx, name="what-if-xlsx"),
]
