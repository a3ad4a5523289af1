import pytest

from tests.assignments import responsibility_data


@pytest.fixture
def data(db):
    """The hand-built county of responsibility_data: units, cadres, pairings, rounds and revisits."""
    return responsibility_data.build()


@pytest.fixture
def users(data):
    """One login per role (see responsibility_data.users)."""
    return responsibility_data.users(data)
