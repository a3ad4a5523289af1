"""schemathesis against /api/schema/ (issue 11, "Fuzzing"): every operation of the API, called in-process
through the WSGI app with a county admin's token and a township official's token, answers no 500 and
nothing that breaks its own schema. Bounded: a few examples per operation, so the whole fuzz stays
within a few minutes on a small machine."""

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import override_settings
from hypothesis import HealthCheck, Phase, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from accounts.models import Role
from tests.factories import (
    AssessmentFactory,
    CadreFactory,
    NaturalVillageFactory,
    PairingFactory,
    ProjectFactory,
    RevisitFactory,
    UserFactory,
    make_household,
)

EXAMPLES = 2  # per operation and token: the fuzz is a smoke alarm in `make test`, not a soak


@pytest.fixture
def _connection_kept():
    """The WSGI handler closes the database connection after each request, and with it the test's
    transaction; Django's own test client turns that off the same way."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def tokens(db, settings, _connection_kept):
    """A small county: a household with a pairing, a revisit, an assessment and a project, so that ids
    the fuzzer picks (1, 2, ...) sometimes exist; and the two tokens the fuzz calls with."""
    place = NaturalVillageFactory()
    household = make_household(natural_village=place)
    AssessmentFactory(household=household)
    cadre = CadreFactory()
    PairingFactory(cadre=cadre, household=household)
    RevisitFactory(cadre=cadre, household=household)
    ProjectFactory(township=place.village.township)
    settings.ALLOWED_HOSTS = ["localhost", "testserver"]  # the WSGI client's host
    admin = UserFactory(role=Role.COUNTY_ADMIN)
    township = UserFactory(role=Role.TOWNSHIP_OFFICIAL, township=place.village.township)
    return [Token.objects.create(user=user).key for user in (admin, township)]


# The schema is read once, when the tests are collected (before any fixture: no HTTPS redirect here).
with override_settings(ALLOWED_HOSTS=["localhost"], SECURE_SSL_REDIRECT=False):
    schema = schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    database=None,  # no example database on disk: each run starts clean
    phases=[Phase.explicit, Phase.generate],  # no shrinking: a failure is reported as found, quickly
)
def test_the_api_answers_no_500_and_keeps_to_its_schema(case, tokens):
    for token in tokens:
        case.call_and_validate(
            headers={"Authorization": f"Token {token}"},
            checks=[not_a_server_error, response_schema_conformance],
        )


# -- what the fuzz found, each kept as a case of its own --------------------------------------------------


def _validate(tokens, path, method, **parts):
    case = schema[path][method].Case(**parts)
    case.call_and_validate(
        headers={"Authorization": f"Token {tokens[0]}"},
        checks=[not_a_server_error, response_schema_conformance],
    )


def test_a_member_with_no_education_labour_or_leaving_keeps_to_the_member_schema(tokens):
    # blank choices (文化程度 / 劳动能力 not recorded, not left) are in the schema's enums
    _validate(tokens, "/api/v1/members/", "GET")
    _validate(tokens, "/api/v1/households/", "GET")


def test_an_export_with_a_wrong_filter_answers_field_errors_as_its_schema_says(tokens):
    _validate(tokens, "/api/v1/exports/households/", "GET", query={"status": "nonsense"})


def test_an_import_with_no_file_answers_field_errors_as_its_schema_says(tokens):
    _validate(tokens, "/api/v1/imports/", "POST", body={}, media_type="multipart/form-data")
