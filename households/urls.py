"""Household pages: the registry and the exit procedure (households/exit/)."""

from django.urls import path
from django.views.generic import RedirectView

from households import views
from households.exit import views as exit_views

app_name = "households"
urlpatterns = [
    path("", views.household_list, name="list"),
    path("eligibility/", views.eligibility_runs, name="eligibility-runs"),
    path("eligibility/<int:pk>/", views.eligibility_run, name="eligibility-run"),
    path("eligibility/recompute/", views.eligibility_recompute_start, name="eligibility-recompute"),
    path("new/", views.household_create, name="create"),
    path("return-review/", views.return_review, name="return-review"),
    path("<int:pk>/", views.household_detail, name="detail"),
    path("<int:pk>/history/", views.household_history, name="history"),
    path("<int:pk>/edit/", views.household_edit, name="edit"),
    path("<int:pk>/assessment/", views.assessment_record, name="assessment"),
    path("<int:pk>/members/<int:member_pk>/leave/", views.member_leave, name="member-leave"),
    path("<int:pk>/head/", views.head_change, name="head-change"),
    path("<int:pk>/split/", views.household_split, name="split"),
    path("<int:pk>/merge/", views.household_merge, name="merge"),
    path("<int:pk>/return-review/", views.return_confirm, name="return-confirm"),
    path("<int:pk>/plan/", views.help_plan_edit, name="help-plan"),
]
urlpatterns += [
    path("exit/", exit_views.exit_list, name="exit-list"),
    path("exit/<int:pk>/", exit_views.exit_detail, name="exit-detail"),
    path("exit/<int:pk>/advance/", exit_views.exit_advance, name="exit-advance"),
    path("exit/<int:pk>/objections/", exit_views.exit_objection, name="exit-objection"),
    path(
        "exit/objections/<int:pk>/resolve/",
        exit_views.exit_objection_resolve_view,
        name="exit-objection-resolve",
    ),
    path("exit/apply/", exit_views.exit_batch_create, name="exit-batch-create"),
    path("exit/apply/<int:household_pk>/", exit_views.exit_create, name="exit-create"),
    path("exit/approve/", exit_views.exit_batch_advance, name="exit-batch-advance"),
    path("exit/notice/", exit_views.exit_notice, name="exit-notice"),
    path("exit/announcement/", exit_views.exit_announcement, name="exit-announcement"),
]
# The nav's 花名册导入导出: the roster pages are generic over every app (core/rosters/).
urlpatterns += [path("rosters/", RedirectView.as_view(pattern_name="rosters:index"), name="rosters")]
