"""API clients for tests, and what a list answer holds."""

from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient


def client_for(user) -> APIClient:
    """An API client signed in as ``user`` (no password or token round-trip)."""
    client = APIClient()
    client.force_authenticate(user)
    return client


def token_client(user) -> APIClient:
    """Authenticates on every request with the user's token, as a phone or a script does."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


def ids(response) -> set[int]:
    """The ids of a list answer's page (which must be a 200)."""
    assert response.status_code == 200, response.content
    return {r["id"] for r in response.json()["results"]}
