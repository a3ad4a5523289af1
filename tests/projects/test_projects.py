"""Projects, relocation, training, help plans and targets: the rules (issue 9 "Bad input"), scope, history,
pages and API, with pinned query counts for the list pages and endpoints."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.models import Role
from core.access import Access
from households import choices
from households.models import AssistanceMeasure, HelpPlan, Member
from households.selectors import measure_batches
from households.services import help_plan_save, household_remove, measure_add, member_leave
from projects import selectors, services
from projects.models import ProgressEntry, Project, Relocation, RelocationSite, Training
from tests.factories import (
    CountyFactory,
    NaturalVillageFactory,
    TownshipFactory,
    UserFactory,
    VillageFactory,
    make_household,
    member_data,
)

pytestmark = pytest.mark.django_db
R = choices.Relation


@pytest.fixture
def world():
    home = NaturalVillageFactory()
    township = home.village.township
    other_nv = NaturalVillageFactory()
    site_nv = NaturalVillageFactory(village=VillageFactory(township=township))
    return {
        "township": township,
        "village": home.village,
        "home": home,
        "site_nv": site_nv,
        "other_township": other_nv.village.township,
        "other_nv": other_nv,
        "admin": UserFactory(role=Role.COUNTY_ADMIN),
        "official": UserFactory(role=Role.TOWNSHIP_OFFICIAL, township=township),
        "other_official": UserFactory(role=Role.TOWNSHIP_OFFICIAL, township=other_nv.village.township),
        "inspector": UserFactory(role=Role.INSPECTOR),
        "household": make_household(natural_village=home),
        "outsider": make_household(natural_village=other_nv),
    }


def project(world, user=None, **kw):
    values = {
        "name": "测试道路项目",
        "category": Project.Category.ROAD,
        "year": 2016,
        "township": world["township"],
        "planned_investment": Decimal("1000000"),
        "approved_on": datetime.date(2016, 3, 1),
        "started_on": datetime.date(2016, 4, 1),
    }
    values.update(kw)
    return services.project_create(user=user or world["official"], **values)


def message(exc: ValidationError, field: str) -> str:
    return " ".join(exc.value.message_dict[field])


# -- scope ---------------------------------------------------------------------------------------------


def test_another_townships_project_answers_404(world, client):
    p = project(world)
    client.force_login(world["other_official"])
    assert client.get(reverse("projects:detail", args=[p.pk])).status_code == 404
    with pytest.raises(Http404):
        selectors.project_detail(access=Access.for_user(world["other_official"]), pk=p.pk)
    api = APIClient()
    api.force_authenticate(world["other_official"])
    assert api.get(f"/api/v1/projects/{p.pk}/").status_code == 404
    assert api.patch(f"/api/v1/projects/{p.pk}/", {"name": "改"}, format="json").status_code == 404
    client.force_login(world["official"])
    assert client.get(reverse("projects:detail", args=[p.pk])).status_code == 200


def test_a_township_official_writes_only_in_their_township_and_an_inspector_not_at_all(world):
    with pytest.raises(ValidationError) as exc:
        project(world, township=world["other_township"])
    assert "只能在您管辖的乡镇" in message(exc, "township")
    with pytest.raises(ValidationError) as exc:
        project(world, township=None)
    assert "只有县扶贫办可以登记县级项目" in message(exc, "township")
    with pytest.raises(ValidationError):
        project(world, user=world["inspector"])
    assert project(world, user=world["admin"], township=None).township is None


# -- bad input -----------------------------------------------------------------------------------------


def test_end_before_start_is_refused(world):
    with pytest.raises(ValidationError) as exc:
        project(world, ended_on=datetime.date(2016, 3, 31))
    assert "完工日期 2016-03-31 早于开工日期 2016-04-01" in message(exc, "ended_on")


@pytest.mark.parametrize("percent", [-1, 101, 150])
def test_percent_outside_0_to_100_is_refused(world, percent):
    p = project(world)
    with pytest.raises(ValidationError) as exc:
        services.progress_add(
            project=p,
            user=world["official"],
            recorded_on=datetime.date(2016, 5, 1),
            invested_to_date=Decimal("1000"),
            percent_complete=percent,
        )
    assert "形象进度应在 0–100 之间" in message(exc, "percent_complete")
    assert not ProgressEntry.objects.exists()


def test_progress_before_the_start_is_refused(world):
    p = project(world)
    with pytest.raises(ValidationError) as exc:
        services.progress_add(
            project=p,
            user=world["official"],
            recorded_on=datetime.date(2016, 3, 31),
            invested_to_date=Decimal("1"),
        )
    assert "早于项目开工日期 2016-04-01" in message(exc, "recorded_on")


def test_invested_above_planned_needs_a_reason_which_is_kept(world):
    p = project(world)
    values = {"recorded_on": datetime.date(2016, 6, 1), "invested_to_date": Decimal("1200000")}
    with pytest.raises(ValidationError) as exc:
        services.progress_add(project=p, user=world["official"], **values)
    assert "超过计划投资" in message(exc, "over_plan_reason")
    entry = services.progress_add(
        project=p,
        user=world["official"],
        over_plan_reason="追加村内道路 2 公里",
        percent_complete=100,
        **values,
    )
    assert entry.over_plan_reason == "追加村内道路 2 公里"
    # within the plan a reason is not asked for, and none is stored
    below = services.progress_add(
        project=p,
        user=world["official"],
        recorded_on=datetime.date(2016, 7, 1),
        invested_to_date=Decimal("900000"),
        over_plan_reason="多余",
    )
    assert below.over_plan_reason == ""


def test_a_removed_beneficiary_is_refused(world):
    p = project(world)
    household_remove(household=world["household"], user=world["admin"], reason="不符合建档立卡条件")
    with pytest.raises(ValidationError) as exc:
        services.beneficiaries_add(project=p, user=world["official"], households=[world["household"]])
    assert "已清退" in message(exc, "households")
    assert not p.beneficiaries.exists()


def test_a_beneficiary_outside_the_township_only_for_the_county_admin_with_a_warning(world):
    p = project(world)
    with pytest.raises(ValidationError):  # the township official does not even see the household
        services.beneficiaries_add(project=p, user=world["official"], households=[world["outsider"]])
    warnings = services.beneficiaries_add(project=p, user=world["admin"], households=[world["outsider"]])
    assert len(warnings) == 1 and "不在项目所在乡镇" in warnings[0]
    assert list(p.beneficiaries.all()) == [world["outsider"]]


def test_beneficiaries_from_a_villages_household_list(world):
    p = project(world)
    second = make_household(natural_village=world["home"])
    removed = make_household(natural_village=world["home"])
    household_remove(household=removed, user=world["admin"], reason="错评")
    added, warnings = services.beneficiaries_add_from_village(
        project=p, user=world["official"], village=world["village"]
    )
    assert (added, warnings) == (2, [])
    assert set(p.beneficiaries.all()) == {world["household"], second}
    services.beneficiary_remove(project=p, user=world["official"], household=second)
    assert list(p.beneficiaries.all()) == [world["household"]]


def test_a_project_with_progress_or_beneficiaries_is_closed_not_deleted(world):
    p = project(world)
    services.beneficiaries_add(project=p, user=world["official"], households=[world["household"]])
    with pytest.raises(ValidationError) as exc:
        services.project_delete(project=p, user=world["official"])
    assert "已有受益户" in exc.value.messages[0] and "关闭" in exc.value.messages[0]
    assert services.project_close(project=p, user=world["official"]).state == Project.State.CLOSED
    empty = project(world, name="空项目")
    services.project_delete(project=empty, user=world["official"])
    assert not Project.objects.filter(pk=empty.pk).exists()


def test_api_bad_input_answers_400_with_field_errors(world):
    p = project(world)
    api = APIClient()
    api.force_authenticate(world["official"])
    url = f"/api/v1/projects/{p.pk}/progress/"
    over = api.post(url, {"recorded_on": "2016-06-01", "invested_to_date": "2000000"}, format="json")
    assert over.status_code == 400 and "超过计划投资" in over.json()["over_plan_reason"][0]
    percent = api.post(
        url, {"recorded_on": "2016-06-01", "invested_to_date": "1", "percent_complete": 120}, format="json"
    )
    assert percent.status_code == 400 and "percent_complete" in percent.json()
    early = api.post(url, {"recorded_on": "2016-01-01", "invested_to_date": "1"}, format="json")
    assert early.status_code == 400 and "recorded_on" in early.json()
    dates = api.patch(f"/api/v1/projects/{p.pk}/", {"ended_on": "2016-01-01"}, format="json")
    assert dates.status_code == 400 and "ended_on" in dates.json()
    ok = api.post(
        url,
        {"recorded_on": "2016-06-01", "invested_to_date": "500000", "percent_complete": 50},
        format="json",
    )
    assert ok.status_code == 201
    assert api.delete(f"/api/v1/projects/{p.pk}/").status_code == 400
    garbage = api.post("/api/v1/projects/", ["x"], format="json")
    assert garbage.status_code == 400
    created = api.post(
        "/api/v1/projects/",
        {"name": "新项目", "category": "road", "year": 2016, "township": world["township"].pk},
        format="json",
    )
    assert created.status_code == 201, created.json()
    inspector = APIClient()
    inspector.force_authenticate(world["inspector"])
    assert inspector.post("/api/v1/projects/", {"name": "x"}, format="json").status_code == 403


# -- relocation ----------------------------------------------------------------------------------------


def site(world, **kw):
    values = {
        "name": "测试安置点",
        "township": world["township"],
        "natural_village": world["site_nv"],
        "year": 2016,
        "planned_households": 10,
        "planned_persons": 40,
    }
    values.update(kw)
    return services.relocation_site_create(user=world["admin"], **values)


def test_a_double_move_keeps_its_history_and_the_address_follows(world):
    h = world["household"]
    first_site = site(world)
    second_nv = NaturalVillageFactory(village=VillageFactory(township=world["township"]))
    second_site = site(world, name="第二安置点", natural_village=second_nv)
    first = services.relocation_record(
        user=world["official"],
        household=h,
        site=first_site,
        persons=2,
        housing_area=Decimal("50"),
        moved_in_on=datetime.date(2016, 8, 1),
    )
    h.refresh_from_db()
    assert (h.natural_village, h.village_id) == (world["site_nv"], world["site_nv"].village_id)
    assert first.from_natural_village == world["home"]
    second = services.relocation_record(
        user=world["official"],
        household=h,
        site=second_site,
        persons=2,
        housing_area=Decimal("48"),
        moved_in_on=datetime.date(2018, 3, 1),
        old_house_demolished=True,
    )
    h.refresh_from_db()
    assert h.natural_village == second_nv
    assert list(h.relocations.order_by("id")) == [first, second]
    assert second.from_natural_village == world["site_nv"]
    assert list(selectors.current_relocations().filter(household=h)) == [second]
    # both moves are in the audit history
    assert Relocation.history.filter(household_id=h.pk).count() == 2
    # the site figures count the household where it lives now
    figures = {s.name: s for s in selectors.relocation_site_list(access=Access.for_user(world["admin"]))}
    assert figures["测试安置点"].relocated_households == 0
    assert (figures["第二安置点"].relocated_households, figures["第二安置点"].moved_in_persons) == (1, 2)


def test_access_follows_the_new_village(world):
    h = world["outsider"]
    target = site(world)
    services.relocation_record(
        user=world["admin"], household=h, site=target, persons=2, housing_area=Decimal("40"),
        moved_in_on=datetime.date(2016, 9, 1),
    )  # fmt: skip
    assert Access.for_user(world["official"]).can_view(h)
    assert not Access.for_user(world["other_official"]).can_view(h)


def test_a_move_to_another_county_is_refused(world):
    far = TownshipFactory(county=CountyFactory(region_code="532301", name="楚雄市"))
    away = site(world, township=far, natural_village=None, name="外县安置点")
    with pytest.raises(ValidationError) as exc:
        services.relocation_record(
            user=world["admin"],
            household=world["household"],
            site=away,
            persons=2,
            housing_area=Decimal("40"),
        )
    assert "不能跨县搬迁" in message(exc, "site")


def test_a_township_official_cannot_move_a_household_to_another_townships_site(world):
    away = site(world, township=world["other_township"], natural_village=None, name="别乡安置点")
    with pytest.raises(Http404):  # that site is out of their scope
        services.relocation_record(
            user=world["official"],
            household=world["household"],
            site=away,
            persons=2,
            housing_area=Decimal("40"),
        )


def test_registered_area_above_25_per_person_is_refused(world):
    with pytest.raises(ValidationError) as exc:
        services.relocation_record(
            user=world["official"], household=world["household"], site=site(world), persons=2,
            housing_area=Decimal("60"),
        )  # fmt: skip
    assert "50.00" not in message(exc, "housing_area")
    assert "60 平方米 ÷ 2 人 = 30.00 平方米/人" in message(exc, "housing_area")


def test_the_25_square_metre_breach_list(world):
    s = site(world, natural_village=None)
    ok = services.relocation_record(
        user=world["official"], household=world["household"], site=s, persons=2, housing_area=Decimal("50")
    )
    shrunk = make_household(
        natural_village=world["home"],
        members=[member_data(name="王一"), member_data(R.SPOUSE, sex="female", name="赵二")],
    )
    breach = services.relocation_record(
        user=world["official"], household=shrunk, site=s, persons=2, housing_area=Decimal("48")
    )
    synchronous = make_household(natural_village=world["home"])
    services.relocation_record(
        user=world["official"], household=synchronous, site=s, persons=2, housing_area=Decimal("120"),
        kind=Relocation.Kind.SYNCHRONOUS,
    )  # fmt: skip
    spouse = shrunk.members.get(relation=R.SPOUSE)
    member_leave(member=spouse, reason="death", on=datetime.date(2017, 1, 5), user=world["admin"])
    rows = list(selectors.relocation_breaches(access=Access.for_user(world["admin"])))
    assert [(r.pk, r.housing_area, r.current_persons) for r in rows] == [(breach.pk, Decimal("48.00"), 1)]
    assert ok.pk not in {r.pk for r in rows}
    assert selectors.relocation_breaches(access=Access.for_user(world["other_official"])).count() == 0


def test_relocation_import_keeps_history_and_refuses_another_townships_site(world):
    from projects.roster_io import relocation_roster_import
    from projects.rosters import RELOCATIONS
    from tests.core.excel.roster_helpers import assert_one_error, sheet_workbook

    h = world["household"]
    site(world, name="甲安置点", natural_village=None)
    site(world, name="乙安置点", natural_village=None)
    site(world, name="外乡安置点", township=world["other_township"], natural_village=None)

    def run(site_name, user=None):
        row = {"安置点": site_name, "户编号": h.household_number, "搬迁类型": "建档立卡搬迁户", "搬迁人数": 2,
               "住房面积": 50, "入住时间": "2016-10-01"}  # fmt: skip
        return relocation_roster_import(
            user=user or world["official"], source=sheet_workbook(RELOCATIONS, [row]), dry_run=False
        )

    assert run("甲安置点").totals()["relocations"]["created"] == 1
    assert run("甲安置点").totals()["relocations"]["unchanged"] == 1
    assert run("乙安置点").totals()["relocations"]["created"] == 1
    assert list(h.relocations.order_by("id").values_list("site__name", flat=True)) == ["甲安置点", "乙安置点"]
    outcome = run("外乡安置点")
    assert_one_error(outcome, RELOCATIONS.name, 2, "安置点", "不在您管辖的乡镇")


# -- training ------------------------------------------------------------------------------------------


def test_training_participants_are_current_registered_members_and_show_on_the_household_page(world, client):
    training = services.training_create(
        user=world["official"], name="技能培训班", kind=Training.Kind.SKILLS, year=2016,
        township=world["township"], planned_participants=30,
    )  # fmt: skip
    head = world["household"].members.get(relation=R.HEAD)
    services.training_participants_add(training=training, user=world["official"], members=[head])
    spouse = world["household"].members.get(relation=R.SPOUSE)
    member_leave(member=spouse, reason="death", on=datetime.date(2016, 5, 1), user=world["admin"])
    with pytest.raises(ValidationError) as exc:
        services.training_participants_add(training=training, user=world["official"], members=[spouse])
    assert "已不是户" in " ".join(exc.value.message_dict["members"])
    client.force_login(world["official"])
    html = client.get(reverse("households:detail", args=[world["household"].pk])).content.decode()
    assert "技能培训班" in html and 'id="projects"' in html


# -- help plans and 五个一批 ------------------------------------------------------------------------------


def test_help_plan_and_measures_with_quantity_and_project(world):
    h = world["household"]
    p = project(world, category=Project.Category.INDUSTRY)
    plan = help_plan_save(
        household=h, user=world["official"], year=2016, cause_analysis="缺资金", plan="养牛"
    )
    again = help_plan_save(household=h, user=world["official"], year=2016, cause_analysis="缺资金、缺技术")
    assert plan.pk == again.pk and HelpPlan.objects.count() == 1
    assert HelpPlan.history.filter(id=plan.pk).count() == 2
    measure = measure_add(
        household=h, user=world["official"], year=2016, category=choices.MeasureCategory.PRODUCTION,
        description="发展养殖", kind="肉牛", quantity=Decimal("2"), unit="头", project=p,
    )  # fmt: skip
    assert (measure.kind, measure.quantity, measure.unit, measure.project) == ("肉牛", 2, "头", p)
    with pytest.raises(ValidationError) as exc:
        measure_add(
            household=h, user=world["official"], year=2016, category="production", description="x",
            quantity=Decimal("3"),
        )  # fmt: skip
    assert "单位" in " ".join(exc.value.message_dict["unit"])
    other = project(world, user=world["admin"], township=world["other_township"], name="别乡项目")
    with pytest.raises(ValidationError) as exc:
        measure_add(
            household=h,
            user=world["official"],
            year=2016,
            category="production",
            description="x",
            project=other,
        )
    assert "project" in exc.value.message_dict
    rows = {
        r.category: (r.households, r.persons) for r in measure_batches(access=Access.for_user(world["admin"]))
    }
    assert rows["production"] == (1, 2) and rows["relocation"] == (0, 0)


def test_help_plan_api(world):
    api = APIClient()
    api.force_authenticate(world["official"])
    h = world["household"]
    created = api.post(
        "/api/v1/help-plans/", {"household": h.pk, "year": 2016, "plan": "种桃"}, format="json"
    )
    assert created.status_code == 201, created.json()
    measure = api.post(
        "/api/v1/measures/",
        {"household": h.pk, "year": 2016, "category": "production", "description": "种植", "kind": "桃",
         "quantity": "3", "unit": "亩"},
        format="json",
    )  # fmt: skip
    assert measure.status_code == 201, measure.json()
    bad = api.post(
        "/api/v1/measures/",
        {"household": h.pk, "year": 2016, "category": "production", "description": "x", "quantity": "-1",
         "unit": "亩"},
        format="json",
    )  # fmt: skip
    assert bad.status_code == 400 and "quantity" in bad.json()
    assert api.get(f"/api/v1/measures/?household={h.pk}").json()["count"] == 1
    outsider = api.post(
        "/api/v1/help-plans/", {"household": world["outsider"].pk, "year": 2016}, format="json"
    )
    assert outsider.status_code == 400 and "household" in outsider.json()


# -- pages ---------------------------------------------------------------------------------------------


def test_pages_answer_and_forms_write_through_the_services(world, client):
    client.force_login(world["official"])
    for name in ("list", "create", "sites", "breaches", "trainings", "training-create", "targets", "batches"):
        assert client.get(reverse(f"projects:{name}")).status_code == 200, name
    response = client.post(
        reverse("projects:create"),
        {"name": "页面项目", "category": "road", "township": world["township"].pk, "year": 2016,
         "planned_investment": "100000", "state": "planned", "planned_households": 0, "planned_persons": 0,
         "started_on": "2016-05-01", "ended_on": "2016-04-01"},
    )  # fmt: skip
    assert response.status_code == 200
    assert "完工日期 2016-04-01 早于开工日期 2016-05-01" in response.content.decode()
    response = client.post(
        reverse("projects:create"),
        {"name": "页面项目", "category": "road", "township": world["township"].pk, "year": 2016,
         "planned_investment": "100000", "state": "planned", "planned_households": 0, "planned_persons": 0,
         "started_on": "2016-05-01"},
    )  # fmt: skip
    p = Project.objects.get(name="页面项目")
    assert response.status_code == 302
    over = client.post(
        reverse("projects:progress-add", args=[p.pk]),
        {"recorded_on": "2016-06-01", "invested_to_date": "200000"},
    )
    assert "超过计划投资" in over.content.decode()
    client.post(
        reverse("projects:beneficiaries-add", args=[p.pk]),
        {"household_number": world["household"].household_number},
    )
    assert list(p.beneficiaries.all()) == [world["household"]]
    s = site(world)
    response = client.post(
        reverse("projects:site-detail", args=[s.pk]),
        {"household_number": world["household"].household_number, "kind": "registered", "persons": 2,
         "housing_area": "70", "moved_in_on": "2016-09-01"},
    )  # fmt: skip
    assert "人均住房面积不得超过 25 平方米" in response.content.decode()
    html = client.get(reverse("households:detail", args=[world["household"].pk])).content.decode()
    assert "页面项目" in html


def test_navigation_links_to_the_projects(world, client):
    client.force_login(world["official"])
    html = client.get(reverse("home")).content.decode()
    assert f'href="{reverse("projects:list")}"' in html


# -- query counts --------------------------------------------------------------------------------------


_made = iter(range(10_000))


def _many(world, n):
    """n more of each kind of record in the official's township (projects with progress and beneficiaries,
    sites with a move, trainings, targets, help plans and measures)."""
    for _ in range(n):
        i = next(_made)
        p = project(world, user=world["admin"], name=f"项目{i}")
        services.progress_add(
            project=p,
            user=world["admin"],
            recorded_on=datetime.date(2016, 6, 1),
            invested_to_date=Decimal("1000"),
        )
        hh = make_household(natural_village=world["home"])
        services.beneficiaries_add(project=p, user=world["admin"], households=[world["household"], hh])
        s = site(world, name=f"安置点{i}", natural_village=None)
        services.relocation_record(
            user=world["admin"], household=hh, site=s, persons=2, housing_area=Decimal("40")
        )
        member_leave(
            member=hh.members.get(relation=R.SPOUSE),
            reason="death",
            on=datetime.date(2017, 1, 1),
            user=world["admin"],
        )  # fmt: skip  (a breach: 40 m² for 1 person)
        training = services.training_create(
            user=world["admin"], name=f"培训{i}", kind="skills", year=2016, township=world["township"]
        )
        services.training_participants_add(
            training=training, user=world["admin"], members=[hh.members.get(relation=R.HEAD)]
        )
        services.target_save(
            user=world["admin"], county=world["township"].county, township=world["township"], year=2016 + i,
            households=10, persons=30, villages_to_exit=1, income_goal=Decimal("4000"),
        )  # fmt: skip
        help_plan_save(household=hh, user=world["admin"], year=2016, plan="发展生产")
        measure_add(household=hh, user=world["admin"], year=2016, category="production", description="养牛",
                    kind="肉牛", quantity=Decimal("2"), unit="头", project=p)  # fmt: skip


def _queries(request) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert request().status_code == 200
    return len(ctx.captured_queries)


# The signed-in township official comes with their township (accounts.authentication.ScopedModelBackend).
PAGES = {
    "projects:list": 11,
    "projects:sites": 8,
    "projects:trainings": 5,
    "projects:breaches": 5,
    "projects:targets": 8,
    "projects:batches": 7,
}


@pytest.mark.parametrize("name", list(PAGES))
def test_list_pages_have_pinned_query_counts(world, client, name):
    _many(world, 2)
    client.force_login(world["official"])
    client.get(reverse(name))  # warm: the session and the user
    fewer = _queries(lambda: client.get(reverse(name)))
    _many(world, 3)
    more = _queries(lambda: client.get(reverse(name)))
    assert (fewer, more) == (PAGES[name], PAGES[name])


ENDPOINTS = {
    "/api/v1/projects/": 2,
    "/api/v1/relocation-sites/": 2,
    "/api/v1/relocations/": 2,
    "/api/v1/trainings/": 2,
    "/api/v1/targets/": 6,
    "/api/v1/help-plans/": 2,
    "/api/v1/measures/": 2,
}


@pytest.mark.parametrize("url", list(ENDPOINTS))
def test_list_endpoints_have_pinned_query_counts(world, url):
    _many(world, 2)
    api = APIClient()
    api.force_authenticate(world["official"])
    fewer = _queries(lambda: api.get(url))
    _many(world, 3)
    more = _queries(lambda: api.get(url))
    assert (fewer, more) == (ENDPOINTS[url], ENDPOINTS[url])


def test_history_of_projects_and_progress(world):
    p = project(world)
    services.project_update(project=p, user=world["official"], state=Project.State.BUILDING)
    services.progress_add(
        project=p,
        user=world["official"],
        recorded_on=datetime.date(2016, 5, 1),
        invested_to_date=Decimal("10"),
    )
    assert list(p.history.order_by("history_date").values_list("state", flat=True)) == ["planned", "building"]
    assert ProgressEntry.history.filter(project_id=p.pk).count() == 1
    assert Member.objects.exists() and AssistanceMeasure.objects.count() == 0
    assert RelocationSite.objects.count() == 0


def test_the_help_plan_page_edits_the_plan_and_its_measures(world, client):
    h = world["household"]
    client.force_login(world["official"])
    url = reverse("households:help-plan", args=[h.pk])
    assert client.get(url).status_code == 200
    client.post(url, {"action": "plan", "year": 2016, "cause_analysis": "缺技术", "plan": "养牛两头"})
    assert HelpPlan.objects.get(household=h, year=2016).plan == "养牛两头"
    response = client.post(
        f"{url}?year=2016",
        {"action": "measure", "year": 2016, "category": "production", "description": "发展养殖",
         "kind": "肉牛", "quantity": "2"},
    )  # fmt: skip
    assert "填写了数量时请填写单位" in response.content.decode()
    client.post(
        f"{url}?year=2016",
        {"action": "measure", "year": 2016, "category": "production", "description": "发展养殖",
         "kind": "肉牛", "quantity": "2", "unit": "头"},
    )  # fmt: skip
    measure = AssistanceMeasure.objects.get(household=h)
    assert (measure.kind, measure.quantity, measure.unit) == ("肉牛", Decimal("2.00"), "头")
    assert "肉牛 2 头" in client.get(reverse("households:detail", args=[h.pk])).content.decode()
    client.post(f"{url}?year=2016", {"action": "delete", "measure": measure.pk})
    assert not AssistanceMeasure.objects.filter(household=h).exists()
    client.force_login(world["other_official"])
    assert client.get(url).status_code == 404
    client.force_login(world["inspector"])
    assert client.get(url).status_code == 404


def test_the_relocation_export_has_each_households_latest_move_and_imports_back(world):
    from projects.roster_io import relocation_roster_import, relocations_export
    from tests.core.excel.roster_helpers import export_stream

    h = world["household"]
    for name in ("甲安置点", "乙安置点"):
        services.relocation_record(
            user=world["official"], household=h, site=site(world, name=name, natural_village=None), persons=2,
            housing_area=Decimal("50"),
        )  # fmt: skip
    stream, written = export_stream(relocations_export, world["official"])
    assert written["relocations"] == 1
    outcome = relocation_roster_import(user=world["official"], source=stream, dry_run=False)
    assert not outcome.errors, outcome.errors.as_list()
    assert outcome.totals()["unchanged"] == 1 and h.relocations.count() == 2


def test_the_list_shows_a_parent_before_its_sub_projects_and_totals_count_them_once(world):
    older = project(world, name="整乡推进", year=2015, approved_on=None, started_on=None)
    newer = project(world, name="单独项目", year=2016, planned_investment=Decimal("10"))
    child = project(world, name="子项目", parent=older, year=2016, planned_investment=Decimal("300"))
    access = Access.for_user(world["official"])
    listed = list(selectors.project_list(access=access))
    assert listed == [newer, older, child]
    totals = selectors.project_totals(selectors.project_list(access=access))
    assert totals.planned == Decimal("1000010")  # the child is inside its parent's 1,000,000
    assert selectors.subproject_rollup(access=access, project=older).planned == Decimal("300")


def test_moves_sites_trainings_and_targets_through_the_api(world):
    api = APIClient()
    api.force_authenticate(world["official"])
    created = api.post(
        "/api/v1/relocation-sites/",
        {"name": "接口安置点", "township": world["township"].pk, "natural_village": world["site_nv"].pk,
         "year": 2016, "planned_households": 5, "planned_persons": 20},
        format="json",
    )  # fmt: skip
    assert created.status_code == 201, created.json()
    site_id = created.json()["id"]
    move = {"household": world["household"].pk, "site": site_id, "kind": "registered", "persons": 2}
    too_big = api.post("/api/v1/relocations/", {**move, "housing_area": "51"}, format="json")
    assert too_big.status_code == 400 and "housing_area" in too_big.json()
    first = api.post(
        "/api/v1/relocations/", {**move, "housing_area": "50", "moved_in_on": "2016-08-01"}, format="json"
    )
    assert first.status_code == 201, first.json()
    second = api.post("/api/v1/relocations/", {**move, "housing_area": "40"}, format="json")
    assert second.status_code == 201
    history = api.get(f"/api/v1/relocations/?household={world['household'].pk}").json()
    assert history["count"] == 2
    assert (
        api.get(f"/api/v1/relocations/?household={world['household'].pk}&current=true").json()["count"] == 1
    )
    site_row = api.get(f"/api/v1/relocation-sites/{site_id}/").json()
    assert (
        site_row["planned_households"],
        site_row["relocated_households"],
        site_row["moved_in_households"],
    ) == (
        5,
        1,
        0,
    )
    other = api.post(
        "/api/v1/relocation-sites/",
        {"name": "别乡", "township": world["other_township"].pk, "year": 2016},
        format="json",
    )
    assert other.status_code == 400 and "township" in other.json()
    training = api.post(
        "/api/v1/trainings/",
        {"name": "接口培训", "kind": "transfer", "year": 2016, "township": world["township"].pk},
        format="json",
    )
    assert training.status_code == 201, training.json()
    head = world["household"].members.get(relation=R.HEAD)
    joined = api.post(
        f"/api/v1/trainings/{training.json()['id']}/participants/", {"members": [head.pk]}, format="json"
    )
    assert joined.status_code == 200 and joined.json()["registered_participants"] == 1
    assert api.get(f"/api/v1/trainings/?member={head.pk}").json()["count"] == 1
    target = api.post(
        "/api/v1/targets/",
        {"county": world["township"].county_id, "year": 2018, "persons": 10},
        format="json",
    )
    assert target.status_code == 403  # targets are set by the county
    county = APIClient()
    county.force_authenticate(world["admin"])
    target = county.post(
        "/api/v1/targets/",
        {
            "county": world["township"].county_id,
            "township": world["township"].pk,
            "year": 2018,
            "persons": 10,
        },
        format="json",
    )
    assert target.status_code == 201, target.json()
    assert target.json()["progress"]["persons"] == 0
