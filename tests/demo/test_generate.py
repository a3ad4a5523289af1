"""generate_households: synthetic households that keep every model invariant, run after run."""

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import Count, F, Q

from core.idnumbers import sex_code, validate_id_number
from demo.generation import (
    FEMALE_GIVEN,
    FEMALE_INITIALS,
    MALE_GIVEN,
    MALE_INITIALS,
    SURNAME_INITIALS,
    SURNAMES,
    SYNTHETIC_COUNTY_CODE,
    _id_parts,
    assessment_values,
    generate_households,
    household_values,
    member_values,
)
from households import choices
from households.models import Assessment, Household, Member
from households.services import pinyin_initials
from villages.models import County, NaturalVillage

pytestmark = pytest.mark.django_db

N = 300


@pytest.fixture
def generated():
    """Two runs of N households: the second continues after the first."""
    first = generate_households(count=N)
    second = generate_households(count=N)
    return first, second


def test_two_runs_add_households_members_and_one_assessment_each(generated):
    first, second = generated
    assert (first.first_number, first.last_number) == ("G000000001", "G000000300")
    assert (second.first_number, second.last_number) == ("G000000301", "G000000600")
    assert Household.objects.count() == 2 * N
    assert Member.objects.count() == first.members + second.members
    assert 2 * N * 3 < Member.objects.count() < 2 * N * 5  # about four per household
    sizes = Household.objects.annotate(n=Count("members")).values_list("n", flat=True)
    assert set(sizes) <= set(range(1, 8)) and len(set(sizes)) >= 5
    assert Household.objects.values("household_number").distinct().count() == 2 * N
    assert Assessment.objects.filter(year=2016).count() == 2 * N
    assert not Household.objects.annotate(n=Count("assessments")).exclude(n=1).exists()


def test_every_id_number_is_valid_unique_and_agrees_with_sex(generated):
    rows = list(Member.objects.values_list("id_number", "sex"))
    for id_number, sex in rows:
        validate_id_number(id_number)
        assert sex_code(id_number) == sex
        assert not id_number.startswith("532328")  # never the demo county's region code
    assert len({id_number for id_number, _ in rows}) == len(rows)


def test_each_household_has_exactly_one_current_head_whose_name_it_carries(generated):
    heads = Member.objects.filter(relation=choices.Relation.HEAD, left_reason="")
    assert (
        not Household.objects.annotate(
            heads=Count("members", filter=Q(members__relation="head", members__left_reason=""))
        )
        .exclude(heads=1)
        .exists()
    )
    for head in heads.select_related("household"):
        assert head.household.head_name == head.name
        assert head.household.head_initials == pinyin_initials(head.name)


def test_village_and_township_agree_with_the_natural_village(generated):
    assert not Household.objects.exclude(village_id=F("natural_village__village_id")).exists()
    assert not Household.objects.exclude(township_id=F("natural_village__village__township_id")).exists()


def test_assessment_per_capita_income_is_net_income_over_members(generated):
    for a in Assessment.objects.annotate(n=Count("household__members")):
        assert a.member_count == a.n
        income = a.wage_income + a.operating_income + a.property_income + a.transfer_income
        assert min(a.wage_income, a.operating_income, a.property_income, a.transfer_income) >= 0
        assert a.per_capita_net_income == ((income - a.operating_expense) / a.n).quantize(Decimal("0.01"))


def test_codes_are_valid_choices_and_most_households_are_poor(generated):
    members = Member.objects.all()
    for field, enum in (
        ("relation", choices.Relation),
        ("sex", choices.Sex),
        ("education", choices.Education),
        ("school_status", choices.SchoolStatus),
        ("labour", choices.Labour),
        ("migrant_work", choices.MigrantWork),
    ):
        assert set(members.values_list(field, flat=True)) <= set(enum.values), field
    assert all(set(h) <= set(choices.Health.values) and h for h in members.values_list("health", flat=True))
    households = Household.objects.all()
    assert set(households.values_list("attribute", flat=True)) <= set(choices.Attribute.values)
    assert set(households.values_list("main_cause", flat=True)) <= set(choices.Cause.values)
    assert households.filter(status=choices.Status.POOR).count() > 0.8 * households.count()
    assert not households.filter(status=choices.Status.EXITED, exit_year__isnull=True).exists()
    assert all(c == [] for c in households.values_list("other_causes", flat=True))


def test_rows_written_are_those_of_the_python_rules(generated):
    """The SQL on PostgreSQL and the bulk_create fallback follow one set of rules."""
    for household in Household.objects.prefetch_related("members", "assessments")[:: N // 20]:
        values = household_values(int(household.household_number[1:]))
        assert household.head_name == values["head_name"]
        assert household.status == values["status"]
        assert household.main_cause == values["main_cause"]
        members = sorted(household.members.all(), key=lambda m: m.pk)
        assert len(members) == values["size"]
        for position, member in enumerate(members):
            expected = member_values(values, position)
            assert {k: getattr(member, k) for k in expected} == expected
        assessment = household.assessments.get()
        expected = assessment_values(values["i"], values["size"], values["attribute"])
        assert {k: getattr(assessment, k) for k in expected} == expected


def test_empty_database_gets_a_small_synthetic_county_that_is_not_yuanmou():
    generate_households(count=10)
    county = County.objects.get()
    assert county.region_code == SYNTHETIC_COUNTY_CODE != "532328"
    assert NaturalVillage.objects.filter(name="基准组001").exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the bulk path is the one SQLite runs anyway")
def test_bulk_create_path_continues_the_same_sequence():
    generate_households(count=20, method="bulk")
    sql = generate_households(count=20, method="sql")
    assert sql.first_number == "G000000021"
    ids = list(Member.objects.values_list("id_number", flat=True))
    assert len(ids) == len(set(ids))


def test_the_cycle_collector_waits_while_rows_are_made_and_runs_again_after(monkeypatch):
    """The bulk path (SQLite's, make run's demo county) makes every row's values in Python."""
    import gc

    import demo.generation as generation

    seen = []
    made = generation.household_values

    def household_values(i):
        seen.append(gc.isenabled())
        return made(i)

    monkeypatch.setattr(generation, "household_values", household_values)
    assert gc.isenabled()
    generate_households(count=3, method="bulk")
    assert seen and not any(seen)
    assert gc.isenabled()


def test_command_prints_a_chinese_summary():
    out = StringIO()
    call_command("generate_households", "--count", "5", stdout=out)
    assert "已生成 5 户" in out.getvalue() and "名成员" in out.getvalue() and "秒" in out.getvalue()


def test_name_tables_initials_are_those_of_the_full_name():
    for s, s_initial in zip(SURNAMES, SURNAME_INITIALS, strict=True):
        for given, initials in (
            *zip(MALE_GIVEN, MALE_INITIALS, strict=True),
            *zip(FEMALE_GIVEN, FEMALE_INITIALS, strict=True),
        ):
            assert pinyin_initials(s + given) == s_initial + initials


def test_id_numbers_are_distinct_whatever_the_birth_year():
    # Adversarial years and sexes: uniqueness must come from g alone (day of year, region, sequence).
    # The range crosses a change of region code (every 365 × 500 members).
    span = range(120_000, 250_000)
    ids = {_id_parts(g, 1940 + g * 7919 % 77, g * 31 % 3 == 0) for g in span}
    assert len(ids) == len(span)


def _foreign_keys() -> set[tuple[str, str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint"
            " WHERE contype = 'f' AND conrelid::regclass::text IN"
            " ('households_household', 'households_member', 'households_assessment')"
        )
        return set(cursor.fetchall())


def _indexes() -> set[tuple[str, str]]:
    """Every index of the three tables, with its definition (unique constraints' indexes included)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index WHERE"
            " indrelid::regclass::text IN ('households_household', 'households_member', 'households_assessment')"
        )
        return set(cursor.fetchall())


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the set-based path is PostgreSQL's")
def test_a_large_run_checks_its_foreign_keys_once_and_keeps_them(monkeypatch):
    from demo import generation

    before, indexes = _foreign_keys(), _indexes()
    assert len(before) >= 5  # the places of a household, a member's and an assessment's household
    assert {"households_member_id_number_key", "member_one_current_head"} <= {name for name, _ in indexes}
    monkeypatch.setattr(generation, "REBUILD_MIN", 1)
    during = []
    original = generation._generate_sql

    def watching(start, stop):
        during.append((before - _foreign_keys(), {name for name, _ in _indexes()}))
        return original(start, stop)

    monkeypatch.setattr(generation, "_generate_sql", watching)

    generate_households(count=40)

    # Every key and every secondary index was off while the rows went in; only the primary keys stayed.
    assert during == [
        (before, {"households_household_pkey", "households_member_pkey", "households_assessment_pkey"})
    ]
    assert _foreign_keys() == before
    assert _indexes() == indexes
    assert Member.objects.filter(household__isnull=True).count() == 0


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the set-based path is PostgreSQL's")
def test_a_row_without_its_parent_fails_the_whole_run_and_the_keys_stay(monkeypatch):
    from django.db import IntegrityError

    from demo import generation

    before = _foreign_keys()
    monkeypatch.setattr(generation, "REBUILD_MIN", 1)
    original = generation._generate_sql

    def orphaning(start, stop):
        members = original(start, stop)
        with connection.cursor() as cursor:  # a member of a household that does not exist
            cursor.execute(
                "UPDATE households_member SET household_id = household_id + 10000000 WHERE id = "
                "(SELECT MAX(id) FROM households_member)"
            )
        return members

    monkeypatch.setattr(generation, "_generate_sql", orphaning)

    with pytest.raises(IntegrityError):
        generate_households(count=40)

    assert (Household.objects.count(), Member.objects.count(), Assessment.objects.count()) == (0, 0, 0)
    assert _foreign_keys() == before


# Each breaks a unique index that the run drops and builds again: a copied ID number, a second current 户主.
BREAKERS = {
    "id_number": "UPDATE households_member SET id_number = (SELECT id_number FROM households_member"
    " ORDER BY id LIMIT 1) WHERE id = (SELECT MAX(id) FROM households_member)",
    "second_head": "UPDATE households_member SET relation = 'head' WHERE id = (SELECT MAX(id) FROM"
    " households_member WHERE relation <> 'head')",
}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the set-based path is PostgreSQL's")
@pytest.mark.parametrize("breaker", sorted(BREAKERS))
def test_a_broken_unique_index_fails_the_whole_run_when_it_is_built_again(monkeypatch, breaker):
    from django.db import IntegrityError

    from demo import generation

    generate_households(count=5)
    kept = (Household.objects.count(), Member.objects.count(), Assessment.objects.count())
    indexes = _indexes()
    monkeypatch.setattr(generation, "REBUILD_MIN", 1)
    original = generation._generate_sql

    def breaking(start, stop):
        members = original(start, stop)
        with connection.cursor() as cursor:
            cursor.execute(BREAKERS[breaker])
            assert cursor.rowcount == 1  # the index is off: nothing stops the broken row yet
        return members

    monkeypatch.setattr(generation, "_generate_sql", breaking)

    with pytest.raises(IntegrityError):
        generate_households(count=40)

    assert (Household.objects.count(), Member.objects.count(), Assessment.objects.count()) == kept
    assert _indexes() == indexes
