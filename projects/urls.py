"""Pages of money and moves: projects, relocation sites, training, targets, 五个一批."""

from django.urls import path

from projects import views

app_name = "projects"
urlpatterns = [
    path("", views.project_list, name="list"),
    path("new/", views.project_create, name="create"),
    path("<int:pk>/", views.project_detail, name="detail"),
    path("<int:pk>/edit/", views.project_edit, name="edit"),
    path("<int:pk>/delete/", views.project_delete, name="delete"),
    path("<int:pk>/close/", views.project_close, name="close"),
    path("<int:pk>/progress/", views.progress_add, name="progress-add"),
    path("progress/<int:pk>/photo/", views.progress_photo, name="progress-photo"),
    path("<int:pk>/beneficiaries/", views.beneficiaries_add, name="beneficiaries-add"),
    path(
        "<int:pk>/beneficiaries/<int:household_pk>/remove/",
        views.beneficiary_remove,
        name="beneficiary-remove",
    ),
    path("sites/", views.site_list, name="sites"),
    path("sites/<int:pk>/", views.site_detail, name="site-detail"),
    path("sites/breaches/", views.relocation_breaches, name="breaches"),
    path("trainings/", views.training_list, name="trainings"),
    path("trainings/new/", views.training_create, name="training-create"),
    path("trainings/<int:pk>/", views.training_detail, name="training-detail"),
    path("targets/", views.target_list, name="targets"),
    path("batches/", views.measure_batches, name="batches"),
]
