"""The source document's money-and-moves figures, read from the demo county's data through the pages and
selectors a user sees (issue 9 "Done when")."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.models import Role
from core.access import Access
from households.selectors import measure_batches
from projects import selectors
from projects.models import Project
from tests.demo.test_demo import demo  # noqa: F401  (the demo county, loaded once for the module)
from tests.factories import UserFactory
from villages.models import Township

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo")]


@pytest.fixture
def jiangyi():
    return UserFactory(role=Role.TOWNSHIP_OFFICIAL, township=Township.objects.get(name="姜驿乡"))


@pytest.fixture
def county():
    return UserFactory(role=Role.COUNTY_ADMIN)


# Counts are shown as the pages show them elsewhere (intcomma: no separator in zh-hans); money in 万元/亿元.
def text(response) -> str:
    assert response.status_code == 200
    return re.sub(r"\s+", " ", response.content.decode())


def test_the_whole_township_project_as_jiangyis_official(client, jiangyi):
    client.force_login(jiangyi)
    listing = text(client.get(reverse("projects:list"), {"category": "whole_township"}))
    assert "姜驿乡扶贫整乡推进项目" in listing
    assert "2.05亿元" in listing and "8,091.87万元" in listing
    project = Project.objects.get(category=Project.Category.WHOLE_TOWNSHIP)
    page = text(client.get(reverse("projects:detail", args=[project.pk])))
    assert 'data-figure="planned">2.05亿元' in page
    assert 'data-figure="invested">8,091.87万元' in page
    assert 'data-figure="subprojects">166 个' in page
    assert '受益贫困户 <span class="text-body-secondary">1436 户' in page
    for source in ("中央财政专项扶贫资金", "金融扶贫信贷资金"):
        assert source in page
    rollup = selectors.subproject_rollup(access=Access.for_user(jiangyi), project=project)
    assert rollup.count == 166 and sum(n for _, n in rollup.by_state) == 166


def test_five_batches_of_jiangyi(client, jiangyi):
    rows = measure_batches(access=Access.for_user(jiangyi))
    assert [(r.label, r.households, r.persons) for r in rows] == [
        ("发展生产", 841, 2778),
        ("易地扶贫搬迁", 460, 1595),
        ("生态补偿", 115, 443),
        ("发展教育", 91, 341),
        ("社会保障兜底", 101, 309),
    ]
    client.force_login(jiangyi)
    page = text(client.get(reverse("projects:batches")))
    assert "五个一批：姜驿乡" in page
    for category, households, persons in (
        ("production", 841, 2778),
        ("relocation", 460, 1595),
        ("education", 91, 341),
        ("ecological", 115, 443),
        ("social_security", 101, 309),
    ):
        found = re.search(rf'data-batch="{category}">.*?data-households>(\d+)<.*?data-persons>(\d+)<', page)
        assert found and found.groups() == (str(households), str(persons)), category


def test_jiangyis_sites_show_planned_against_moved(client, jiangyi):
    client.force_login(jiangyi)
    page = text(client.get(reverse("projects:sites")))
    assert "贡茶安置点" in page and "法帕安置点" in page and "甘塘" not in page
    sites = {s.name: s for s in selectors.relocation_site_list(access=Access.for_user(jiangyi))}
    assert set(sites) == {"贡茶安置点", "法帕安置点"}
    assert (sites["贡茶安置点"].planned_households, sites["贡茶安置点"].relocated_households) == (150, 100)
    assert (sites["法帕安置点"].planned_persons, sites["法帕安置点"].relocated_persons) == (460, 360)
    assert "150 户 520 人" in page and "100 户 400 人" in page


def test_the_county_sees_ganTang_and_the_11_sites_with_621_households(client, county):
    client.force_login(county)
    page = text(client.get(reverse("projects:sites")))
    assert "甘塘片区搬迁新村" in page
    assert "11 个" in page
    assert 'data-total="relocated">621 户 2510 人' in page
    assert 'data-total="planned">948 户 3555 人' in page


def test_the_training_page_shows_800_200_1200(client, county):
    client.force_login(county)
    page = text(client.get(reverse("projects:trainings")))
    for kind, planned in (("transfer", "800"), ("guidance", "200"), ("skills", "1200")):
        assert re.search(rf'data-kind="{kind}">.*?data-planned>{planned}<', page), kind
    totals = selectors.training_totals_by_kind(selectors.training_list(access=Access.for_user(county)))
    assert sum(row["budget"] for row in totals) == Decimal("860000")


def test_county_project_totals_and_the_whole_village_project(county):
    access = Access.for_user(county)
    project = selectors.project_list(access=access, filters={"category": "whole_village", "township": None})
    whole_village = project.get(township__isnull=True)
    assert whole_village.planned_investment == Decimal("15173000")
    totals = selectors.project_totals(selectors.project_list(access=access))
    top = Project.objects.filter(parent__isnull=True)
    assert totals.planned == sum(p.planned_investment for p in top)  # sub-projects counted in their parent
    assert totals.invested >= Decimal("80918700")


def test_targets_page_computes_progress(client, county):
    client.force_login(county)
    page = text(client.get(reverse("projects:targets")))
    assert "脱贫 17000 人" in page
    rows = selectors.target_progress(targets=selectors.target_list(access=Access.for_user(county)))
    by_key = {
        (r.target.township.name if r.target.township else "", r.target.year, r.target.category): r
        for r in rows
    }
    # 平田乡: 83 households (340 persons) exited in 2015, counted against its 2016 target
    assert by_key[("平田乡", 2016, "")].persons == 340
    assert (
        by_key[("姜驿乡", 2018, "production")].households,
        by_key[("姜驿乡", 2018, "production")].persons,
    ) == (
        841,
        2778,
    )
