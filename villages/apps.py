from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VillagesConfig(AppConfig):
    name = "villages"
    verbose_name = _("行政区划")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from villages.models import County
        from villages.selectors import county_name_forget

        post_save.connect(county_name_forget, sender=County, dispatch_uid="county_name_forget_save")
        post_delete.connect(county_name_forget, sender=County, dispatch_uid="county_name_forget_delete")
