from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Shared infrastructure: the access engine, jobs, the Excel engine and roster pages, API pieces."""

    name = "core"
    verbose_name = "系统"
