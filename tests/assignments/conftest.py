import datetime

import pytest

from accounts.models import Role
from tests.assignments import responsibility_data
from tests.factories import CadreFactory, NaturalVillageFactory, PairingFactory, UserFactory, make_household


@pytest.fixture
def data(db):
    """The hand-built county of responsibility_data: units, cadres, pairings, rounds and revisits."""
    return responsibility_data.build()


@pytest.fixture
def users(data):
    """One login per role (see responsibility_data.users)."""
    return responsibility_data.users(data)


@pytest.fixture
def paired(db):
    """A cadre with a login, paired since 2016-01-05 with one household; another household not theirs."""
    household = make_household(natural_village=NaturalVillageFactory(), phone="13912345678")
    cadre = CadreFactory(name="夏霞娟")
    PairingFactory(cadre=cadre, household=household, started_on=datetime.date(2016, 1, 5))
    user = UserFactory(role=Role.CADRE, cadre=cadre)
    other = make_household(natural_village=NaturalVillageFactory())
    PairingFactory(household=other)
    return {"household": household, "cadre": cadre, "user": user, "other": other}
