import pytest

from accounts.models import Role
from tests.factories import NaturalVillageFactory, UserFactory


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def place(db):
    return NaturalVillageFactory()


@pytest.fixture
def admin(db):
    return UserFactory(role=Role.COUNTY_ADMIN)
