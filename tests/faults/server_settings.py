"""The app's settings for the processes the fault tests start: as in production, except that static files
are served without collectstatic's manifest, and passwords use a fast hasher."""

import os

from poverty_tracker.settings import *  # noqa: F403
from poverty_tracker.settings import STORAGES

STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# A test may make every export a background job (the outage tests start one from a page).
ROSTER_EXPORT_ASYNC_HOUSEHOLDS = int(os.environ.get("ROSTER_EXPORT_ASYNC_HOUSEHOLDS", "5000"))
