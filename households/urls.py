"""Household pages: the registry (views.py) and the exit procedure (exit_views.py)."""

from households import exit_views, views

app_name = "households"
urlpatterns = views.urlpatterns + exit_views.urlpatterns
