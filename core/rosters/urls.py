"""/rosters/: the roster pages (core/rosters/views.py)."""

from django.urls import path

from core.rosters import views

app_name = "rosters"
urlpatterns = [
    path("", views.roster_index, name="index"),
    path("upload/", views.upload, name="upload"),
    path("imports/<int:pk>/", views.import_detail, name="import"),
    path("imports/<int:pk>/status/", views.import_status, name="import-status"),
    path("imports/<int:pk>/commit/", views.import_commit, name="import-commit"),
    path("imports/<int:pk>/file/", views.import_file, name="import-file"),
    path("imports/<int:pk>/errors/", views.import_error_file, name="import-errors"),
    path("exports/<int:pk>/", views.export_job, name="export-job"),
    path("exports/<int:pk>/status/", views.export_status, name="export-status"),
    path("exports/<int:pk>/download/", views.export_download, name="export-download"),
    path("<slug:key>/template/", views.template_download, name="template"),
    path("<slug:key>/export/", views.export, name="export"),
]
