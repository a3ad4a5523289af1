"""ColumnsReadDirectly (core/api.py): the serializers that read columns directly answer exactly what DRF's
own reading of the same fields answers."""

import datetime

import pytest
from django.utils import translation
from rest_framework import serializers
from rest_framework.test import APIRequestFactory, force_authenticate

from assignments.models import Revisit
from assignments.phone.api import RevisitSerializer
from core.api import ColumnsReadDirectly
from households.api import HouseholdSerializer, MemberSerializer
from households.models import Household, Member
from tests.factories import PairingFactory, RevisitFactory, make_household


def _drf(serializer, row) -> dict:
    """The row as DRF's own Serializer.to_representation reads it, with the same bound fields."""
    return serializers.Serializer.to_representation(serializer, row)


def _context(user) -> dict:
    request = APIRequestFactory().get("/api/v1/households/")
    force_authenticate(request, user=user)
    request.user = user
    return {"request": request}


@pytest.fixture
def rows(place, people):
    household = make_household(natural_village=place, phone="13900001111")
    PairingFactory(cadre=people["cadre"].cadre, household=household)
    # Blank and missing values next to full ones: None must stay None, "" and [] stay as they are.
    Member.objects.filter(household=household, relation="spouse").update(
        education="", health=[], disability_certificate="", labour=""
    )
    RevisitFactory(household=household, cadre=people["cadre"].cadre, round=None, latitude=None)
    RevisitFactory(household=household, cadre=people["cadre"].cadre, latitude="25.712345", longitude="101.8")
    return household


@pytest.mark.parametrize("role", ["county", "cadre"])  # ID numbers and phones whole, then masked
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_every_serializer_that_reads_columns_answers_as_drf_does(rows, people, role, language):
    context = _context(people[role])
    cases = [
        (HouseholdSerializer, Household.objects.select_related("natural_village", "village", "township")),
        (MemberSerializer, Member.objects.filter(household=rows)),
        (
            RevisitSerializer,
            Revisit.objects.filter(household=rows).select_related("household", "cadre", "round"),
        ),
    ]
    with translation.override(language):
        for serializer_class, queryset in cases:
            assert issubclass(serializer_class, ColumnsReadDirectly)
            for row in queryset:
                serializer = serializer_class(context=context)
                answered = serializer.to_representation(row)
                assert answered == _drf(serializer, row), serializer_class.__name__
                assert list(answered) == list(serializer.fields)  # every field, in the declared order


def test_columns_are_read_directly_and_the_rest_the_drf_way(rows, people):
    serializer = HouseholdSerializer(context=_context(people["county"]))
    plan = {name: (column, is_key) for name, _field, column, is_key in serializer._read_plan()}
    assert plan["household_number"] == ("household_number", False)
    assert plan["natural_village"] == ("natural_village_id", True)  # its id, no PKOnlyObject
    assert plan["status_display"] == ("status", False)  # a label of a column: the column, then the label
    assert plan["village_name"] == (None, False)  # dotted source
    assert plan["members"] == (None, False)  # nested
    assert plan["member_count"] == (None, False)  # method field


def test_a_key_and_a_date_come_out_as_drf_gives_them(rows, people):
    revisit = Revisit.objects.filter(household=rows, round__isnull=False).get()
    answered = RevisitSerializer(revisit, context=_context(people["cadre"])).data
    assert answered["household"] == rows.pk and answered["round"] == revisit.round_id
    assert answered["visited_on"] == datetime.date(2016, 3, 1).isoformat()
    assert answered["latitude"] == "25.712345"
