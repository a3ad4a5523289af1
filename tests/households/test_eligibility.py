"""Exit eligibility: per-capita net income above the year's line, and all six guarantees (DESIGN.md §3)."""

import random
from decimal import Decimal

import pytest
from django.db import connection, transaction

from households import choices, eligibility
from households.eligibility import eligibility_recompute, evaluate
from households.models import Assessment, EligibilityChange, EligibilityRun, Household, Member, PovertyLine
from tests.factories import AssessmentFactory, NaturalVillageFactory, make_household, member_data

pytestmark = pytest.mark.django_db


def two_person_household(**kw):
    return make_household(**kw)  # 户主 + 配偶


def test_income_below_the_line_is_not_eligible_and_says_why():
    household = two_person_household()
    AssessmentFactory(household=household, year=2016, wage_income=5400, operating_income=0)  # 2,700 a head

    eligibility_recompute()

    household.refresh_from_db()
    assert household.eligible is False
    assert household.eligibility_reasons == ["人均纯收入 2,700 元 低于 2016 年标准 2,952 元"]
    assert household.eligibility_year == 2016


def test_income_above_the_line_with_all_guarantees_is_eligible():
    household = two_person_household()
    AssessmentFactory(household=household, year=2016, wage_income=6000, operating_income=2000)  # 4,000 a head

    eligibility_recompute()

    household.refresh_from_db()
    assert household.eligible is True
    assert household.eligibility_reasons == []
    assessment = household.assessments.get()
    assert assessment.per_capita_net_income == Decimal("4000.00")
    assert assessment.poverty_line == Decimal("2952.00")
    assert assessment.rule_version == eligibility.RULE_VERSION


def test_operating_expense_is_subtracted_and_an_income_equal_to_the_line_is_not_enough():
    household = two_person_household()
    AssessmentFactory(
        household=household, year=2016, wage_income=6904, operating_income=1000, operating_expense=2000
    )  # (7,904 − 2,000) ÷ 2 = 2,952

    eligibility_recompute()

    household.refresh_from_db()
    assert household.eligibility_reasons == ["人均纯收入 2,952 元 未高于 2016 年标准 2,952 元"]


def test_each_unmet_guarantee_is_a_reason():
    household = two_person_household()
    AssessmentFactory(
        household=household, year=2016, wage_income=20000, housing_secure=False, water_secure=False
    )

    eligibility_recompute()

    household.refresh_from_db()
    assert household.eligible is False
    assert household.eligibility_reasons == ["住房安全无保障", "饮水安全无保障"]


def test_members_who_left_do_not_count_and_no_members_is_a_reason():
    household = two_person_household()
    AssessmentFactory(household=household, year=2016, wage_income=5000, operating_income=0)
    Member.objects.filter(household=household).update(left_reason=choices.LeaveReason.MOVED_OUT)

    eligibility_recompute()

    household.refresh_from_db()
    assert household.eligibility_reasons == [eligibility.NO_MEMBERS]


def test_a_county_line_overrides_the_national_line():
    household = two_person_household()
    AssessmentFactory(household=household, year=2016, wage_income=6400, operating_income=0)  # 3,200 a head
    PovertyLine.objects.create(year=2016, region_code="532328", amount=Decimal("3300"))

    eligibility_recompute()

    household.refresh_from_db()
    assert household.eligibility_reasons == ["人均纯收入 3,200 元 低于 2016 年标准 3,300 元"]


def test_a_year_without_a_line_is_a_reason():
    household = two_person_household()
    AssessmentFactory(household=household, year=2013, wage_income=50000)

    eligibility_recompute()

    household.refresh_from_db()
    assert household.eligibility_reasons == ["2013 年未设定扶贫标准"]


def test_the_latest_assessed_year_is_the_households_decision():
    household = two_person_household()
    AssessmentFactory(household=household, year=2015, wage_income=1000, operating_income=0)
    AssessmentFactory(household=household, year=2016, wage_income=9000)

    eligibility_recompute()

    household.refresh_from_db()
    assert (household.eligibility_year, household.eligible) == (2016, True)
    assert household.assessments.get(year=2015).eligible is False


def test_a_second_run_changes_nothing():
    for _ in range(3):
        AssessmentFactory(household=two_person_household(), year=2016, wage_income=random.randint(0, 20000))

    first = eligibility_recompute()
    second = eligibility_recompute()

    assert first.households_checked == 3 and first.decisions_changed == 3
    assert (second.households_checked, second.assessments_updated, second.decisions_changed) == (3, 0, 0)
    assert second.changes.count() == 0


def test_a_raised_line_is_recorded_as_a_change_with_before_and_after():
    household = two_person_household()
    AssessmentFactory(household=household, year=2016, wage_income=6400, operating_income=0)  # 3,200 a head
    eligibility_recompute()

    PovertyLine.objects.filter(year=2016, region_code="").update(amount=Decimal("3500"))
    run = eligibility_recompute(trigger=EligibilityRun.Trigger.POVERTY_LINE)

    assert (run.decisions_changed, run.became_eligible, run.became_ineligible) == (1, 0, 1)
    change = run.changes.get()
    assert (change.household_id, change.eligible_before, change.eligible_after) == (household.pk, True, False)
    assert change.reasons_after == ["人均纯收入 3,200 元 低于 2016 年标准 3,500 元"]


# The set-based path skips building the reasons of an assessment whose stored decision already agrees
# with its inputs: each of these edits keeps every cheaper figure equal and must still be seen.


def _decided(**assessment):
    household = two_person_household()
    AssessmentFactory(
        household=household, year=2016, **{"wage_income": 5400, "operating_income": 0, **assessment}
    )
    eligibility_recompute()
    return household


def test_a_rerun_sees_one_unmet_guarantee_swapped_for_another():
    household = _decided(food_secure=False)
    assert household.assessments.get().eligibility_reasons[-1] == "不愁吃未实现"

    Assessment.objects.filter(household=household).update(food_secure=True, clothing_secure=False)
    run = eligibility_recompute()

    household.refresh_from_db()
    assert household.eligibility_reasons == [
        "人均纯收入 2,700 元 低于 2016 年标准 2,952 元",
        "不愁穿未实现",
    ]
    assert (run.assessments_updated, run.decisions_changed) == (1, 1)


def test_a_rerun_sees_an_income_moved_within_the_same_decision():
    household = _decided()
    Assessment.objects.filter(household=household).update(wage_income=5000)  # 2,500 a head: still below
    eligibility_recompute()

    household.refresh_from_db()
    assert household.eligibility_reasons == ["人均纯收入 2,500 元 低于 2016 年标准 2,952 元"]


def test_a_rerun_sees_a_year_moved_to_one_with_the_same_line():
    household = _decided()
    PovertyLine.objects.update_or_create(year=2017, region_code="", defaults={"amount": Decimal("2952")})
    Assessment.objects.filter(household=household).update(year=2017)
    eligibility_recompute()

    household.refresh_from_db()
    assert household.eligibility_reasons == ["人均纯收入 2,700 元 低于 2017 年标准 2,952 元"]
    assert household.eligibility_year == 2017


def test_a_rerun_rewrites_decisions_of_another_rule_version():
    household = _decided()
    Assessment.objects.filter(household=household).update(rule_version="2015.9")
    run = eligibility_recompute()

    assert household.assessments.get().rule_version == eligibility.RULE_VERSION
    assert (run.assessments_updated, run.decisions_changed) == (1, 0)  # the words are the same


def test_removed_households_are_not_checked():
    household = two_person_household(status=choices.Status.REMOVED)
    AssessmentFactory(household=household, year=2016, wage_income=100)

    run = eligibility_recompute()

    household.refresh_from_db()
    assert run.households_checked == 0
    assert household.eligible is None


@pytest.mark.parametrize("how", ["assessment deleted", "household removed"])
def test_a_shown_decision_with_nothing_left_to_decide_it_is_cleared_and_recorded(how):
    household = two_person_household()
    AssessmentFactory(household=household, year=2016, wage_income=9000)
    eligibility_recompute()
    household.refresh_from_db()
    assert (household.eligible, household.eligibility_year) == (True, 2016)

    if how == "assessment deleted":
        household.assessments.all().delete()
    else:
        Household.objects.filter(pk=household.pk).update(status=choices.Status.REMOVED)
    run = eligibility_recompute()

    household.refresh_from_db()
    assert (household.eligible, household.eligibility_year, household.eligibility_reasons) == (None, None, [])
    change = run.changes.get()
    assert (change.household_id, change.eligible_before, change.eligible_after) == (household.pk, True, None)
    assert run.households_checked == 0
    assert eligibility_recompute().decisions_changed == 0


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the BRIN indexes are PostgreSQL's")
def test_a_runs_change_rows_are_written_in_household_order_for_their_brin_indexes():
    households = [two_person_household() for _ in range(12)]
    random.Random(3).shuffle(households)
    for household in households:  # assessments created out of household order
        AssessmentFactory(household=household, year=2016, wage_income=9000)

    run = eligibility_recompute()

    by_row = list(run.changes.order_by("id").values_list("household_id", flat=True))
    assert by_row == sorted(by_row) and len(by_row) == 12
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'households_eligibilitychange'"
        )
        kinds = {name: " USING brin " in definition for name, definition in cursor.fetchall()}
        cursor.execute("SELECT reloptions FROM pg_class WHERE relname = 'households_assessment'")
        options = cursor.fetchone()[0]
    assert kinds == {
        "households_eligibilitychange_pkey": False,
        "elig_change_run_brin": True,
        "elig_change_household_brin": True,
    }
    assert options == ["fillfactor=50"]


def test_an_exited_household_failing_a_later_year_is_flagged_for_return_review():
    household = two_person_household(status=choices.Status.EXITED, exit_year=2015)
    AssessmentFactory(household=household, year=2016, wage_income=1000, operating_income=0)

    eligibility_recompute()

    household.refresh_from_db()
    assert household.needs_return_review is True
    assert household.status == choices.Status.EXITED  # a township official confirms 返贫, not the job


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the set-based path is PostgreSQL's")
def test_a_failing_run_leaves_the_registry_as_it_was(monkeypatch):
    household = two_person_household()
    AssessmentFactory(household=household, year=2016, wage_income=9000)
    # The decisions are computed, the households and the change rows written, then the last write
    # fails: everything, the run included, is rolled back.
    steps = eligibility._WRITE_STEPS
    monkeypatch.setattr(eligibility, "_WRITE_STEPS", (*steps[:-1], ("broken", "SELECT broken")))

    with pytest.raises(Exception):  # noqa: B017 - any database error
        eligibility_recompute()

    assert Assessment.objects.get().eligible is None
    assert EligibilityChange.objects.count() == 0  # written before the failure, rolled back
    assert EligibilityRun.objects.count() == 0
    assert Household.objects.get().eligible is None


@pytest.mark.skipif(connection.vendor != "postgresql", reason="compares the SQL rule with the Python rule")
def test_the_set_based_sql_and_the_python_rule_agree():
    rng = random.Random(7)
    natural_village = NaturalVillageFactory()
    PovertyLine.objects.create(year=2016, region_code="530000", amount=Decimal("3100"))  # a provincial line
    for i in range(60):
        members = [member_data(name="户主")] + [
            member_data(choices.Relation.SON, name=f"子{j}") for j in range(rng.randint(0, 4))
        ]
        household = make_household(natural_village=natural_village, members=members)
        for year in rng.sample([2014, 2015, 2016, 2013], 2):
            AssessmentFactory(
                household=household,
                year=year,
                wage_income=Decimal(rng.randint(0, 9000)),
                operating_income=Decimal(rng.randint(0, 9000)),
                property_income=Decimal(rng.randint(0, 300)) / 7,
                transfer_income=Decimal(rng.randint(0, 2000)),
                operating_expense=Decimal(rng.randint(0, 3000)),
                **{field: rng.random() > 0.15 for field, _ in eligibility.GUARANTEES},
            )
        if i % 9 == 0:
            household.members.exclude(relation=choices.Relation.HEAD).update(
                left_reason=choices.LeaveReason.DEATH
            )

    eligibility_recompute()

    for a in Assessment.objects.select_related("household__township__county"):
        members = a.household.members.filter(left_reason="").count()
        line = eligibility.poverty_line_for(year=a.year, region_code="532328")
        expected = evaluate(a, members=members, line=line)
        assert (a.eligible, a.eligibility_reasons, a.per_capita_net_income, a.poverty_line) == (
            expected.eligible,
            expected.reasons,
            expected.per_capita_net_income,
            expected.poverty_line,
        ), a.pk


def test_changing_a_poverty_line_recomputes_through_a_job(django_capture_on_commit_callbacks):
    from core.models import Job
    from households.services import poverty_line_set

    household = two_person_household()
    AssessmentFactory(household=household, year=2016, wage_income=6400, operating_income=0)  # 3,200 a head
    eligibility_recompute()

    with django_capture_on_commit_callbacks(execute=True):
        poverty_line_set(year=2016, amount="3500")

    job = Job.objects.get(kind="eligibility_recompute")
    assert job.state == Job.State.DONE
    assert job.result["became_ineligible"] == 1
    assert EligibilityRun.objects.get(pk=job.result["run"]).trigger == EligibilityRun.Trigger.POVERTY_LINE
    household.refresh_from_db()
    assert household.eligible is False


@pytest.mark.parametrize("amount, message", [("0", "必须大于 0"), ("-5", "必须大于 0"), ("abc", "金额无效")])
def test_a_bad_poverty_line_is_refused_and_nothing_changes(amount, message):
    from django.core.exceptions import ValidationError

    from households.services import poverty_line_set

    with pytest.raises(ValidationError, match=message):
        poverty_line_set(year=2016, amount=amount)
    assert PovertyLine.objects.get(year=2016, region_code="").amount == Decimal("2952")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the plan is PostgreSQL's")
def test_the_member_counts_can_come_from_the_current_members_index():
    """The recompute's member counts match the partial index's condition (left_reason = ''), so PostgreSQL
    may count them from the index alone. Here, in a transaction rolled back, the planner is told to avoid
    sequential scans and the other index on the household is dropped: if the query's filter and the
    index's condition part, it has no index to turn to and scans the table anyway."""
    from households.eligibility import _CALC_SQL, RULE_VERSION

    two_person_household()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = 'households_member'"
            " AND indexdef LIKE '%%(household_id)' AND indexname <> 'member_current_household'"
        )
        for (other,) in cursor.fetchall():
            cursor.execute(f'DROP INDEX "{other}"')
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + _CALC_SQL, {"rule": RULE_VERSION})
        plan = "\n".join(line for (line,) in cursor.fetchall())
        transaction.set_rollback(True)
    assert "member_current_household" in plan, plan


def test_an_earlier_years_decision_is_rewritten_without_moving_the_shown_one():
    household = two_person_household()
    AssessmentFactory(household=household, year=2015, wage_income=1000, operating_income=0)
    AssessmentFactory(household=household, year=2016, wage_income=9000)
    eligibility_recompute()
    Assessment.objects.filter(household=household, year=2015).update(wage_income=2000)

    run = eligibility_recompute()

    household.refresh_from_db()
    assert household.assessments.get(year=2015).eligibility_reasons == [
        "人均纯收入 1,000 元 低于 2015 年标准 2,855 元"
    ]
    assert (household.eligibility_year, household.eligible) == (2016, True)
    assert (run.households_checked, run.assessments_updated, run.decisions_changed) == (1, 1, 0)


def test_the_shown_decision_falls_back_to_the_earlier_year_when_the_latest_is_deleted():
    household = two_person_household()
    AssessmentFactory(household=household, year=2015, wage_income=1000, operating_income=0)
    AssessmentFactory(household=household, year=2016, wage_income=9000)
    eligibility_recompute()
    household.assessments.filter(year=2016).delete()

    run = eligibility_recompute()

    household.refresh_from_db()
    assert (household.eligibility_year, household.eligible) == (2015, False)
    assert household.eligibility_reasons == ["人均纯收入 500 元 低于 2015 年标准 2,855 元"]
    assert (run.assessments_updated, run.decisions_changed) == (0, 1)
    change = run.changes.get()
    assert (change.year, change.eligible_before, change.eligible_after) == (2015, True, False)


def test_a_rerun_that_changes_nothing_puts_no_row_in_the_work_table():
    """The calculation keeps only the rows with work to do: with every decision stored and shown, none
    (not even the earlier years of a household, whose shown decision is the latest year's)."""
    household = two_person_household()
    AssessmentFactory(household=household, year=2015, wage_income=1000, operating_income=0)
    AssessmentFactory(household=household, year=2016, wage_income=9000)
    AssessmentFactory(household=two_person_household(), year=2016, wage_income=100)
    eligibility_recompute()

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS _eligibility_calc")  # the run's, kept by the test's transaction
        cursor.execute(eligibility._CALC_SQL, {"rule": eligibility.RULE_VERSION})
        cursor.execute("SELECT COUNT(*) FROM _eligibility_calc")
        kept = cursor.fetchone()[0]
        Assessment.objects.filter(household=household, year=2015).update(wage_income=2000)
        cursor.execute("DROP TABLE _eligibility_calc")
        cursor.execute(eligibility._CALC_SQL, {"rule": eligibility.RULE_VERSION})
        cursor.execute("SELECT household_id, year, is_latest FROM _eligibility_calc")
        after_an_edit = cursor.fetchall()
        transaction.set_rollback(True)
    assert kept == 0
    assert after_an_edit == [(household.pk, 2015, False)]
