"""The app's settings for the processes the fault tests start: as in production, except that static files
are served without collectstatic's manifest, and passwords use a fast hasher."""

from poverty_tracker.settings import *  # noqa: F403
from poverty_tracker.settings import STORAGES

STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
