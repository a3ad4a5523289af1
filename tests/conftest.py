import pytest

from poverty_tracker.celery import app as celery_app


@pytest.fixture(autouse=True)
def _test_settings(settings):
    # The production hasher takes ~0.5 s per user on purpose; tests make many users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Tests run with DEBUG off and no collectstatic: the manifest storage would find no manifest.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _tasks_inline(request):
    """Tasks run inline in tests, except those marked celery_worker, which use the real worker and Redis."""
    if request.node.get_closest_marker("celery_worker"):
        yield
        return
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Reference data that migrations seed is put back if a reused test database lost it.

    A transactional test's flush removes it at the end of a session; with --reuse-db the next session
    would start without poverty lines.
    """
    import importlib

    from django.apps import apps

    with django_db_blocker.unblock():
        for module in (
            "households.migrations.0003_poverty_lines",
            "villages.migrations.0002_exit_indicators",
        ):
            importlib.import_module(module).seed(apps, None)
