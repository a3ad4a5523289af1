"""English is complete (issue 10): geography labels and refusals in English when English is chosen."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from accounts.models import Role
from tests.factories import TownshipFactory, UserFactory
from villages import services
from villages.models import AdministrativeVillage, ExitIndicator

pytestmark = pytest.mark.django_db


def test_model_and_choice_labels_in_english():
    with translation.override("en"):
        assert str(AdministrativeVillage._meta.verbose_name) == "Administrative village"
        assert str(ExitIndicator.Level.TOWNSHIP.label) == "Poor township"
    with translation.override("zh-hans"):
        assert str(AdministrativeVillage._meta.verbose_name) == "行政村"


def test_a_duplicate_township_is_refused_in_english():
    township = TownshipFactory(name="甲乡")
    admin = UserFactory(role=Role.COUNTY_ADMIN)
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        services.township_create(user=admin, county=township.county, name="甲乡")
    assert 'already has a township "甲乡": township names must be unique within a county.' in str(
        caught.value
    )
