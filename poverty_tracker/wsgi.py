import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "poverty_tracker.settings")
application = get_wsgi_application()

from poverty_tracker.startup import check_database_or_exit  # noqa: E402

check_database_or_exit()
