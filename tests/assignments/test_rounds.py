"""Revisit rounds: completion (visited / due / overdue) by cadre, unit, village, township and county,
computed from a hand-built county (see responsibility_data), in a fixed number of queries; reminders;
the overdue job; the round pages."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assignments import selectors
from assignments.models import RevisitRound
from assignments.tasks import overdue_flag
from core.access import Access
from core.models import Job
from households.choices import Status
from tests.assignments.responsibility_data import CLOSED, OPEN
from tests.factories import NaturalVillageFactory, PairingFactory, make_household

pytestmark = pytest.mark.django_db


def figures(rows) -> dict:
    return {r.name: (r.due, r.visited, r.overdue) for r in rows}


def completion(user, data, group_by, today=CLOSED):
    return selectors.round_completion(
        access=Access.for_user(user), round_id=data["round"].pk, group_by=group_by, today=today
    )


# -- county-wide: each group-by ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "group_by, expected",
    [
        # (due, visited, overdue): see the table in responsibility_data
        ("cadre", {"张一": (2, 1, 1), "李二": (1, 1, 0), "王三": (3, 1, 2)}),
        ("unit", {"县财政局": (3, 2, 1), "县水务局": (3, 1, 2)}),
        ("village", {"甲村": (2, 1, 1), "乙村": (2, 2, 0), "丙村": (2, 0, 2)}),
        ("township", {"甲乡": (4, 3, 1), "乙乡": (2, 0, 2)}),
        ("county", {"元谋县": (6, 3, 3)}),
    ],
)
def test_completion_by_each_group(data, users, group_by, expected):
    assert figures(completion(users["county_admin"], data, group_by)) == expected


def test_while_the_round_is_open_nothing_is_overdue_yet(data, users):
    rows = completion(users["county_admin"], data, "county", today=OPEN)
    (row,) = rows
    assert (row.due, row.visited, row.overdue, row.pending) == (6, 3, 0, 3)
    assert row.percent == 50.0


def test_a_cadre_row_carries_its_unit_and_a_village_row_its_township(data, users):
    rows = {r.name: r for r in completion(users["county_admin"], data, "cadre")}
    assert rows["王三"].detail == "县水务局"
    villages = {r.name: r for r in completion(users["county_admin"], data, "village")}
    assert villages["丙村"].detail == "乙乡"
    total = selectors.completion_total(villages.values())
    assert (total.due, total.visited, total.overdue) == (6, 3, 3)


def test_a_visit_after_the_deadline_clears_the_overdue_household(data, users):
    from tests.factories import RevisitFactory

    RevisitFactory(
        cadre=data["zhang"], household=data["h"][2], round=data["round"], visited_on=datetime.date(2016, 4, 5)
    )
    assert figures(completion(users["county_admin"], data, "cadre"))["张一"] == (2, 2, 0)


# -- scope -------------------------------------------------------------------------------------------------


def test_a_township_official_counts_only_their_township(data, users):
    official = users["township_official"]
    assert figures(completion(official, data, "township")) == {"甲乡": (4, 3, 1)}
    # 王三 answers for h7 in 乙村 (甲乡); his 丙村 households are not 甲乡's
    assert figures(completion(official, data, "cadre")) == {
        "张一": (2, 1, 1),
        "李二": (1, 1, 0),
        "王三": (1, 1, 0),
    }


def test_a_village_official_counts_only_their_village(data, users):
    assert figures(completion(users["village_official"], data, "cadre")) == {"王三": (2, 0, 2)}


def test_a_cadre_counts_only_their_active_households(data, users):
    # h7 was re-paired to 王三: no longer 张一's
    assert figures(completion(users["cadre"], data, "cadre")) == {"张一": (2, 1, 1)}


def test_an_inspector_sees_the_county(data, users):
    assert figures(completion(users["inspector"], data, "county")) == {"元谋县": (6, 3, 3)}


# -- queries -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("group_by", ["cadre", "unit", "village", "township", "county"])
@pytest.mark.parametrize("role", ["county_admin", "township_official", "cadre"])
def test_completion_takes_the_same_few_queries_whatever_the_size(data, users, group_by, role):
    user = users[role]
    with CaptureQueriesContext(connection) as small:
        completion(user, data, group_by)
    for village in (data["jia_cun"], data["bing_cun"]):
        natural_village = NaturalVillageFactory(village=village)
        for _ in range(5):
            PairingFactory(
                cadre=data["zhang"],
                household=make_household(natural_village=natural_village),
                started_on=datetime.date(2016, 1, 1),
            )
    with CaptureQueriesContext(connection) as large:
        rows = completion(user, data, group_by)
    assert len(large) == len(small) <= 3
    assert sum(r.due for r in rows) > 0


# -- reminders and the overdue job ---------------------------------------------------------------------


def test_a_cadre_is_reminded_of_their_own_overdue_households(data, users):
    reminders = selectors.overdue_for(access=Access.for_user(users["cadre"]), today=CLOSED)
    # the latest closed rounds, newest first; round 1 saw no visit of 张一's at all
    assert [r.round for r in reminders.rounds] == [data["round"], data["round1"]]
    item, earlier = reminders.rounds
    assert item.total == 1
    assert [h.household_number for h in item.households] == ["H002"]
    assert [h.household_number for h in earlier.households] == ["H001", "H002"]
    assert item.by_cadre == []  # not their unit's 责任领导
    assert reminders.total == 3


def test_a_unit_leader_also_sees_the_units_cadres(data, users):
    data["finance"].leader = "张一"
    data["finance"].save()
    reminders = selectors.overdue_for(access=Access.for_user(users["cadre"]), today=CLOSED)
    assert reminders.unit == data["finance"]
    item = reminders.rounds[0]
    assert [(r.name, r.overdue) for r in item.by_cadre] == [("张一", 1)]


def test_a_township_official_is_reminded_per_village_and_cadre(data, users):
    reminders = selectors.overdue_for(access=Access.for_user(users["township_official"]), today=CLOSED)
    item = reminders.rounds[0]
    assert item.total == 1
    assert [(r.name, r.overdue) for r in item.by_place] == [("甲村", 1)]
    assert [(r.name, r.overdue) for r in item.by_cadre] == [("张一", 1)]
    assert item.households == []  # officials get counts, not a list to chase by hand


def test_the_county_is_reminded_per_township(data, users):
    reminders = selectors.overdue_for(access=Access.for_user(users["county_admin"]), today=CLOSED)
    item = reminders.rounds[0]
    assert item.total == 3
    assert [(r.name, r.overdue) for r in item.by_place] == [("乙乡", 2), ("甲乡", 1)]


def test_reminders_show_the_open_round_and_forget_old_rounds(data, users):
    access = Access.for_user(users["county_admin"])
    during = selectors.overdue_for(access=access, today=OPEN)
    assert during.current_round == data["round"]
    assert (during.current.due, during.current.visited) == (6, 3)
    much_later = selectors.overdue_for(access=access, today=datetime.date(2017, 6, 1))
    assert much_later.rounds == [] and much_later.current_round is None


def test_the_overdue_job_records_what_it_found_and_is_idempotent(data, monkeypatch):
    monkeypatch.setattr(selectors.timezone, "localdate", lambda: CLOSED)
    job = Job.objects.create(kind="overdue_flag")
    overdue_flag.delay(job.pk)
    overdue_flag.delay()  # a scheduled run, without a job record
    job.refresh_from_db()
    assert job.state == Job.State.DONE
    item, earlier = job.result["rounds"]
    assert earlier["name"] == "2016年第1轮"
    assert (item["name"], item["due"], item["visited"], item["overdue"]) == ("2016年第2轮", 6, 3, 3)
    assert item["townships"] == {"甲乡": 1, "乙乡": 2}


def test_the_overdue_include_renders_for_each_kind_of_user(data, users, rf):
    from django.template.loader import render_to_string

    for role in ("cadre", "township_official", "county_admin"):
        user = users[role]
        request = rf.get("/")
        request.user = user
        html = render_to_string(
            "includes/assignments_overdue.html",
            {"overdue": selectors.overdue_for(access=Access.for_user(user), today=CLOSED), "user": user},
            request=request,
        )
        assert "转走访提醒" in html
        assert "逾期未走访" in html
    assert "户主2" in render_to_string(
        "includes/assignments_overdue.html",
        {"overdue": selectors.overdue_for(access=Access.for_user(users["cadre"]), today=CLOSED)},
    )


# -- pages -------------------------------------------------------------------------------------------------


def test_the_township_officials_round_page_counts_the_revisits(client, data, users):
    client.force_login(users["township_official"])
    response = client.get(reverse("assignments:round-detail", args=[data["round"].pk]))
    assert response.status_code == 200
    assert response.context["group_by"] == "village"
    assert figures(response.context["rows"]) == {"甲村": (2, 1, 1), "乙村": (2, 2, 0)}
    html = response.content.decode()
    assert "2016年第2轮完成情况" in html and "丙村" not in html
    by_cadre = client.get(reverse("assignments:round-detail", args=[data["round"].pk]), {"group_by": "cadre"})
    assert "王三" in by_cadre.content.decode()
    # the county level is not offered to a township official; asked for anyway it falls back
    county = client.get(reverse("assignments:round-detail", args=[data["round"].pk]), {"group_by": "county"})
    assert county.context["group_by"] == "village"


def test_the_round_page_reads_in_a_fixed_number_of_queries(client, data, users):
    client.force_login(users["county_admin"])
    url = reverse("assignments:round-detail", args=[data["round"].pk])
    with CaptureQueriesContext(connection) as before:
        client.get(url, {"group_by": "cadre"})
    make_household(natural_village=data["nv"]["jia"])
    PairingFactory(cadre=data["li"], household=make_household(natural_village=data["nv"]["yi"]))
    with CaptureQueriesContext(connection) as after:
        client.get(url, {"group_by": "cadre"})
    assert len(after) == len(before)


def test_county_admin_creates_a_round(client, users):
    client.force_login(users["county_admin"])
    response = client.post(
        reverse("assignments:round-create"),
        {"year": 2016, "number": 3, "name": "", "starts_on": "2016-04-01", "ends_on": "2016-04-30"},
    )
    created = RevisitRound.objects.get(year=2016, number=3)
    assert response.status_code == 302
    assert created.name == "2016年第3轮"


@pytest.mark.parametrize(
    "post, message",
    [
        ({"year": 2016, "number": 3, "starts_on": "2016-03-20", "ends_on": "2016-04-30"}, "日期重叠"),
        ({"year": 2016, "number": 2, "starts_on": "2016-06-01", "ends_on": "2016-06-30"}, "已存在"),
        (
            {"year": 2016, "number": 3, "starts_on": "2016-06-30", "ends_on": "2016-06-01"},
            "截止日期不能早于开始日期",
        ),
        ({"year": 2016, "number": 3, "starts_on": "六月", "ends_on": "2016-06-01"}, "日期格式错误"),
        ({"year": "", "number": 3, "starts_on": "2016-06-01", "ends_on": "2016-06-30"}, "请填写年度"),
    ],
)
def test_a_bad_round_is_refused_in_chinese_and_nothing_is_saved(client, data, users, post, message):
    client.force_login(users["county_admin"])
    before = list(RevisitRound.objects.values_list("pk", "name", "starts_on", "ends_on"))
    response = client.post(reverse("assignments:round-create"), post)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert list(RevisitRound.objects.values_list("pk", "name", "starts_on", "ends_on")) == before


@pytest.mark.parametrize("role", ["township_official", "village_official", "inspector", "cadre"])
def test_only_the_county_admin_creates_rounds(client, data, users, role):
    client.force_login(users[role])
    response = client.post(
        reverse("assignments:round-create"),
        {"year": 2016, "number": 3, "starts_on": "2016-04-01", "ends_on": "2016-04-30"},
    )
    assert response.status_code == 404
    assert not RevisitRound.objects.filter(number=3).exists()


def test_the_rounds_list_shows_each_round_and_its_state(client, data, users):
    client.force_login(users["inspector"])
    response = client.get(reverse("assignments:rounds"))
    html = response.content.decode()
    assert "2016年第1轮" in html and "2016年第2轮" in html and "已截止" in html
    assert "新建轮次" not in html


def test_officials_see_the_revisits_in_their_scope(client, data, users):
    client.force_login(users["township_official"])
    response = client.get(reverse("assignments:revisit-list"))
    numbers = {r.household.household_number for r in response.context["page_obj"].object_list}
    assert numbers == {"H001", "H003", "H007"}  # 甲乡's; H010's visit is 乙乡's
    client.force_login(users["village_official"])
    response = client.get(reverse("assignments:revisit-list"), {"round": data["round1"].pk})
    assert {r.household.household_number for r in response.context["page_obj"].object_list} == {"H010"}
    client.force_login(users["county_admin"])
    response = client.get(reverse("assignments:revisit-list"), {"round": data["round"].pk})
    assert response.context["page_obj"].paginator.count == 2


def test_a_cadre_does_not_get_the_officials_pages(client, data, users):
    client.force_login(users["cadre"])
    for name in ("rounds", "revisit-list", "pairings", "without-cadre", "cadres", "work-units"):
        assert client.get(reverse(f"assignments:{name}")).status_code == 404
    assert client.get(reverse("assignments:round-detail", args=[data["round"].pk])).status_code == 404


def test_removed_households_are_never_due(data, users):
    data["h"][2].status = Status.REMOVED
    data["h"][2].save()
    assert figures(completion(users["county_admin"], data, "cadre"))["张一"] == (1, 1, 0)
