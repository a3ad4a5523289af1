from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardsConfig(AppConfig):
    """The composition layer: home dashboards and reports that combine the figures of every app."""

    name = "dashboards"
    verbose_name = _("首页与统计")
