from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """Shared infrastructure: the access engine, jobs, the Excel engine and roster pages, API pieces."""

    name = "core"
    verbose_name = _("系统")

    def ready(self) -> None:
        from core.logging import install_record_factory

        install_record_factory()
