"""Issue 11, findings 2 and 15: an exit decision names the state it decides; exit texts are bounded."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from households import choices
from households.exit.services import (
    StaleExitStep,
    exit_application_advance,
    exit_application_create,
    exit_objection_record,
)
from households.models import ExitApplication
from tests.households.test_api import client_for
from tests.households.test_exit_pages import household_with_income

pytestmark = pytest.mark.django_db
APPROVE = choices.Decision.APPROVE


def applied(place, people):  # noqa: F811
    return exit_application_create(
        household=household_with_income(place, 4000), year=2016, user=people["village"]
    )


def test_a_double_submit_of_the_village_approval_does_not_skip_the_assembly(client, place, people):  # noqa: F811
    application = applied(place, people)
    client.force_login(people["village"])
    url = reverse("households:exit-advance", args=[application.pk])
    page = client.get(reverse("households:exit-detail", args=[application.pk])).content.decode()
    assert 'name="step" value="applied"' in page  # the form names the state it decides
    sent = {"decision": APPROVE, "comment": "名单确定", "step": "applied"}
    assert client.post(url, sent).status_code == 302
    again = client.post(url, sent)  # the same form, sent a second time
    assert again.status_code == 400 and "已办理到" in again.content.decode()
    application.refresh_from_db()
    assert application.state == choices.ExitState.VILLAGE_CONFIRMED and application.steps.count() == 2


def test_the_page_form_without_a_step_is_refused(client, place, people):  # noqa: F811
    application = applied(place, people)
    client.force_login(people["village"])
    response = client.post(reverse("households:exit-advance", args=[application.pk]), {"decision": APPROVE})
    assert response.status_code == 400
    application.refresh_from_db()
    assert application.state == choices.ExitState.APPLIED


def test_the_service_refuses_a_stale_step(place, people):  # noqa: F811
    application = applied(place, people)
    exit_application_advance(
        application=application, user=people["village"], decision=APPROVE, step="applied"
    )
    with pytest.raises(StaleExitStep, match="已办理到“村委会确定”"):
        exit_application_advance(
            application=application, user=people["village"], decision=APPROVE, step="applied"
        )
    assert ExitApplication.objects.get().state == choices.ExitState.VILLAGE_CONFIRMED


def test_the_api_answers_409_to_a_stale_step(place, people):  # noqa: F811
    application = applied(place, people)
    api = client_for(people["village"])
    url = f"/api/v1/exit-applications/{application.pk}/advance/"
    assert api.post(url, {"decision": "approve", "step": "applied"}).status_code == 200
    response = api.post(url, {"decision": "approve", "step": "applied"})
    assert response.status_code == 409
    assert "已办理到“村委会确定”" in response.json()["detail"]
    application.refresh_from_db()
    assert application.steps.count() == 2


# -- 15: length limits ----------------------------------------------------------------------------------


def test_an_exit_comment_over_the_limit_is_refused(place, people):  # noqa: F811
    application = applied(place, people)
    with pytest.raises(ValidationError, match="不能超过") as caught:
        exit_application_advance(
            application=application, user=people["village"], decision=APPROVE, comment="很" * 2001
        )
    assert "comment" in caught.value.message_dict
    api = client_for(people["village"])
    response = api.post(
        f"/api/v1/exit-applications/{application.pk}/advance/",
        {"decision": "approve", "comment": "很" * 2001},
    )
    assert response.status_code == 400 and "comment" in response.json()
    assert ExitApplication.objects.get().steps.count() == 1


def test_an_objection_over_the_limit_is_refused(place, people):  # noqa: F811
    application = applied(place, people)
    exit_application_advance(application=application, user=people["village"], decision=APPROVE)
    exit_application_advance(application=application, user=people["village"], decision=APPROVE)
    with pytest.raises(ValidationError, match="不能超过"):
        exit_objection_record(application=application, user=people["village"], content="很" * 2001)
    with pytest.raises(ValidationError, match="不能超过"):
        exit_objection_record(
            application=application, user=people["village"], content="有车", raised_by="甲" * 51
        )
    assert not application.objections.exists()
