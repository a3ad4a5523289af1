"""Two officials approve the same exit step at the same moment, from two web processes: it happens once.

The test holds the application's row lock while both requests arrive, so both are inside the service,
waiting on the same row, before either can decide (seen in pg_stat_activity); then it lets them go.
"""

import threading

from accounts.models import Role
from households.choices import ExitState
from households.exit.services import exit_application_create
from households.models import ExitStep
from tests.factories import AssessmentFactory, NaturalVillageFactory, UserFactory, make_household

from .conftest import FAULT_TEST, WEB_APP, backends, raw_connection, wait_until

pytestmark = FAULT_TEST


def test_two_officials_approving_the_same_step_at_once_take_it_once(web):
    place = NaturalVillageFactory()
    household = make_household(natural_village=place)
    AssessmentFactory(household=household, year=2016)
    first, second = (UserFactory(role=Role.VILLAGE_OFFICIAL, village=place.village) for _ in range(2))
    application = exit_application_create(household=household, year=2016, user=first)
    url = f"{web.url}/api/v1/exit-applications/{application.pk}/advance/"
    clients = [web.api_for(first), web.api_for(second)]
    answers = {}

    def approve(index: int) -> None:
        response = clients[index].post(url, json={"decision": "approve", "step": "applied"}, timeout=30)
        answers[index] = (response.status_code, response.json())

    holder = raw_connection()
    with holder.cursor() as cursor:
        cursor.execute("SELECT id FROM households_exitapplication WHERE id = %s FOR UPDATE", [application.pk])
        threads = [threading.Thread(target=approve, args=(i,)) for i in range(2)]
        for thread in threads:
            thread.start()
        # Both web processes are inside the service, waiting on the row: neither has decided yet.
        wait_until(lambda: len(backends(WEB_APP, waiting=True)) == 2, 30, "both requests waiting on the row")
    holder.commit()  # released: they decide one after the other
    holder.close()
    for thread in threads:
        thread.join(30)

    codes = sorted(code for code, _ in answers.values())
    assert codes == [200, 409], answers
    refused = next(body for code, body in answers.values() if code == 409)
    assert "未予办理" in refused["detail"]
    application.refresh_from_db()
    assert application.state == ExitState.VILLAGE_CONFIRMED
    # The procedure's history: the application, then one confirmation.
    steps = ExitStep.objects.filter(application=application).order_by("id")
    assert [s.state for s in steps] == [ExitState.APPLIED, ExitState.VILLAGE_CONFIRMED]
