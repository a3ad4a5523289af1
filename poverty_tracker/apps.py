from django.apps import AppConfig


class PovertyTrackerConfig(AppConfig):
    name = "poverty_tracker"
    verbose_name = "系统"
