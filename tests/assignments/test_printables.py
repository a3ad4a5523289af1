"""Printables: the village notice board (公示牌) and the household contact cards (联系卡).

Cadres' names, units and phone numbers are shown; household members' ID numbers never are."""

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

from assignments.models import Pairing
from households.models import Member

pytestmark = pytest.mark.django_db


def id_numbers() -> list[str]:
    return list(Member.objects.values_list("id_number", flat=True))


def assert_no_id_numbers(html: str) -> None:
    for number in id_numbers():
        assert number not in html
        assert number[-4:] + "</" not in html  # not even masked tails


def test_the_notice_board_lists_each_cadre_with_units_phones_and_households(client, data, users):
    client.force_login(users["township_official"])
    response = client.get(reverse("assignments:notice-board", args=[data["yi_cun"].pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "甲乡乙村“挂包帮”“转走访”公示牌" in html
    # 乙村: 李二 helps h3, 王三 helps h7 (exited, still helped); h9 has no cadre
    groups = [
        (g["cadre"].name, [h.household_number for h in g["households"]]) for g in response.context["groups"]
    ]
    assert sorted(groups) == [("李二", ["H003"]), ("王三", ["H007"])]
    for text in ("县财政局", "县水务局", "13900000002", "13900000003", "户主3", "户主7"):
        assert text in html
    assert "户主9" not in html
    assert_no_id_numbers(html)


def test_the_notice_board_is_an_a4_sheet_with_print_css(client, data, users):
    client.force_login(users["county_admin"])
    html = client.get(reverse("assignments:notice-board", args=[data["jia_cun"].pk])).content.decode()
    assert "/static/assignments/assignments.css" in html
    assert "window.print()" in html
    css = open(finders.find("assignments/assignments.css"), encoding="utf-8").read()
    assert "@page { size: A4" in css
    assert "@media print" in css and ".app-no-print" in css


def test_removed_households_and_ended_pairings_are_not_on_the_board(client, data, users):
    client.force_login(users["county_admin"])
    response = client.get(reverse("assignments:notice-board", args=[data["jia_cun"].pk]))
    numbers = [h.household_number for g in response.context["groups"] for h in g["households"]]
    assert numbers == ["H001", "H002"]  # h6 is 已清退, h8 has no cadre


def test_contact_cards_one_per_paired_household(client, data, users):
    client.force_login(users["village_official"])
    response = client.get(reverse("assignments:contact-cards", args=[data["bing_cun"].pk]))
    assert response.status_code == 200
    cards = response.context["cards"]
    assert [(c.household.household_number, c.cadre.name) for c in cards] == [
        ("H004", "王三"),
        ("H005", "王三"),
        ("H010", "王三"),
    ]
    html = response.content.decode()
    assert html.count('class="app-card"') == 3
    assert "服务群众联系卡" in html and "13900000003" in html and "县水务局" in html
    assert_no_id_numbers(html)


def test_a_single_households_card(client, data, users):
    client.force_login(users["township_official"])
    response = client.get(reverse("assignments:household-card", args=[data["h"][1].pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "张一" in html and "13900000001" in html and "赵局长" in html and "0878-8211111" in html
    assert_no_id_numbers(html)
    # no active cadre: no card
    assert client.get(reverse("assignments:household-card", args=[data["h"][8].pk])).status_code == 404


@pytest.mark.parametrize(
    "role, status",
    [
        ("county_admin", 200),
        ("inspector", 200),
        ("township_official", 404),
        ("village_official", 404),
        ("cadre", 404),
    ],
)
def test_printables_out_of_scope_are_404(client, data, users, role, status):
    """Each asks for a village outside their scope (丙村 is 乙乡's; the village official's is 丙村, so 甲村);
    county-wide roles see every village. Cadres have their phone pages, not these."""
    client.force_login(users[role])
    target = data["jia_cun"] if role == "village_official" else data["bing_cun"]
    for name in ("notice-board", "contact-cards"):
        assert client.get(reverse(f"assignments:{name}", args=[target.pk])).status_code == status
    household = data["h"][1] if role == "village_official" else data["h"][4]
    assert client.get(reverse("assignments:household-card", args=[household.pk])).status_code == status


def test_printables_need_no_change_rights_and_change_nothing(client, data, users):
    before = list(Pairing.objects.order_by("pk").values_list("pk", "ended_on"))
    client.force_login(users["inspector"])
    client.get(reverse("assignments:notice-board", args=[data["bing_cun"].pk]))
    client.get(reverse("assignments:contact-cards", args=[data["bing_cun"].pk]))
    assert list(Pairing.objects.order_by("pk").values_list("pk", "ended_on")) == before


def test_a_large_village_gets_the_dense_one_sheet_layout(client, data, users):
    from tests.factories import PairingFactory, make_household

    for _ in range(41):
        PairingFactory(cadre=data["wang"], household=make_household(natural_village=data["nv"]["bing"]))
    client.force_login(users["county_admin"])
    response = client.get(reverse("assignments:notice-board", args=[data["bing_cun"].pk]))
    assert response.context["dense"] is True
    html = response.content.decode()
    assert 'class="app-board-columns"' in html and "县水务局" in html and "13900000003" in html
    assert sum(len(g["households"]) for g in response.context["groups"]) == 44
    assert_no_id_numbers(html)
