"""Each data-quality rule finds a planted suspect; a suspect marked correct stays quiet until its data changes."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from households import choices as hh
from households.models import ExitApplication, HelpPlan, Household, Member
from monitoring.models import QualityIssue
from monitoring.quality import CHECKS, quality_run
from monitoring.services import quality_issue_mark_correct
from tests.factories import (
    PairingFactory,
    RevisitFactory,
    RevisitRoundFactory,
    make_household,
    member_data,
)
from tests.monitoring.helpers import assess

pytestmark = pytest.mark.django_db


def _exited(place, year=2019, **kw):
    household = make_household(natural_village=place, **kw)
    Household.objects.filter(pk=household.pk).update(status=hh.Status.EXITED, exit_year=year)
    household.refresh_from_db()
    return household


def plant_wrong_exit(place):
    household = _exited(place)
    assess(household, 2019, 3000, line=3218)
    return household, lambda: household.assessments.filter(year=2019).update(per_capita_net_income=3100)


def plant_never_proposed(place):
    household = make_household(natural_village=place)
    assess(household, 2017, 5000, line=2952, eligible=True)
    assess(household, 2018, 5000, line=2995, eligible=True)
    return household, lambda: assess(household, 2019, 5000, line=3218, eligible=True)


def plant_income_far_above(place):
    household = make_household(natural_village=place)
    assess(household, 2019, 9000, line=3218)
    return household, lambda: household.assessments.filter(year=2019).update(per_capita_net_income=9500)


def plant_departed_counted(place):
    household = make_household(natural_village=place)
    assess(household, 2019, 5000, line=3218, members=3)
    return household, lambda: household.assessments.filter(year=2019).update(member_count=4)


def plant_shared_phone(place):
    households = [make_household(natural_village=place, phone="13900001111") for _ in range(3)]
    return households[0], lambda: make_household(natural_village=place, phone="13900001111")


def plant_head_age(place):
    household = make_household(
        natural_village=place,
        members=[
            member_data(name="王小", born=datetime.date(1990, 1, 1)),
            member_data(hh.Relation.SON, name="王大", born=datetime.date(1980, 1, 1)),
        ],
    )
    son = household.members.get(relation=hh.Relation.SON)
    return household, lambda: Member.objects.filter(pk=son.pk).update(
        id_number=member_data(born=datetime.date(1975, 5, 5)).id_number
    )


def plant_exit_before_identified(place):
    household = _exited(place, year=2015, identified_year=2016)
    return household, lambda: Household.objects.filter(pk=household.pk).update(exit_year=2014)


def plant_no_visit(place):
    household = make_household(natural_village=place)
    PairingFactory(household=household)
    RevisitRoundFactory(year=2016, number=1)
    RevisitRoundFactory(
        year=2016, number=2, starts_on=datetime.date(2017, 1, 1), ends_on=datetime.date(2017, 6, 30)
    )

    def change():
        RevisitRoundFactory(
            year=2017, number=2, starts_on=datetime.date(2017, 7, 1), ends_on=datetime.date(2017, 12, 31)
        )

    return household, change


PLANTS = {
    "wrong_exit": plant_wrong_exit,
    "never_proposed": plant_never_proposed,
    "income_far_above": plant_income_far_above,
    "departed_counted": plant_departed_counted,
    "shared_phone": plant_shared_phone,
    "head_age": plant_head_age,
    "exit_before_identified": plant_exit_before_identified,
    "no_visit": plant_no_visit,
}


def test_every_declared_check_has_a_planted_suspect():
    assert set(PLANTS) == {check.code for check in CHECKS}
    assert all(check.name and check.severity for check in CHECKS)


@pytest.mark.parametrize("code", PLANTS)
def test_the_rule_finds_its_planted_suspect(place, code):
    household, _ = PLANTS[code](place)
    innocent = make_household(natural_village=place)
    quality_run(codes=[code])
    found = QualityIssue.objects.filter(rule=code, open=True)
    assert household.pk in {issue.household_id for issue in found}
    assert innocent.pk not in {issue.household_id for issue in found}
    assert all(issue.reason for issue in found)


@pytest.mark.parametrize("code", PLANTS)
def test_a_suspect_marked_correct_stays_quiet_until_its_data_changes(place, people, code):
    household, change = PLANTS[code](place)
    quality_run(codes=[code])
    issue = QualityIssue.objects.get(rule=code, household=household)
    quality_issue_mark_correct(issue=issue, user=people["county"], note="已入户核实，数据正确")

    quality_run(codes=[code])
    issue.refresh_from_db()
    assert issue.open is False
    assert issue.history.count() >= 1

    change()
    quality_run(codes=[code])
    issue.refresh_from_db()
    assert issue.open is True


def test_a_suspect_no_longer_found_goes_away(place):
    household, _ = plant_exit_before_identified(place)
    quality_run(codes=["exit_before_identified"])
    Household.objects.filter(pk=household.pk).update(exit_year=2017)
    quality_run(codes=["exit_before_identified"])
    assert not QualityIssue.objects.filter(household=household).exists()


def test_proposing_an_exit_quiets_never_proposed(place, people):
    household, _ = plant_never_proposed(place)
    ExitApplication.objects.create(household=household, year=2018)
    quality_run(codes=["never_proposed"])
    assert not QualityIssue.objects.filter(household=household).exists()


def test_a_cause_analysis_explains_a_high_income(place):
    household, _ = plant_income_far_above(place)
    HelpPlan.objects.create(household=household, year=2019, cause_analysis="2019 年子女务工收入，次年返乡")
    quality_run(codes=["income_far_above"])
    assert not QualityIssue.objects.filter(household=household).exists()


def test_marking_correct_needs_a_note_and_scope(place, people):
    household, _ = plant_exit_before_identified(place)
    quality_run(codes=["exit_before_identified"])
    issue = QualityIssue.objects.get(household=household)
    with pytest.raises(ValidationError, match="请填写核实说明"):
        quality_issue_mark_correct(issue=issue, user=people["village"], note=" ")
    with pytest.raises(ValidationError):
        quality_issue_mark_correct(issue=issue, user=people["inspector"], note="看过")


def test_a_paired_household_visited_in_the_last_round_is_not_a_suspect(place):
    household, _ = plant_no_visit(place)
    pairing = household.pairings.get()
    RevisitFactory(
        household=household,
        cadre=pairing.cadre,
        round=RevisitRoundFactory(year=2016, number=2),
        visited_on=datetime.date(2017, 3, 1),
    )
    quality_run(codes=["no_visit"])
    assert not QualityIssue.objects.filter(household=household).exists()
