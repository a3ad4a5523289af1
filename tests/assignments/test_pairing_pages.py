"""The 挂包帮 pages: villages with their pairings, pairing / re-pairing / ending in bulk by village,
households without a cadre, work units and cadres. Each role in and out of scope."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assignments.models import Pairing
from tests.factories import CadreFactory, PairingFactory, WorkUnitVillageFactory, make_household

pytestmark = pytest.mark.django_db
D = datetime.date


def village_url(village) -> str:
    return reverse("assignments:pairing-village", args=[village.pk])


def pairings_state() -> list:
    return list(
        Pairing.objects.order_by("pk").values_list("pk", "cadre_id", "household_id", "started_on", "ended_on")
    )


def active_cadre(household) -> str | None:
    pairing = (
        Pairing.objects.filter(household=household, ended_on__isnull=True).select_related("cadre").first()
    )
    return pairing.cadre.name if pairing else None


# -- the villages index -------------------------------------------------------------------------------


def test_the_index_counts_paired_and_unpaired_households_per_village(client, data, users):
    client.force_login(users["county_admin"])
    response = client.get(reverse("assignments:pairings"))
    assert response.status_code == 200
    rows = {r.village.name: (r.households, r.paired, r.unpaired) for r in response.context["rows"]}
    # counted households only (h6 is 已清退); 乙村: h3, h7 paired, h9 not
    assert rows == {"甲村": (3, 2, 1), "乙村": (3, 2, 1), "丙村": (3, 3, 0)}
    html = response.content.decode()
    assert "结对帮扶（挂包帮）" in html and "公示牌" in html


def test_a_township_official_sees_only_their_villages(client, data, users):
    client.force_login(users["township_official"])
    response = client.get(reverse("assignments:pairings"))
    assert {r.village.name for r in response.context["rows"]} == {"甲村", "乙村"}
    assert "丙村" not in response.content.decode()
    assert client.get(village_url(data["bing_cun"])).status_code == 404


def test_the_index_reads_in_a_fixed_number_of_queries(client, data, users):
    client.force_login(users["county_admin"])
    with CaptureQueriesContext(connection) as before:
        client.get(reverse("assignments:pairings"))
    for _ in range(4):
        PairingFactory(cadre=data["li"], household=make_household(natural_village=data["nv"]["yi"]))
    with CaptureQueriesContext(connection) as after:
        client.get(reverse("assignments:pairings"))
    assert len(after) == len(before)


# -- one village --------------------------------------------------------------------------------------


def test_the_village_page_shows_each_household_with_its_active_cadre(client, data, users):
    client.force_login(users["township_official"])
    response = client.get(village_url(data["yi_cun"]))
    assert response.status_code == 200
    shown = {
        h.household_number: (h.active_pairings[0].cadre.name if h.active_pairings else None)
        for h in response.context["households"]
    }
    assert shown == {"H003": "李二", "H007": "王三", "H009": None}
    html = response.content.decode()
    assert "保存调整" in html and "结束结对" in html
    # the cadres offered: the active cadres of the units linked to 乙村 (财政局 and 水务局)
    choices = [label for _, label in response.context["form"].fields[f"household_{data['h'][3].pk}"].choices]
    assert choices[:2] == ["— 不变 —", "结束结对"]
    assert sorted(choices[2:]) == sorted(
        ["张一（县财政局）", "李二（县财政局）", "赵四（县财政局）", "王三（县水务局）"]
    )


def test_the_village_page_reads_in_a_fixed_number_of_queries(client, data, users):
    client.force_login(users["township_official"])
    with CaptureQueriesContext(connection) as before:
        client.get(village_url(data["jia_cun"]))
    for _ in range(5):
        PairingFactory(
            cadre=CadreFactory(unit=data["finance"]),
            household=make_household(natural_village=data["nv"]["jia"]),
        )
    with CaptureQueriesContext(connection) as after:
        client.get(village_url(data["jia_cun"]))
    assert len(after) == len(before)


@pytest.mark.parametrize("role", ["village_official", "inspector"])
def test_those_who_may_not_pair_see_the_village_without_the_form(client, data, users, role):
    client.force_login(users[role])
    response = client.get(village_url(data["bing_cun"]))
    assert response.status_code == 200
    assert "保存调整" not in response.content.decode()


def test_pair_repair_and_end_in_one_go(client, data, users):
    h = data["h"]
    client.force_login(users["township_official"])
    response = client.post(
        village_url(data["yi_cun"]),
        {
            "on": "2016-06-01",
            f"household_{h[9].pk}": str(data["spare"].pk),  # pair
            f"household_{h[3].pk}": str(data["wang"].pk),  # re-pair
            f"household_{h[7].pk}": "end",  # end
        },
    )
    assert response.status_code == 302
    assert (active_cadre(h[9]), active_cadre(h[3]), active_cadre(h[7])) == ("赵四", "王三", None)
    # history kept: 李二's pairing of h3 ended the day 王三's began
    old = Pairing.objects.get(household=h[3], cadre=data["li"])
    assert old.ended_on == D(2016, 6, 1)
    assert Pairing.objects.get(household=h[7], cadre=data["wang"]).ended_on == D(2016, 6, 1)
    page = client.get(response["Location"])
    assert "新结对 1 户，更换干部 1 户，结束结对 1 户" in page.content.decode()


def test_one_refused_change_saves_nothing_and_says_which_household(client, data, users):
    h = data["h"]
    client.force_login(users["township_official"])
    before = pairings_state()
    response = client.post(
        village_url(data["yi_cun"]),
        {
            "on": "2016-02-15",  # before 王三 took h7 over on 03-10
            f"household_{h[9].pk}": str(data["spare"].pk),
            f"household_{h[7].pk}": str(data["li"].pk),
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "未保存" in html
    assert "H007" in html and "新结对的开始日期不能早于原结对的开始日期" in html
    assert pairings_state() == before


@pytest.mark.parametrize(
    "post, message",
    [
        ({"on": "2016-06-01"}, "没有要保存的变更"),
        ({"on": "六月一日", "household_X": "end"}, "日期格式错误"),
        ({"on": ""}, "请填写日期"),
    ],
)
def test_bad_input_is_refused_in_chinese(client, data, users, post, message):
    client.force_login(users["township_official"])
    post = {k.replace("X", str(data["h"][3].pk)): v for k, v in post.items()}
    before = pairings_state()
    response = client.post(village_url(data["yi_cun"]), post)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert pairings_state() == before


def test_a_cadre_of_a_unit_not_linked_to_the_village_is_not_offered(client, data, users):
    outsider = CadreFactory(name="外单位")
    client.force_login(users["township_official"])
    before = pairings_state()
    response = client.post(
        village_url(data["jia_cun"]), {"on": "2016-06-01", f"household_{data['h'][8].pk}": str(outsider.pk)}
    )
    assert response.status_code == 400
    assert "所选干部不在可选名单中" in response.content.decode()
    assert pairings_state() == before


def test_ending_a_household_with_no_cadre_is_refused(client, data, users):
    client.force_login(users["township_official"])
    response = client.post(
        village_url(data["jia_cun"]), {"on": "2016-06-01", f"household_{data['h'][8].pk}": "end"}
    )
    assert response.status_code == 400
    assert "该户没有在帮的干部" in response.content.decode()


def test_a_household_of_another_village_cannot_be_slipped_in(client, data, users):
    client.force_login(users["county_admin"])
    before = pairings_state()
    response = client.post(
        village_url(data["jia_cun"]), {"on": "2016-06-01", f"household_{data['h'][4].pk}": "end"}
    )
    # the form has no field for 丙村's household: nothing to change
    assert response.status_code == 400
    assert pairings_state() == before


@pytest.mark.parametrize("role", ["village_official", "inspector"])
def test_roles_that_may_not_pair_are_refused_and_nothing_changes(client, data, users, role):
    client.force_login(users[role])
    before = pairings_state()
    response = client.post(
        village_url(data["bing_cun"]), {"on": "2016-06-01", f"household_{data['h'][4].pk}": "end"}
    )
    assert response.status_code == 403
    assert "不能安排结对帮扶" in response.content.decode()
    assert pairings_state() == before


def test_a_township_official_cannot_post_to_another_township(client, data, users):
    client.force_login(users["township_official"])
    before = pairings_state()
    response = client.post(
        village_url(data["bing_cun"]), {"on": "2016-06-01", f"household_{data['h'][4].pk}": "end"}
    )
    assert response.status_code == 404
    assert pairings_state() == before


def test_even_the_county_admin_pairs_only_cadres_of_linked_units(client, data, users):
    outsider = CadreFactory(name="外单位")
    client.force_login(users["county_admin"])
    url = village_url(data["jia_cun"])
    refused = client.post(url, {"on": "2016-06-01", f"household_{data['h'][8].pk}": str(outsider.pk)})
    assert refused.status_code == 400
    assert active_cadre(data["h"][8]) is None
    WorkUnitVillageFactory(unit=outsider.unit, village=data["jia_cun"])  # 单位挂村 first
    response = client.post(url, {"on": "2016-06-01", f"household_{data['h'][8].pk}": str(outsider.pk)})
    assert response.status_code == 302
    assert active_cadre(data["h"][8]) == "外单位"


# -- households without a cadre -----------------------------------------------------------------------


def test_households_without_a_cadre(client, data, users):
    client.force_login(users["county_admin"])
    response = client.get(reverse("assignments:without-cadre"))
    listed = {h.household_number: h.last_cadre_name for h in response.context["page_obj"].object_list}
    # poor households with no active pairing; h9's pairing with 李二 ended; exited/removed ones never listed
    assert listed == {"H008": None, "H009": "李二"}
    html = response.content.decode()
    assert "从未结对" in html and "2016-02-01 结束" in html


def test_households_without_a_cadre_in_scope_only(client, data, users):
    client.force_login(users["village_official"])  # 丙村: every household paired
    response = client.get(reverse("assignments:without-cadre"))
    assert response.context["page_obj"].paginator.count == 0
    assert "每一户贫困户都有在帮的干部" in response.content.decode()
    client.force_login(users["township_official"])
    response = client.get(reverse("assignments:without-cadre"), {"village": data["yi_cun"].pk})
    assert [h.household_number for h in response.context["page_obj"].object_list] == ["H009"]


# -- work units and cadres ----------------------------------------------------------------------------


def test_work_units_with_their_villages(client, data, users):
    client.force_login(users["county_admin"])
    response = client.get(reverse("assignments:work-units"))
    units = {u.name: [link.village.name for link in u.village_links] for u in response.context["units"]}
    assert sorted(units["县财政局"]) == ["乙村", "甲村"]
    assert sorted(units["县水务局"]) == ["丙村", "乙村"]
    client.force_login(users["village_official"])
    response = client.get(reverse("assignments:work-units"))
    assert {u.name: [link.village.name for link in u.village_links] for u in response.context["units"]} == {
        "县水务局": ["丙村"]
    }


def test_cadres_list_and_detail(client, data, users):
    client.force_login(users["township_official"])
    response = client.get(reverse("assignments:cadres"))
    rows = {c.name: c.household_count for c in response.context["page_obj"].object_list}
    # cadres helping households of 甲乡 now, counting only 甲乡's households
    assert rows == {"张一": 3, "李二": 1, "王三": 1}
    assert "13900000001" in response.content.decode()
    detail = client.get(reverse("assignments:cadre-detail", args=[data["wang"].pk]))
    assert [p.household.household_number for p in detail.context["active"]] == ["H007"]
    assert client.get(reverse("assignments:cadre-detail", args=[data["spare"].pk])).status_code == 404


def test_cadres_are_found_by_name_or_unit(client, data, users):
    client.force_login(users["county_admin"])
    response = client.get(reverse("assignments:cadres"), {"q": "水务"})
    assert [c.name for c in response.context["page_obj"].object_list] == ["王三"]
    response = client.get(reverse("assignments:cadres"), {"unit": data["finance"].pk})
    assert {c.name for c in response.context["page_obj"].object_list} == {"张一", "李二", "赵四"}


def test_the_cadres_list_reads_in_a_fixed_number_of_queries(client, data, users):
    client.force_login(users["county_admin"])
    with CaptureQueriesContext(connection) as before:
        client.get(reverse("assignments:cadres"))
    for _ in range(5):
        PairingFactory(
            cadre=CadreFactory(unit=data["water"]),
            household=make_household(natural_village=data["nv"]["bing"]),
        )
    with CaptureQueriesContext(connection) as after:
        client.get(reverse("assignments:cadres"))
    assert len(after) == len(before)
