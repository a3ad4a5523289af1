"""The exit-procedure pages: each of the five steps in the browser, by its own role, with the service's
refusals shown in its own words.

The pages act "today" (the services' default date). A 公示 runs PUBLIC_NOTICE_DAYS from the step that
starts it, so to walk past one without waiting a week the tests move ``notice_ends_on`` to yesterday in the
database (``end_notice``): the same state the application reaches when the notice really ends.
"""

import datetime

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from households import choices
from households.exit.services import exit_application_advance, exit_application_create
from households.models import ExitApplication, ExitObjection
from households.services import household_decision_refresh
from tests.factories import AssessmentFactory, NaturalVillageFactory, UserFactory, make_household

pytestmark = pytest.mark.django_db

APPROVE, REJECT = choices.Decision.APPROVE, choices.Decision.REJECT


def household_with_income(place, per_head: int):
    """A two-person household whose 2016 per-capita net income is ``per_head``, all six guarantees met."""
    household = make_household(natural_village=place)
    AssessmentFactory(household=household, year=2016, wage_income=per_head * 2, operating_income=0)
    household_decision_refresh(household)  # as recording an assessment through the service does
    return household


def end_notice(application):
    """Simulate the 公示 having run its course (see the module docstring)."""
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    ExitApplication.objects.filter(pk=application.pk, notice_ends_on__isnull=False).update(
        notice_ends_on=yesterday
    )


def to_township_verified(application, people):
    """Through the services, as the pages would: 村委会确定, 民主评议, (公示), 乡镇复核, (公示)."""
    exit_application_advance(application=application, user=people["village"], decision=APPROVE)
    exit_application_advance(application=application, user=people["village"], decision=APPROVE)
    end_notice(application)
    exit_application_advance(application=application, user=people["township"], decision=APPROVE)
    end_notice(application)
    application.refresh_from_db()
    return application


def post_advance(client, application, decision=APPROVE, comment="同意"):
    application.refresh_from_db()  # the form names the state it decides, as the page's form does
    return client.post(
        reverse("households:exit-advance", args=[application.pk]),
        {"decision": decision, "comment": comment, "step": application.state},
    )


def texts(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def html(response) -> str:
    return response.content.decode()


# -- the whole procedure ---------------------------------------------------------------------------------


def test_three_roles_take_a_household_through_all_five_steps(client, place, people):
    household = household_with_income(place, 4000)

    client.force_login(people["village"])
    page = client.get(reverse("households:exit-create", args=[household.pk]))
    assert page.status_code == 200 and "登记脱贫申请" in html(page)
    response = client.post(
        reverse("households:exit-create", args=[household.pk]), {"year": 2016, "comment": "户主申请"}
    )
    application = ExitApplication.objects.get(household=household)
    assert response.status_code == 302
    assert response["Location"] == reverse("households:exit-detail", args=[application.pk])

    response = post_advance(client, application, comment="村委会会议确定")  # 村委会确定
    assert "已办理“村委会确定脱贫名单”：同意。" in texts(response)
    response = post_advance(client, application, comment="代表大会评议通过")  # 民主评议, 公示 starts
    assert any("公示至" in t for t in texts(response))
    application.refresh_from_db()
    assert application.state == choices.ExitState.ASSEMBLY_REVIEWED and application.notice_ends_on

    end_notice(application)
    client.force_login(people["township"])
    detail = client.get(reverse("households:exit-detail", args=[application.pk]))
    assert "办理：乡镇复核验收" in html(detail)  # the township's turn: its form is shown
    post_advance(client, application, comment="入户核查属实")  # 乡镇复核, 公示 again

    end_notice(application)
    client.force_login(people["county"])
    response = post_advance(client, application, comment="同意脱贫")  # 县审批
    assert f"{household.head_name}户已审批脱贫，脱贫年度 2016 年。" in texts(response)

    household.refresh_from_db()
    application.refresh_from_db()
    assert (household.status, household.exit_year) == (choices.Status.EXITED, 2016)
    assert application.state == choices.ExitState.COUNTY_APPROVED
    page = html(client.get(reverse("households:exit-detail", args=[application.pk])))
    for done in ("贫困户申请", "村委会确定", "民主评议", "乡镇复核", "县审批", "入户核查属实", "同意脱贫"):
        assert done in page
    assert list(application.steps.values_list("actor__role", flat=True)) == [
        Role.VILLAGE_OFFICIAL,
        Role.VILLAGE_OFFICIAL,
        Role.VILLAGE_OFFICIAL,
        Role.TOWNSHIP_OFFICIAL,
        Role.COUNTY_ADMIN,
    ]


def test_county_approval_of_a_household_below_the_line_is_refused_with_the_reason(client, place, people):
    household = household_with_income(place, 2700)
    application = exit_application_create(household=household, year=2016, user=people["village"])
    to_township_verified(application, people)
    client.force_login(people["county"])

    response = post_advance(client, application)

    reason = "人均纯收入 2,700 元 低于 2016 年标准 2,952 元"
    assert response.status_code == 400
    assert reason in html(response)  # in the message and in the eligibility panel
    assert any(reason in t for t in texts(response))
    household.refresh_from_db()
    application.refresh_from_db()
    assert (household.status, household.exit_year) == (choices.Status.POOR, None)
    assert application.state == choices.ExitState.TOWNSHIP_VERIFIED
    assert application.steps.count() == 4


def test_the_application_page_says_what_approval_would_check(client, place, people):
    application = exit_application_create(
        household=household_with_income(place, 2700), year=2016, user=people["village"]
    )
    client.force_login(people["village"])
    page = html(client.get(reverse("households:exit-detail", args=[application.pk])))
    assert "不符合脱贫条件" in page and "人均纯收入 2,700 元 低于 2016 年标准 2,952 元" in page
    assert "下一步" in page and "村委会确定脱贫名单" in page


# -- refusals ------------------------------------------------------------------------------------------------


def test_a_step_posted_by_the_wrong_role_is_refused_with_a_message(client, place, people):
    application = exit_application_create(
        household=household_with_income(place, 4000), year=2016, user=people["village"]
    )
    client.force_login(people["township"])
    detail = html(client.get(reverse("households:exit-detail", args=[application.pk])))
    assert "办理：" not in detail  # not their turn: no form

    response = post_advance(client, application)

    assert response.status_code == 400
    assert any("由村委会工作人员办理" in t for t in texts(response))
    application.refresh_from_db()
    assert application.state == choices.ExitState.APPLIED and application.steps.count() == 1


def test_an_application_out_of_scope_is_not_found(client, place, people):
    application = exit_application_create(
        household=household_with_income(place, 4000), year=2016, user=people["village"]
    )
    stranger = UserFactory(role=Role.VILLAGE_OFFICIAL, village=NaturalVillageFactory().village)
    client.force_login(stranger)

    assert client.get(reverse("households:exit-detail", args=[application.pk])).status_code == 404
    assert post_advance(client, application).status_code == 404
    assert client.get(reverse("households:exit-create", args=[application.household_id])).status_code == 404
    assert application.steps.count() == 1
    assert f'data-application="{application.pk}"' not in html(client.get(reverse("households:exit-list")))


def test_reject_needs_a_reason(client, place, people):
    application = exit_application_create(
        household=household_with_income(place, 4000), year=2016, user=people["village"]
    )
    client.force_login(people["village"])

    response = post_advance(client, application, decision=REJECT, comment="  ")

    assert response.status_code == 400
    assert "退回时必须填写理由" in html(response)
    application.refresh_from_db()
    assert application.state == choices.ExitState.APPLIED

    response = post_advance(client, application, decision=REJECT, comment="收入核实不准")
    application.refresh_from_db()
    assert application.state == choices.ExitState.REJECTED
    assert any("收入核实不准" in t for t in texts(response))


def test_an_unresolved_objection_holds_the_next_step(client, place, people):
    application = exit_application_create(
        household=household_with_income(place, 4000), year=2016, user=people["village"]
    )
    exit_application_advance(application=application, user=people["village"], decision=APPROVE)
    exit_application_advance(application=application, user=people["village"], decision=APPROVE)
    client.force_login(people["village"])
    objection_url = reverse("households:exit-objection", args=[application.pk])

    assert client.post(objection_url, {"raised_by": "", "content": " "}).status_code == 400  # empty
    response = client.post(objection_url, {"raised_by": "村民甲", "content": "该户有轿车"})
    assert response.status_code == 302 and "已记录公示异议" in " ".join(texts(response))
    objection = ExitObjection.objects.get(application=application)

    end_notice(application)
    client.force_login(people["township"])
    response = post_advance(client, application)
    assert response.status_code == 400
    assert any("1 条异议尚未处理" in t for t in texts(response))
    application.refresh_from_db()
    assert application.state == choices.ExitState.ASSEMBLY_REVIEWED

    client.post(reverse("households:exit-objection-resolve", args=[objection.pk]), {"resolution": "借用车辆"})
    objection.refresh_from_db()
    assert objection.resolution == "借用车辆"
    post_advance(client, application)
    application.refresh_from_db()
    assert application.state == choices.ExitState.TOWNSHIP_VERIFIED


def test_the_next_step_waits_for_the_notice_and_the_page_says_until_when(client, place, people):
    application = exit_application_create(
        household=household_with_income(place, 4000), year=2016, user=people["village"]
    )
    exit_application_advance(application=application, user=people["village"], decision=APPROVE)
    exit_application_advance(application=application, user=people["village"], decision=APPROVE)
    application.refresh_from_db()
    ends = application.notice_ends_on
    client.force_login(people["township"])

    listing = html(client.get(reverse("households:exit-list")))
    assert "公示中" in listing and f"{ends.year}年{ends.month}月{ends.day}日" in listing
    response = post_advance(client, application)
    assert any("期满后才能办理" in t for t in texts(response))
    application.refresh_from_db()
    assert application.state == choices.ExitState.ASSEMBLY_REVIEWED


# -- batches -------------------------------------------------------------------------------------------------


def test_a_village_puts_its_eligible_households_forward_in_one_go(client, place, people):
    rich, also_rich = household_with_income(place, 4000), household_with_income(place, 5000)
    poor = household_with_income(place, 2000)
    client.force_login(people["village"])
    url = reverse("households:exit-batch-create")

    page = client.get(url, {"year": 2016})
    listed = [h.pk for h in page.context["candidates"]]
    assert sorted(listed) == sorted([rich.pk, also_rich.pk])  # only the eligible are listed
    assert poor.household_number not in html(page)

    # Meanwhile one of them got an application of its own: that one is refused, the other goes through.
    exit_application_create(household=also_rich, year=2016, user=people["village"])
    response = client.post(url, {"year": 2016, "households": [rich.pk, also_rich.pk]})

    assert response.status_code == 302
    messages = texts(response)
    assert "已提交 1 户脱贫申请" in messages[0]
    assert any("已有正在办理的脱贫申请" in t for t in messages)
    assert ExitApplication.objects.filter(household=rich, state=choices.ExitState.APPLIED).exists()


def test_only_village_officials_put_households_forward(client, people):
    client.force_login(people["township"])
    response = client.get(reverse("households:exit-batch-create"))
    assert response.status_code == 302
    assert any("由村委会工作人员登记" in t for t in texts(response))


def test_the_county_approves_a_townships_verified_list_each_household_checked(client, place, people):
    rich = household_with_income(place, 4000)
    poor = household_with_income(place, 2000)
    for household in (rich, poor):
        application = exit_application_create(household=household, year=2016, user=people["village"])
        to_township_verified(application, people)
    client.force_login(people["county"])
    url = reverse("households:exit-batch-advance")
    township = place.village.township

    page = client.get(url, {"township": township.pk})
    assert len(page.context["rows"]) == 2
    ids = [a.pk for a, _ in page.context["rows"]]
    response = client.post(url, {"township": township.pk, "applications": ids, "comment": "同意"})

    assert response.status_code == 200
    rows = {row["household"].pk: row for row in response.context["rows"]}
    assert rows[rich.pk]["approved"] and not rows[poor.pk]["approved"]
    assert "人均纯收入 2,000 元 低于 2016 年标准 2,952 元" in rows[poor.pk]["reason"]
    page = html(response)
    assert '同意脱贫 <strong class="text-success">1</strong> 户' in page
    assert "低于 2016 年标准" in page
    rich.refresh_from_db()
    poor.refresh_from_db()
    assert (rich.status, rich.exit_year) == (choices.Status.EXITED, 2016)
    assert poor.status == choices.Status.POOR


def test_batch_approval_is_the_countys(client, people):
    client.force_login(people["township"])
    response = client.get(reverse("households:exit-batch-advance"))
    assert response.status_code == 302


# -- printables ---------------------------------------------------------------------------------------------


def test_the_village_notice_lists_households_in_notice_with_masked_ids(client, place, people):
    household = household_with_income(place, 4000)
    application = exit_application_create(household=household, year=2016, user=people["village"])
    exit_application_advance(application=application, user=people["village"], decision=APPROVE)
    exit_application_advance(application=application, user=people["village"], decision=APPROVE)
    head_id = household.members.get(relation=choices.Relation.HEAD).id_number
    client.force_login(people["village"])  # an official who sees whole numbers elsewhere

    response = client.get(reverse("households:exit-notice"), {"year": 2016, "contact": "村委会 0878-1234567"})

    page = html(response)
    assert response.status_code == 200
    assert f"{place.village.township.name}{place.village.name}2016年贫困户脱贫公示" in page
    assert household.head_name in page and "村委会 0878-1234567" in page
    assert head_id not in page
    assert f"{head_id[:6]}********{head_id[-4:]}" in page
    assert "4000.00" in page  # per-capita net income
    assert "households/exit.css" in page  # the A4 print styles: no navbar, no form on paper


def test_the_county_announcement_lists_approved_households_by_township(client, place, people):
    household = household_with_income(place, 4000)
    application = exit_application_create(household=household, year=2016, user=people["village"])
    to_township_verified(application, people)
    exit_application_advance(application=application, user=people["county"], decision=APPROVE)
    head_id = household.members.get(relation=choices.Relation.HEAD).id_number
    client.force_login(people["county"])

    page = html(client.get(reverse("households:exit-announcement"), {"year": 2016}))

    assert "2016年贫困户脱贫公告" in page
    assert place.village.township.name in page and household.head_name in page
    assert "1 户 2 人" in page
    assert head_id not in page and f"{head_id[:6]}********{head_id[-4:]}" in page


# -- scale ---------------------------------------------------------------------------------------------------


def _list_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("households:exit-list"), {"state": "open", "year": 2016})
    assert response.status_code == 200
    return len(queries)


def test_the_list_costs_the_same_queries_for_5_and_30_applications(client, place, people):
    client.force_login(people["township"])
    for _ in range(5):
        exit_application_create(
            household=household_with_income(place, 4000), year=2016, user=people["village"]
        )
    few = _list_queries(client)
    for _ in range(25):
        exit_application_create(
            household=household_with_income(place, 4000), year=2016, user=people["village"]
        )
    assert _list_queries(client) == few
