"""API rate limits count across web processes: two gunicorn servers, one Redis, one count per user."""

from accounts.models import Role
from tests.factories import UserFactory

from .conftest import FAULT_TEST, Web

pytestmark = FAULT_TEST


def test_two_web_servers_share_one_rate_limit():
    servers = [Web(workers=1, API_THROTTLE_USER="6/minute").start() for _ in range(2)]
    try:
        user = UserFactory(role=Role.COUNTY_ADMIN)
        clients = [(server, server.api_for(user)) for server in servers]
        codes = [
            client.get(f"{server.url}/api/v1/households/", timeout=30).status_code
            for _ in range(6)
            for server, client in clients  # alternately: each server sees 6 of the 12 requests
        ]
    finally:
        for server in servers:
            server.stop()
    # Counted in each process's memory, all 12 would pass; counted in the shared cache, 6 do.
    assert codes[:6] == [200] * 6
    assert codes[6:] == [429] * 6
