"""The demo county reproduces every figure of the 2016 report (fixtures/SOURCES.md), from the data.

The demo is loaded once for the module and removed afterwards: other modules expect an empty database.
"""

import datetime
import io
from collections import Counter
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import Count, F, Q, Sum
from django.utils import timezone

from accounts.models import Role
from assignments.models import Cadre, Pairing, Revisit, RevisitRound, WorkUnit, WorkUnitVillage
from assignments.selectors import completion_total, overdue_for, round_completion
from core.access import Access
from core.idnumbers import birth_date, sex_code, validate_id_number
from demo.accounts import demo_cadre
from demo.current import LINE_NOTE
from households import choices
from households.eligibility import household_decision, poverty_line_for
from households.exit.selectors import county_announcement, exit_application_list, exit_candidates
from households.exit.services import APPLICATION, STEPS
from households.models import (
    Assessment,
    AssistanceMeasure,
    ExitApplication,
    ExitObjection,
    HelpPlan,
    Household,
    Member,
    PovertyLine,
)
from households.services import pinyin_initials
from poverty_tracker.celery import app as celery_app
from projects.models import Project, Relocation, RelocationSite, Target, Training
from tests.factories import UserFactory
from villages.models import (
    AdministrativeVillage,
    County,
    ExitIndicator,
    NaturalVillage,
    Township,
    VillageFigures,
    VillageIndicatorStatus,
)

S = choices.Status
E = choices.ExitState
R = choices.Relation
DEMO_LINE = LINE_NOTE.split("{")[0]
M = choices.MeasureCategory

# Reference data seeded by migrations stays; everything else the project stores is the demo's.
KEEP = {"households_povertyline", "villages_exitindicator"}
LOCAL_APPS = ("villages", "accounts", "households", "assignments", "projects", "core")


def _models() -> list:
    return [
        model
        for app in LOCAL_APPS
        for model in apps.get_app_config(app).get_models(include_auto_created=True)
        if model._meta.db_table not in KEEP and not model._meta.proxy
    ]


def _tables() -> list[str]:
    return [model._meta.db_table for model in _models()]


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    # The county approvals queue a figures refresh: inline, as in every test (tests/conftest.py), not to a
    # broker with no worker.
    eager, celery_app.conf.task_always_eager = celery_app.conf.task_always_eager, True
    try:
        with django_db_blocker.unblock():
            call_command("load_demo", stdout=io.StringIO())
    finally:
        celery_app.conf.task_always_eager = eager
    yield
    with django_db_blocker.unblock():
        PovertyLine.objects.filter(note__startswith=DEMO_LINE).delete()  # the seeded national lines stay
    with django_db_blocker.unblock(), transaction.atomic(), connection.cursor() as cursor:
        quoted = [connection.ops.quote_name(t) for t in _tables()]
        if connection.vendor == "postgresql":
            cursor.execute(f"TRUNCATE {', '.join(quoted)} CASCADE")
        else:
            with connection.constraint_checks_disabled():
                for table in quoted:
                    cursor.execute(f"DELETE FROM {table}")


pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo")]


def counted(**filters):
    return Household.objects.filter(status__in=choices.COUNTED_STATUSES, **filters)


def persons(households) -> int:
    return Member.objects.filter(household__in=households, left_reason="").count()


def poor_persons(**filters) -> int:
    return persons(Household.objects.filter(status__in=choices.POOR_STATUSES, **filters))


# ------------------------------------------------------------------ geography


def test_county_and_its_ten_townships():
    county = County.objects.get()
    assert (county.name, county.region_code, county.prefecture) == ("元谋县", "532328", "楚雄彝族自治州")
    assert not county.is_poverty_county
    names = set(Township.objects.values_list("name", flat=True))
    assert names == {
        "元马镇",
        "黄瓜园镇",
        "羊街镇",
        "老城乡",
        "物茂乡",
        "江边乡",
        "新华乡",
        "平田乡",
        "凉山乡",
        "姜驿乡",
    }
    assert Township.objects.exclude(code="").count() == 10
    assert list(Township.objects.filter(is_poor=True).values_list("name", "planned_exit_year")) == [
        ("姜驿乡", 2018)
    ]
    for township in Township.objects.annotate(n=Count("villages")):
        assert 5 <= township.n <= 12, township.name


def test_villages_the_document_names():
    def village_names(township):
        return set(
            AdministrativeVillage.objects.filter(township__name=township).values_list("name", flat=True)
        )

    assert village_names("平田乡") == {"华竹村", "新康村", "怕地村", "新昌村", "平田村"}
    assert NaturalVillage.objects.filter(village__township__name="平田乡").count() == 46
    assert (
        NaturalVillage.objects.filter(
            village__township__name="平田乡", name__in=["那蚌", "小己保", "龙坪"]
        ).count()
        == 3
    )
    assert {"波亨村", "老者格村"} <= village_names("老城乡")
    assert {"羊街村", "甘泉村", "花同村"} <= village_names("羊街镇")
    assert "乐甫村" in village_names("凉山乡")
    assert "雷弄村" in village_names("江边乡")
    assert "冷水箐村" in village_names("新华乡")


def test_twelve_poor_villages_three_exiting_in_2016():
    poor = AdministrativeVillage.objects.filter(is_poor=True)
    assert poor.count() == 12
    assert set(poor.filter(planned_exit_year=2016).values_list("name", flat=True)) == {
        "乐甫村",
        "雷弄村",
        "冷水箐村",
    }
    assert set(poor.filter(township__name="老城乡").values_list("name", flat=True)) == {"波亨村", "老者格村"}
    assert set(
        poor.filter(planned_exit_year=2018, township__name="平田乡").values_list("name", flat=True)
    ) == {
        "华竹村",
        "新康村",
    }
    assert not poor.filter(planned_exit_year__isnull=True).exists()
    assert not poor.filter(planned_exit_year__gt=2018).exists()


def test_natural_villages_inside_the_county_and_eleven_poor():
    assert NaturalVillage.objects.filter(is_poor=True).count() == 11
    assert NaturalVillage.objects.filter(is_poor=True, name__in=["那蚌", "小己保", "龙坪"]).count() == 3
    outside = NaturalVillage.objects.exclude(
        latitude__gte=Decimal("25.4"),
        latitude__lte=Decimal("26.1"),
        longitude__gte=Decimal("101.6"),
        longitude__lte=Decimal("102.1"),
    )
    assert not outside.exists()


def test_poverty_incidence_is_plausible():
    for village in AdministrativeVillage.objects.filter(is_poor=True):
        incidence = poor_persons(village=village) / village.registered_rural_population
        if village.planned_exit_year == 2016:
            assert 0.03 < incidence < 0.045, village.name
        else:
            assert incidence > 0.03, village.name
    jiangyi = Township.objects.get(name="姜驿乡")
    assert poor_persons(township=jiangyi) / jiangyi.registered_rural_population > 0.03
    for township in Township.objects.all():
        assert township.registered_rural_population == sum(
            township.villages.values_list("registered_rural_population", flat=True)
        )
        assert township.registered_rural_population > persons(counted(township=township))
    county = County.objects.get()
    assert county.registered_rural_population == sum(
        Township.objects.values_list("registered_rural_population", flat=True)
    )


def test_poor_villages_have_indicator_rows_some_met():
    active = ExitIndicator.objects.filter(level="village", active=True).count()
    rows = VillageIndicatorStatus.objects.filter(village__is_poor=True)
    assert rows.count() == 12 * active
    assert rows.filter(met=True).exists() and rows.filter(met=False).exists()
    assert not VillageIndicatorStatus.objects.filter(village__is_poor=False).exists()


# ------------------------------------------------------------------ households and members


def test_county_household_figures():
    assert counted().count() == 5653
    assert poor_persons() >= 17000
    assert 19000 <= persons(counted()) <= 21000
    assert Household.objects.filter(status=S.REMOVED).count() == 25


def test_jiangyi_1436_households_5000_persons_all_poor():
    jiangyi = counted(township__name="姜驿乡")
    assert jiangyi.count() == 1436
    assert persons(jiangyi) == 5000
    assert not jiangyi.exclude(status=S.POOR).exists()


def test_pingtian_444_households_83_exited_25_removed():
    pingtian = counted(township__name="平田乡")
    assert pingtian.count() == 444
    assert persons(pingtian) == 1769
    exited = pingtian.filter(status=S.EXITED)
    assert exited.count() == 83
    assert persons(exited) == 340
    assert not exited.exclude(exit_year=2015).exists()
    assert (
        Assessment.objects.filter(
            household__in=exited, year=2015, per_capita_net_income__gt=Decimal("2855")
        ).count()
        == 83
    )
    removed = Household.objects.filter(township__name="平田乡", status=S.REMOVED)
    assert removed.count() == 25
    assert not removed.filter(removed_reason="").exists()


def test_other_townships():
    xinhua = counted(township__name="新华乡")
    assert xinhua.count() >= 538
    assert persons(xinhua) >= 1700
    for name in ("元马镇", "黄瓜园镇"):
        assert counted(township__name=name).count() < 100


def test_household_fields():
    households = counted()
    assert not households.exclude(identified_year__in=[2014, 2015]).exists()
    assert households.filter(identified_year=2014).count() > households.count() * 0.7
    assert households.exclude(phone="").count() > households.count() * 0.8
    assert set(households.values_list("main_cause", flat=True)) <= set(choices.Cause.values)
    assert len(set(households.values_list("attribute", flat=True))) == 3
    mismatched = Household.objects.filter(
        ~Q(village=F("natural_village__village")) | ~Q(township=F("natural_village__village__township"))
    )
    assert not mismatched.exists()


def test_each_household_has_exactly_one_current_head_with_its_name():
    heads = Member.objects.filter(relation=R.HEAD, left_reason="")
    per_household = dict(heads.values_list("household").annotate(n=Count("id")).values_list("household", "n"))
    assert len(per_household) == Household.objects.count()
    assert set(per_household.values()) == {1}
    for household_id, name, head_name, initials in heads.values_list(
        "household", "name", "household__head_name", "household__head_initials"
    ):
        assert name == head_name, household_id
        assert initials == pinyin_initials(name)


def test_every_id_number_is_valid_unique_and_agrees_with_sex():
    rows = list(Member.objects.values_list("id_number", "sex", "disability_certificate"))
    assert len({r[0] for r in rows}) == len(rows)
    for id_number, sex, certificate in rows:
        validate_id_number(id_number)
        assert id_number.startswith("532328")
        assert sex_code(id_number) == sex
        if certificate:
            assert certificate[:18] == id_number and len(certificate) in (20, 22)


def test_relations_agree_with_ages_and_sexes():
    members = Member.objects.values_list("household", "relation", "sex", "id_number")
    by_household = {}
    for household, relation, sex, id_number in members:
        by_household.setdefault(household, []).append((relation, sex, birth_date(id_number)))
    younger = {R.SON, R.DAUGHTER, R.GRANDSON, R.GRANDDAUGHTER}
    older = {R.FATHER, R.MOTHER}
    male = {R.SON, R.GRANDSON, R.FATHER}
    female = {R.DAUGHTER, R.GRANDDAUGHTER, R.MOTHER, R.DAUGHTER_IN_LAW}
    for household, rows in by_household.items():
        head = next(r for r in rows if r[0] == R.HEAD)
        for relation, sex, born in rows:
            if relation in younger:
                assert born > head[2], household
            if relation in older:
                assert born < head[2], household
            if relation in male:
                assert sex == "male", household
            if relation in female:
                assert sex == "female", household
            if relation == R.SPOUSE:
                assert sex != head[1], household


def test_members_attributes_are_consistent_and_varied():
    today = datetime.date(2016, 5, 31)
    current = Member.objects.filter(left_reason="")
    for id_number, education, labour in current.values_list("id_number", "education", "labour"):
        age = (today - birth_date(id_number)).days // 365
        if age < 6:
            assert education == choices.Education.PRESCHOOL
            assert labour == choices.Labour.NONE
        else:
            assert education != choices.Education.PRESCHOOL
    ethnicities = dict(current.values_list("ethnicity").annotate(n=Count("id")).values_list("ethnicity", "n"))
    ranked = sorted(ethnicities, key=ethnicities.get, reverse=True)
    assert ranked[:2] == ["汉族", "彝族"]
    assert ethnicities["汉族"] > sum(ethnicities.values()) / 2
    assert {"傈僳族", "苗族", "傣族", "回族"} <= set(ethnicities)
    healths = {code for health in current.values_list("health", flat=True) for code in health}
    assert healths == set(choices.Health.values)
    assert current.exclude(migrant_work=choices.MigrantWork.NONE).exists()
    assert Member.objects.exclude(left_reason="").exists()


# ------------------------------------------------------------------ assessments, plans, measures


def test_two_assessments_per_counted_household_consistent_with_members():
    assert Assessment.objects.filter(year__in=(2015, 2016)).count() == 2 * 5653
    assert not Assessment.objects.filter(household__status=S.REMOVED).exists()
    sizes = dict(
        Member.objects.filter(left_reason="")
        .values_list("household")
        .annotate(n=Count("id"))
        .values_list("household", "n")
    )
    for a in Assessment.objects.all():
        assert a.member_count == sizes[a.household_id]
        net = a.wage_income + a.operating_income + a.property_income + a.transfer_income - a.operating_expense
        assert a.per_capita_net_income == (net / a.member_count).quantize(Decimal("0.01"))


def test_assessments_mostly_below_the_line_some_above():
    for year, line in ((2015, Decimal("2855")), (2016, Decimal("2952"))):
        poor = Assessment.objects.filter(year=year, household__status=S.POOR)
        below = poor.filter(per_capita_net_income__lt=line).count()
        assert below > poor.count() * 0.6
        assert poor.filter(per_capita_net_income__gt=line).exists()
    unmet = {f: Assessment.objects.filter(**{f: False}).count() for f in Assessment.SECURITY_FIELDS}
    assert sorted(unmet, key=unmet.get, reverse=True)[:2] == ["housing_secure", "water_secure"]
    assert all(n < Assessment.objects.count() / 2 for n in unmet.values())


def test_a_2016_help_plan_for_every_counted_household():
    assert HelpPlan.objects.filter(year=2016).count() == 5653
    assert HelpPlan.objects.filter(household__in=counted()).values("household").distinct().count() == 5653
    assert HelpPlan.objects.filter(household__township__name="平田乡").count() == 444


@pytest.mark.parametrize(
    "category, households, members",
    [
        (M.PRODUCTION, 841, 2778),
        (M.RELOCATION, 460, 1595),
        (M.EDUCATION, 91, 341),
        (M.ECOLOGICAL, 115, 443),
        (M.SOCIAL_SECURITY, 101, 309),
    ],
)
def test_jiangyi_five_batches(category, households, members):
    helped = counted(township__name="姜驿乡", measures__category=category).distinct()
    assert helped.count() == households
    assert persons(helped) == members
    target = Target.objects.get(township__name="姜驿乡", category=category)
    assert (target.households, target.persons) == (households, members)


def test_measures_elsewhere_too():
    assert AssistanceMeasure.objects.exclude(household__township__name="姜驿乡").exists()


# ------------------------------------------------------------------ units, cadres, pairings, revisits


def test_work_units_and_cadres():
    assert WorkUnit.objects.count() == 102
    assert Cadre.objects.count() == 3437
    laocheng_units = (
        WorkUnitVillage.objects.filter(village__township__name="老城乡").values("unit").distinct()
    )
    assert laocheng_units.count() == 19
    assert not AdministrativeVillage.objects.filter(work_units__isnull=True).exists()
    assert not Cadre.objects.filter(pairings__isnull=True).exists()


def test_every_counted_household_has_one_active_pairing():
    active = Pairing.objects.filter(ended_on__isnull=True)
    assert active.count() == 5653
    assert active.values("household").distinct().count() == 5653
    assert not active.filter(household__status=S.REMOVED).exists()
    assert not active.exclude(started_on__year=2016, started_on__month=1).exists()
    xinhua = active.filter(household__township__name="新华乡").values("cadre").distinct()
    assert xinhua.count() == 323
    assert active.filter(household__village__name="波亨村", household__township__name="老城乡").exists()


def test_four_revisit_rounds_visit_every_household_by_its_cadre():
    rounds = list(RevisitRound.objects.filter(year=2016).order_by("number"))
    assert [r.name for r in rounds] == [f"2016年第{n}轮" for n in range(1, 5)]
    assert rounds[0].starts_on.month == 1 and rounds[-1].ends_on == datetime.date(2016, 5, 31)
    assert Revisit.objects.values("household").distinct().count() == 5653
    per_round = (
        Revisit.objects.filter(round__year=2016).values("round").annotate(n=Count("household", distinct=True))
    )
    assert {r["n"] for r in per_round} == {5653}
    assert not Revisit.objects.exclude(
        Q(visited_on__gte=F("round__starts_on")) & Q(visited_on__lte=F("round__ends_on"))
    ).exists()
    paired = dict(Pairing.objects.filter(ended_on__isnull=True).values_list("household", "cadre"))
    for household, cadre in Revisit.objects.values_list("household", "cadre"):
        assert paired[household] == cadre
    assert Revisit.objects.values("client_uuid").distinct().count() == Revisit.objects.count()
    kinds = dict(Revisit.objects.values_list("kind").annotate(n=Count("id")).values_list("kind", "n"))
    assert kinds["home"] > kinds["phone"] > 0
    assert not Revisit.objects.filter(situation="").exists()


# ------------------------------------------------------------------ projects, relocation, training, targets


def test_jiangyi_whole_township_project():
    project = Project.objects.get(category=Project.Category.WHOLE_TOWNSHIP, township__name="姜驿乡")
    assert project.planned_investment == Decimal("205000000")
    assert (project.approved_on.year, project.approved_on.month) == (2015, 7)
    assert project.progress.get().invested_to_date == Decimal("80918700")
    assert project.subprojects.count() == 166
    assert set(project.subprojects.values_list("category", flat=True)) == {
        "road",
        "irrigation",
        "farmland",
        "telecom",
        "housing",
        "education",
        "health",
        "culture",
        "ecology",
    }
    assert project.funding.aggregate(s=Sum("amount"))["s"] == project.planned_investment


def test_county_whole_village_project():
    project = Project.objects.get(category=Project.Category.WHOLE_VILLAGE, township__isnull=True)
    assert project.planned_investment == Decimal("15173000")
    assert (project.planned_households, project.planned_persons) == (866, 3344)
    assert project.natural_villages.count() == 11
    assert not project.natural_villages.filter(is_poor=False).exists()
    assert project.beneficiaries.exists()
    assert project.funding.aggregate(s=Sum("amount"))["s"] == project.planned_investment


def test_pingtian_xinhua_laocheng_projects():
    paidi = Project.objects.get(village__name="怕地村", category=Project.Category.RELOCATION)
    assert paidi.planned_investment == Decimal("21125000")
    assert paidi.planned_households == 56 and paidi.beneficiaries.count() == 56
    assert "44.3亩" in paidi.description
    nabang = Project.objects.get(township__name="平田乡", category=Project.Category.WHOLE_VILLAGE)
    assert nabang.planned_investment == Decimal("1200000")
    assert nabang.planned_households == 63 and nabang.beneficiaries.count() == 63
    assert set(nabang.natural_villages.values_list("name", flat=True)) == {"那蚌", "小己保", "龙坪"}
    water = Project.objects.get(township__name="平田乡", category=Project.Category.DRINKING_WATER)
    assert water.planned_investment == Decimal("2679500")
    assert water.natural_villages.count() == 26
    vetiver = Project.objects.get(township__name="新华乡", name__contains="香根草")
    assert vetiver.planned_investment == Decimal("600000") and "200亩" in vetiver.description
    livestock = Project.objects.get(township__name="新华乡", name__contains="大牲畜")
    assert livestock.planned_investment == Decimal("700000") and "250头" in livestock.description
    assert livestock.planned_households == 133 and livestock.beneficiaries.count() == 133
    laocheng = Project.objects.filter(township__name="老城乡")
    assert laocheng.count() == 16
    assert set(laocheng.values_list("village__name", flat=True)) == {"波亨村", "老者格村"}


def test_relocation_sites_and_2016_relocations():
    sites = RelocationSite.objects.all()
    assert sites.count() == 11
    assert sites.values("township").distinct().count() == 7
    assert sites.aggregate(h=Sum("planned_households"), p=Sum("planned_persons")) == {"h": 948, "p": 3555}
    placement = {
        "平田乡": 2,
        "江边乡": 2,
        "姜驿乡": 2,
        "新华乡": 2,
        "物茂乡": 1,
        "凉山乡": 1,
        "元马镇": 1,
    }
    assert (
        dict(sites.values_list("township__name").annotate(n=Count("id")).values_list("township__name", "n"))
        == placement
    )
    moves = Relocation.objects.filter(kind=Relocation.Kind.REGISTERED)
    assert moves.count() == 621
    assert moves.aggregate(p=Sum("persons"))["p"] == 2510
    sizes = dict(
        Member.objects.filter(left_reason="")
        .values_list("household")
        .annotate(n=Count("id"))
        .values_list("household", "n")
    )
    for household, persons_moved, area in moves.values_list("household", "persons", "housing_area"):
        assert persons_moved == sizes[household]
        assert area <= 25 * persons_moved
    assert moves.filter(moved_in_on__year=2016).exists()


def test_trainings_2016():
    trainings = Training.objects.filter(year=2016, township__isnull=True)
    assert dict(trainings.values_list("kind", "planned_participants")) == {
        "transfer": 800,
        "guidance": 200,
        "skills": 1200,
    }
    assert trainings.aggregate(s=Sum("planned_investment"))["s"] == Decimal("860000")


def test_targets():
    county = Target.objects.filter(township__isnull=True)
    t2016 = county.get(year=2016)
    assert (t2016.persons, t2016.villages_to_exit) == (4500, 3)
    t2018 = county.get(year=2018)
    assert (t2018.persons, t2018.villages_to_exit, t2018.townships_to_exit, t2018.income_goal) == (
        17000,
        12,
        1,
        Decimal("14000"),
    )
    pingtian = Target.objects.filter(township__name="平田乡")
    assert pingtian.get(year=2016).persons == 413
    p2018 = pingtian.get(year=2018)
    assert (p2018.households, p2018.persons, p2018.income_goal) == (444, 1769, Decimal("13000"))
    assert pingtian.get(year=2020).income_goal == Decimal("15200")
    x2017 = Target.objects.get(township__name="新华乡", year=2017)
    assert (x2017.households, x2017.persons) == (538, 1700)
    assert Target.objects.get(township__name="姜驿乡", year=2018, category="").townships_to_exit == 1
    for name in ("元马镇", "黄瓜园镇"):
        assert Target.objects.get(township__name=name, year=2016).note == "基本消除贫困人口"


def test_village_figures_were_refreshed():
    totals = VillageFigures.objects.aggregate(h=Sum("households"), p=Sum("poor_persons"))
    assert totals["h"] == 5653
    assert totals["p"] == poor_persons()


# ------------------------------------------------------------------ the county today


def test_a_poverty_line_for_every_year_up_to_this_year_leaves_2016_as_it_was():
    today = timezone.localdate()
    for year in range(2014, today.year + 1):
        assert poverty_line_for(year=year, region_code="532328") is not None, year
    assert not PovertyLine.objects.filter(note__startswith=DEMO_LINE, year__lte=2020).exists()
    # the 2015 and 2016 decisions were taken on the national lines of their own year
    for year, line in ((2015, Decimal("2855")), (2016, Decimal("2952"))):
        assert set(Assessment.objects.filter(year=year).values_list("poverty_line", flat=True)) == {line}


def test_exit_applications_wait_at_each_of_the_five_steps():
    today = timezone.localdate()
    applications = ExitApplication.objects.select_related("household__village", "household__township")
    per_state = Counter(applications.values_list("state", flat=True))
    for state in (
        E.APPLIED,
        E.VILLAGE_CONFIRMED,
        E.ASSEMBLY_REVIEWED,
        E.TOWNSHIP_VERIFIED,
        E.COUNTY_APPROVED,
    ):
        assert 3 <= per_state[state] <= 6, state
    assert applications.values("household__township").distinct().count() >= 5
    assert not applications.exclude(year=today.year).exists()
    for application in applications:
        household = application.household
        assert household_decision(household, application.year).eligible, household.household_number
        if application.state == E.COUNTY_APPROVED:
            assert (household.status, household.exit_year) == (S.EXITED, today.year)
            # never where the report's 2016 figures are pinned
            assert household.township.name not in ("姜驿乡", "平田乡", "新华乡")
            assert not household.village.is_poor
        else:
            assert household.status == S.POOR


def test_each_step_taken_in_order_by_its_owner_in_scope_on_past_days():
    today = timezone.localdate()
    owner = {APPLICATION.target: APPLICATION.role, **{step.target: step.role for step in STEPS}}
    order = [APPLICATION.target, *(step.target for step in STEPS)]
    for application in ExitApplication.objects.prefetch_related("steps__actor"):
        steps = list(application.steps.all())
        assert [s.state for s in steps] == order[: len(steps)]
        rejected = application.state == E.REJECTED
        assert steps[-1].state == application.state or rejected
        assert [s.decision for s in steps[:-1]] == ["approve"] * (len(steps) - 1)
        if rejected:
            assert steps[-1].decision == "reject" and steps[-1].comment
        times = [s.acted_at for s in steps]
        assert times == sorted(times) and timezone.localtime(times[-1]).date() <= today
        for step in steps:
            assert step.actor.role == owner[step.state]
            visible = Access.for_user(step.actor).visible(
                Household.objects.filter(pk=application.household_id)
            )
            assert visible.exists()


def test_public_notices_running_and_over_with_objections():
    today = timezone.localdate()
    noticed = ExitApplication.objects.filter(state__in=(E.ASSEMBLY_REVIEWED, E.TOWNSHIP_VERIFIED))
    assert noticed.filter(notice_ends_on__gte=today).exists()  # 公示 running
    assert noticed.filter(notice_ends_on__lt=today).exists()  # 公示 over: the next step may be taken
    assert ExitObjection.objects.filter(resolution="", application__notice_ends_on__gte=today).exists()
    assert ExitObjection.objects.exclude(resolution="").exists()
    assert ExitApplication.objects.filter(state=E.REJECTED).exists()


def test_the_demo_logins_find_exit_work_of_their_own():
    today = timezone.localdate()
    boheng = AdministrativeVillage.objects.get(name="波亨村", township__name="老城乡")
    village = Access.for_user(UserFactory(role=Role.VILLAGE_OFFICIAL, village=boheng))
    assert exit_application_list(access=village, my_turn=True).exists()
    assert exit_candidates(access=village, year=today.year).exists()
    for name in ("老城乡", "姜驿乡"):
        township = Access.for_user(
            UserFactory(role=Role.TOWNSHIP_OFFICIAL, township=Township.objects.get(name=name))
        )
        assert exit_application_list(access=township, my_turn=True).exists(), name
    county = Access.for_user(UserFactory(role=Role.COUNTY_ADMIN))
    assert exit_application_list(access=county, my_turn=True).exists()
    approved = ExitApplication.objects.filter(state=E.COUNTY_APPROVED).count()
    assert len(county_announcement(access=county, year=today.year)) == approved


def test_an_open_round_around_today_with_households_visited_and_overdue():
    today = timezone.localdate()
    current = RevisitRound.objects.get(starts_on__lte=today, ends_on__gte=today)
    two_weeks = datetime.timedelta(days=14)
    assert current.starts_on <= today - two_weeks and current.ends_on >= today + two_weeks
    assert not current.revisits.filter(visited_on__gt=today).exists()
    county = Access.for_user(UserFactory(role=Role.COUNTY_ADMIN))
    total = completion_total(round_completion(access=county, round_id=current.pk, group_by="township"))
    assert total.due == 5653 and 0 < total.visited < total.due and total.overdue == 0
    reminders = overdue_for(access=county)
    assert reminders.current_round == current and reminders.current.visited == total.visited
    closed = reminders.rounds[0]
    assert closed.round.ends_on < current.starts_on and 0 < closed.total < 5653 / 4
    # the cadre login's phone: an overdue household of the closed round, and the open round half done
    cadre = demo_cadre(AdministrativeVillage.objects.get(name="波亨村", township__name="老城乡"))
    mine = overdue_for(access=Access.for_user(UserFactory(role=Role.CADRE, cadre=cadre)))
    assert mine.rounds and mine.rounds[0].households
    assert 0 < mine.current.visited < mine.current.due


# ------------------------------------------------------------------ idempotence


def test_loading_again_changes_nothing():
    models = _models()
    before = {m: m.objects.count() for m in models}
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    assert "演示数据已存在，未做改动" in out.getvalue()
    assert {m: m.objects.count() for m in models} == before
