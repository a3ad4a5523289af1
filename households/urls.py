"""Household pages: the registry (views.py) and the exit procedure (exit_views.py)."""

from django.urls import path
from django.views.generic import RedirectView

from households import exit_views, views

app_name = "households"
urlpatterns = views.urlpatterns + exit_views.urlpatterns
# The nav's 花名册导入导出: the roster pages are generic over every app (poverty_tracker/roster_views.py).
urlpatterns += [path("rosters/", RedirectView.as_view(pattern_name="rosters:index"), name="rosters")]
