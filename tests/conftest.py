import pytest
from django.core.cache import cache

from accounts.models import Role
from poverty_tracker.celery import app as celery_app
from tests.factories import CadreFactory, NaturalVillageFactory, UserFactory


@pytest.fixture(autouse=True, scope="session")
def _plain_http():
    """Tests speak plain HTTP to the test client and the e2e live server, whose middleware is built once
    per session (production redirects to HTTPS and sends secure cookies only)."""
    from django.conf import settings

    settings.SECURE_SSL_REDIRECT = False
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = False


@pytest.fixture(autouse=True)
def _test_settings(settings):
    # The production hasher takes ~0.5 s per user on purpose; tests make many users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Tests run with DEBUG off and no collectstatic: the manifest storage would find no manifest.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    cache.clear()  # DRF's throttle counts live in the cache: each test starts with none
    # Tests change data and look at the dashboard again at once; tests/dashboards/test_cache.py turns it on.
    settings.DASHBOARD_CACHE_SECONDS = 0


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


def _seed_reference_data() -> None:
    """The reference data migrations seed (poverty lines, exit indicators); adds only what is missing."""
    import importlib

    from django.apps import apps

    for module in ("households.migrations.0003_poverty_lines", "villages.migrations.0002_exit_indicators"):
        importlib.import_module(module).seed(apps, None)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """A reused test database may have lost the reference data (see below): put it back once."""
    with django_db_blocker.unblock():
        _seed_reference_data()


@pytest.fixture(autouse=True)
def _reference_data_for_transactional_tests(request):
    """A transactional test ends with a flush that also removes the seeded reference data, and a reused
    database has no serialized copy to restore it from: seed it before each such test."""
    marker = request.node.get_closest_marker("django_db")
    if marker and marker.kwargs.get("transaction"):
        request.getfixturevalue("transactional_db")
        _seed_reference_data()


# -- shared data: a place and the people working on it ------------------------------------------------------


@pytest.fixture
def place(db):
    """A natural village (with its administrative village and township)."""
    return NaturalVillageFactory()


@pytest.fixture
def admin(db):
    """A county admin (县扶贫办): sees and changes the whole county."""
    return UserFactory(role=Role.COUNTY_ADMIN)


@pytest.fixture
def clerk(place):
    """The village committee's official of ``place``'s village."""
    return UserFactory(role=Role.VILLAGE_OFFICIAL, village=place.village)


@pytest.fixture
def people(place):
    """One user per role around ``place``; the cadre has an account but no household yet."""
    village = place.village
    return {
        "county": UserFactory(role=Role.COUNTY_ADMIN),
        "township": UserFactory(role=Role.TOWNSHIP_OFFICIAL, township=village.township),
        "village": UserFactory(role=Role.VILLAGE_OFFICIAL, village=village),
        "inspector": UserFactory(role=Role.INSPECTOR),
        "cadre": UserFactory(role=Role.CADRE, cadre=CadreFactory()),
    }
