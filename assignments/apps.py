from django.apps import AppConfig


class AssignmentsConfig(AppConfig):
    name = "assignments"
    verbose_name = "挂包帮与账户"
