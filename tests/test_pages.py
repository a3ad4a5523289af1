"""The login page and each role's home (DESIGN.md §8), in Chinese and in English."""

import datetime
import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Role
from households import choices
from households.models import Member
from tests.factories import (
    CadreFactory,
    CountyFactory,
    NaturalVillageFactory,
    PairingFactory,
    RevisitFactory,
    TownshipFactory,
    UserFactory,
    VillageFactory,
    make_household,
    member_data,
)

pytestmark = pytest.mark.django_db

PASSWORD = "pass-word-1"  # UserFactory's
_birthdays = (datetime.date(1960, 1, 1) + datetime.timedelta(days=n) for n in itertools.count())


def household(natural_village, *, persons: int, status: str = choices.Status.POOR, **kw):
    """A household of ``persons`` current members (distinct birthdays keep the fictional IDs unique)."""
    members = [member_data(name="户主甲", born=next(_birthdays))]
    members += [
        member_data(choices.Relation.SON, name=f"成员{i}", born=next(_birthdays)) for i in range(persons - 1)
    ]
    exit_year = 2016 if status == choices.Status.EXITED else None
    return make_household(
        natural_village=natural_village, members=members, status=status, exit_year=exit_year, **kw
    )


@pytest.fixture
def county_data():
    """Two townships. 甲乡 (pop. 1000, poor): in 甲村 two poor households of 2 and 3 persons and one
    returned of 1, in 乙村 one exited household of 4 and one removed of 5. 乙乡 (pop. 500): one poor of 2."""
    county = CountyFactory(registered_rural_population=1500)
    jia = TownshipFactory(county=county, name="甲乡", registered_rural_population=1000, is_poor=True)
    yi = TownshipFactory(county=county, name="乙乡", registered_rural_population=500)
    jia_cun = VillageFactory(township=jia, name="甲村", registered_rural_population=200, is_poor=True)
    yi_cun = VillageFactory(township=jia, name="乙村", registered_rural_population=300, exit_year=2016)
    bing_cun = VillageFactory(township=yi, name="丙村", registered_rural_population=500)
    jia_zu = NaturalVillageFactory(village=jia_cun, name="甲组")
    yi_zu = NaturalVillageFactory(village=jia_cun, name="乙组")
    hh = {
        "poor2": household(jia_zu, persons=2, household_number="A001"),
        "poor3": household(jia_zu, persons=3, household_number="A002"),
        "returned1": household(yi_zu, persons=1, household_number="A003", status=choices.Status.RETURNED),
        "exited4": household(
            NaturalVillageFactory(village=yi_cun),
            persons=4,
            household_number="B001",
            status=choices.Status.EXITED,
        ),
        "removed5": household(
            NaturalVillageFactory(village=yi_cun),
            persons=5,
            household_number="B002",
            status=choices.Status.REMOVED,
        ),
        "other2": household(NaturalVillageFactory(village=bing_cun), persons=2, household_number="C001"),
    }
    # A member who left stops counting: 甲村's 3-person household had a fourth who married out.
    leaver = member_data(choices.Relation.DAUGHTER, sex="female", name="已婚出", born=next(_birthdays))
    Member(
        household=hh["poor3"], left_reason="married_out", left_on=datetime.date(2016, 5, 1), **leaver.__dict__
    ).save()
    return {"county": county, "jia": jia, "yi": yi, "jia_cun": jia_cun, "yi_cun": yi_cun, "households": hh}


def signed_in(client, **user_kw):
    user = UserFactory(**user_kw)
    client.force_login(user)
    return user


def figure(response, key):
    return getattr(response.context["figures"], key)


def row(response, name):
    return next(r for r in response.context["rows"] if r.name == name)


# -- login -------------------------------------------------------------------------------------------------


def test_login_page_is_in_chinese_and_made_for_phones(client):
    response = client.get(reverse("login"))
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="zh-hans">' in html
    assert 'name="viewport" content="width=device-width, initial-scale=1"' in html
    for text in ("用户名", "密码", "登录", "精准扶贫管理"):
        assert text in html
    assert "/static/vendor/bootstrap/bootstrap.min.css" in html
    assert "cdn" not in html.lower()


def test_wrong_password_shows_a_chinese_error(client):
    UserFactory(username="wang")
    response = client.post(reverse("login"), {"username": "wang", "password": "wrong-one"})
    assert response.status_code == 200
    assert "用户名或密码不正确" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_right_password_signs_in_and_goes_home(client):
    UserFactory(username="wang")
    response = client.post(reverse("login"), {"username": "wang", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("home")


def test_anonymous_home_redirects_to_login(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_logout_is_a_post_form_in_the_navbar(client):
    signed_in(client, role=Role.COUNTY_ADMIN)
    html = client.get(reverse("home")).content.decode()
    assert f'action="{reverse("logout")}" method="post"' in html
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


# -- home per role -------------------------------------------------------------------------------------------


def test_county_home_shows_county_figures_and_a_row_per_township(client, county_data):
    signed_in(client, role=Role.COUNTY_ADMIN, first_name="县管理员")
    response = client.get(reverse("home"))
    assert response.status_code == 200
    # counted = poor + returned + exited; 已清退 counts nowhere; persons are current members only
    assert figure(response, "households") == 5
    assert figure(response, "persons") == 2 + 3 + 1 + 4 + 2
    assert figure(response, "poor_households") == 4
    assert figure(response, "poor_persons") == 2 + 3 + 1 + 2
    assert figure(response, "exited_households") == 1
    assert figure(response, "exited_persons") == 4
    assert float(figure(response, "incidence")) == pytest.approx(8 / 1500)
    jia = row(response, "甲乡")
    assert (jia.households, jia.persons, jia.poor_households, jia.poor_persons) == (4, 10, 3, 6)
    assert (jia.exited_households, jia.exited_persons) == (1, 4)
    assert float(jia.incidence) == pytest.approx(0.006)
    assert jia.is_poor
    yi = row(response, "乙乡")
    assert (yi.poor_persons, float(yi.incidence)) == (2, pytest.approx(0.004))
    html = response.content.decode()
    assert "元谋县扶贫工作概况" in html
    assert "各乡镇情况" in html
    assert "贫困乡" in html
    assert "0.60%" in html
    assert "县扶贫办管理员" in html and "全县" in html


def test_inspector_sees_the_county_too(client, county_data):
    signed_in(client, role=Role.INSPECTOR)
    response = client.get(reverse("home"))
    assert figure(response, "households") == 5
    assert "督查人员" in response.content.decode()


def test_township_home_shows_only_its_township_with_a_row_per_village(client, county_data):
    signed_in(client, role=Role.TOWNSHIP_OFFICIAL, township=county_data["jia"])
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert (figure(response, "households"), figure(response, "persons")) == (4, 10)
    assert (figure(response, "poor_households"), figure(response, "poor_persons")) == (3, 6)
    assert float(figure(response, "incidence")) == pytest.approx(0.006)
    assert [r.name for r in response.context["rows"]] == ["甲村", "乙村"]
    jia_cun = row(response, "甲村")
    assert (jia_cun.poor_households, jia_cun.poor_persons, float(jia_cun.incidence)) == (
        3,
        6,
        pytest.approx(0.03),
    )
    yi_cun = row(response, "乙村")
    assert (yi_cun.households, yi_cun.exited_persons, yi_cun.exit_year) == (1, 4, 2016)
    html = response.content.decode()
    assert "甲乡扶贫工作概况" in html
    assert "乙乡" not in html and "丙村" not in html  # out of scope
    assert "贫困村" in html and "2016年出列" in html


def test_village_home_shows_its_village_with_a_row_per_natural_village(client, county_data):
    signed_in(client, role=Role.VILLAGE_OFFICIAL, village=county_data["jia_cun"])
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert (figure(response, "households"), figure(response, "poor_persons")) == (3, 6)
    assert float(figure(response, "incidence")) == pytest.approx(0.03)
    assert [(r.name, r.poor_households, r.poor_persons) for r in response.context["rows"]] == [
        ("甲组", 2, 5),
        ("乙组", 1, 1),
    ]
    html = response.content.decode()
    assert "甲乡甲村扶贫工作概况" in html
    assert "各自然村情况" in html
    assert "乙村" not in html and "乙乡" not in html


def test_cadre_home_lists_only_their_active_paired_households(client, county_data):
    hh = county_data["households"]
    cadre = CadreFactory()
    PairingFactory(cadre=cadre, household=hh["poor2"])
    PairingFactory(cadre=cadre, household=hh["exited4"])
    PairingFactory(cadre=cadre, household=hh["poor3"], ended_on=datetime.date(2016, 6, 1))  # ended
    PairingFactory(household=hh["other2"])  # someone else's
    RevisitFactory(cadre=cadre, household=hh["poor2"], visited_on=datetime.date(2016, 3, 1))
    RevisitFactory(cadre=cadre, household=hh["poor2"], visited_on=datetime.date(2016, 9, 12))
    signed_in(client, role=Role.CADRE, cadre=cadre)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    listed = sorted(response.context["households"], key=lambda h: h.household_number)
    assert [h.household_number for h in listed] == ["A001", "B001"]
    assert listed[0].last_revisited_on == datetime.date(2016, 9, 12)
    html = response.content.decode()
    assert "2016-09-12" in html and "尚未走访" in html
    assert "A002" not in html and "C001" not in html
    assert "figures" not in response.context


def test_cadre_home_is_the_offline_phone_page(client):
    """A cadre's home is their households on the phone pages, under the service worker, with the outbox count."""
    cadre = CadreFactory()
    PairingFactory(cadre=cadre, household=household(NaturalVillageFactory(), persons=1))
    signed_in(client, role=Role.CADRE, cadre=cadre)
    response = client.get(reverse("home"))
    assert "assignments/phone/households.html" in [t.name for t in response.templates]
    html = response.content.decode()
    assert f'data-sw="{reverse("service-worker")}"' in html
    assert "data-outbox-count" in html


def test_unbuilt_pages_show_as_disabled_in_the_navbar(client, monkeypatch):
    # Every page of the navbar exists by now: an entry whose URL name is not (yet) defined stands in.
    from dashboards import navigation

    monkeypatch.setattr(
        navigation, "ITEMS", (*navigation.ITEMS, navigation.NavItem("未建页面", "nowhere:yet"))
    )
    signed_in(client, role=Role.COUNTY_ADMIN)
    html = client.get(reverse("home")).content.decode()
    assert "建设中" in html
    assert 'aria-current="page"' in html  # 首页 is the current page


# -- scale ---------------------------------------------------------------------------------------------------


def _more_data(county, n):
    """n more townships, each with a village, a natural village and two households."""
    for _ in range(n):
        natural_village = NaturalVillageFactory(
            village=VillageFactory(township=TownshipFactory(county=county))
        )
        household(natural_village, persons=2)
        household(natural_village, persons=3, status=choices.Status.EXITED)


def _home_queries(client):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("home")).status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    "role_kw",
    [
        {"role": Role.COUNTY_ADMIN},
        {"role": Role.TOWNSHIP_OFFICIAL, "township": "jia"},
        {"role": Role.VILLAGE_OFFICIAL, "village": "jia_cun"},
    ],
    ids=["county", "township", "village"],
)
def test_home_query_count_does_not_grow_with_the_data(client, county_data, role_kw):
    role_kw = {k: county_data[v] if k in ("township", "village") else v for k, v in role_kw.items()}
    signed_in(client, **role_kw)
    small = _home_queries(client)
    _more_data(county_data["county"], 3)
    for _ in range(3):  # and more rows inside the signed-in user's own scope
        natural_village = NaturalVillageFactory(village=VillageFactory(township=county_data["jia"]))
        household(natural_village, persons=2)
        household(NaturalVillageFactory(village=county_data["jia_cun"]), persons=2)
    assert _home_queries(client) == small


def test_cadre_home_query_count_does_not_grow_with_the_households(client):
    cadre = CadreFactory()
    natural_village = NaturalVillageFactory()
    PairingFactory(cadre=cadre, household=household(natural_village, persons=1))
    signed_in(client, role=Role.CADRE, cadre=cadre)
    small = _home_queries(client)
    for _ in range(5):
        paired = household(NaturalVillageFactory(), persons=2)
        PairingFactory(cadre=cadre, household=paired)
        RevisitFactory(cadre=cadre, household=paired)
    assert _home_queries(client) == small


# -- language ------------------------------------------------------------------------------------------------


def test_switching_to_english_translates_the_navbar_and_headings(client, county_data):
    signed_in(client, role=Role.TOWNSHIP_OFFICIAL, township=county_data["jia"])
    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("home")})
    assert response.status_code == 302
    html = client.get(reverse("home")).content.decode()
    assert '<html lang="en">' in html
    for text in (
        "Home",
        "Households",
        "Sign out",
        "Township official",
        "Poverty incidence",
        "By administrative village",
    ):
        assert text in html
    assert "首页" not in html and "贫困发生率" not in html
    client.post(reverse("set_language"), {"language": "zh-hans", "next": reverse("home")})
    assert "贫困发生率" in client.get(reverse("home")).content.decode()


def test_login_page_in_english(client):
    client.cookies["django_language"] = "en"
    html = client.get(reverse("login")).content.decode()
    assert "Username" in html and "Password" in html and "Sign in" in html


# -- error pages ---------------------------------------------------------------------------------------------


def test_not_found_page_is_in_chinese(client):
    signed_in(client, role=Role.VILLAGE_OFFICIAL, village=VillageFactory())
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "页面不存在" in html and "不在您的管辖范围内" in html


def test_server_error_page_renders_without_a_request():
    from django.template import loader

    html = loader.get_template("500.html").render()
    assert "服务器出错了" in html and "/static/vendor/bootstrap/bootstrap.min.css" in html
