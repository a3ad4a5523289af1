from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The composition layer: the demo county (load_demo, demo_accounts) and synthetic province-scale
    data (generate_households). Nothing imports it."""

    name = "demo"
    verbose_name = "演示数据"
