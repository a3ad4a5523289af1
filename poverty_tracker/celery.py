import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "poverty_tracker.settings")

app = Celery("poverty_tracker")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# All periodic schedules live here, in one place.
app.conf.beat_schedule = {
    "eligibility-recompute-nightly": {
        "task": "households.tasks.eligibility_recompute",
        "schedule": crontab(hour=1, minute=30),
        "kwargs": {"trigger": "nightly"},
    },
    "assignments-overdue-flag": {
        "task": "assignments.tasks.overdue_flag",
        "schedule": crontab(hour=6, minute=0),
    },
    "jobs-sweep": {  # jobs whose worker died (no heartbeat) or past their time limit are marked failed
        "task": "core.tasks.jobs_sweep",
        "schedule": crontab(minute="*/2"),
    },
    "export-files-sweep": {
        "task": "core.tasks.export_sweep",
        "schedule": crontab(hour=4, minute=0),
    },
    "monitoring-screening-nightly": {
        "task": "monitoring.tasks.screening",
        "schedule": crontab(hour=2, minute=0),
    },
    "monitoring-quality-nightly": {
        "task": "monitoring.tasks.quality",
        "schedule": crontab(hour=2, minute=30),
    },
    "village-figures-nightly": {
        "task": "households.tasks.figures_refresh",
        "schedule": crontab(hour=3, minute=0),
    },
}
