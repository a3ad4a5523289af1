import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "poverty_tracker.settings")

app = Celery("poverty_tracker")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# All periodic schedules live here, in one place.
app.conf.beat_schedule = {
    "village-figures-nightly": {
        "task": "villages.tasks.figures_refresh",
        "schedule": 60 * 60 * 24,
    },
}
