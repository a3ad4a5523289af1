from django.apps import AppConfig


class DashboardsConfig(AppConfig):
    """The composition layer: home dashboards and reports that combine the figures of every app."""

    name = "dashboards"
    verbose_name = "首页与统计"
