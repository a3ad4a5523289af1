"""The one bulk upsert of the roster importers: set-based on PostgreSQL, history rows for every record."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.excel.bulk import insert_with_history, update_with_history
from households.models import Household, Member
from tests.factories import make_household, make_id_number


@pytest.fixture
def households(db, place):
    return [make_household(natural_village=place) for _ in range(6)]


def test_updates_and_their_history_in_a_fixed_number_of_statements(households, admin):
    members = list(Member.objects.filter(household__in=households).order_by("pk"))
    now = timezone.now()
    few = {m.pk: {"disability_certificate": "D1"} for m in members[:2]}
    many = {m.pk: {"disability_certificate": f"D{m.pk}"} for m in members}
    many[members[0].pk]["name"] = "改名"  # a second set of columns
    with CaptureQueriesContext(connection) as small:
        update_with_history(Member, few, user=admin, reason="测试", now=now)
    with CaptureQueriesContext(connection) as large:
        update_with_history(Member, many, user=admin, reason="测试", now=now)
    if connection.vendor == "postgresql":
        # per set of changed columns: create temp, UPDATE … FROM, history INSERT … SELECT, drop
        # (the COPY goes through the raw cursor, which the capture does not see)
        assert len(small) == 4 and len(large) == 8
    assert Member.objects.get(pk=members[0].pk).name == "改名"
    changed = Member.history.filter(history_type="~", history_change_reason="测试")
    assert changed.count() == len(few) + len(many)
    assert set(changed.values_list("history_user_id", flat=True)) == {admin.pk}
    assert changed.filter(id=members[0].pk, name="改名").exists()


def test_touch_sets_updated_at_only_when_asked(households, admin):
    then = timezone.now() - datetime.timedelta(days=3)
    Household.objects.filter(pk=households[0].pk).update(updated_at=then)
    update_with_history(
        Household, {households[0].pk: {"phone": "13700000000"}}, user=admin, now=timezone.now()
    )
    assert Household.objects.get(pk=households[0].pk).updated_at == then
    Household.objects.filter(pk=households[1].pk).update(updated_at=then)
    update_with_history(
        Household, {households[1].pk: {"phone": "13700000000"}}, user=admin, touch=("updated_at",)
    )
    assert Household.objects.get(pk=households[1].pk).updated_at > then


def test_inserts_answer_ids_in_order_with_history(households, admin):
    base = {"relation": "child", "sex": "male", "ethnicity": "彝族"}
    rows = [
        {**base, "household_id": households[0].pk, "name": f"子{i}", "id_number": make_id_number()}
        for i in range(3)
    ]
    ids = insert_with_history(Member, rows, user=admin, reason="测试", now=timezone.now())
    assert [Member.objects.get(pk=pk).name for pk in ids] == ["子0", "子1", "子2"]
    assert Member.history.filter(id__in=ids, history_type="+", history_change_reason="测试").count() == 3


@pytest.mark.parametrize("picked", ["a range", "with gaps"])
def test_history_rows_are_those_of_the_changed_records_exactly(households, admin, picked):
    """Ids spanning exactly their count are read as a range, others one by one: either way the history
    holds the changed records and no neighbour."""
    members = list(Member.objects.filter(household__in=households).order_by("pk"))
    chosen = members[1:4] if picked == "a range" else members[1:6:2]
    assert len(chosen) == 3
    spans = chosen[-1].pk - chosen[0].pk == len(chosen) - 1
    assert spans == (picked == "a range")
    with CaptureQueriesContext(connection) as captured:
        update_with_history(
            Member, {m.pk: {"disability_certificate": "D9"} for m in chosen}, user=admin, reason="区间"
        )
    written = Member.history.filter(history_change_reason="区间")
    assert sorted(written.values_list("id", flat=True)) == [m.pk for m in chosen]
    if connection.vendor == "postgresql":
        history_insert = next(q["sql"] for q in captured if "INSERT INTO" in q["sql"])
        assert ("BETWEEN" in history_insert) == (picked == "a range")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY is PostgreSQL's")
def test_copy_keeps_every_character_and_tells_empty_from_null(households, admin):
    """COPY's CSV: quotes, delimiters, line breaks, backslashes and a literal \\N survive; "" stays "",
    None stays NULL, a list is JSON."""
    hostile = ['引号"与,逗号', "制表\t换行\n回车\r", "反斜杠\\N", "\\N", ""]
    rows = [
        {
            "household_id": households[0].pk, "name": name or "空", "id_number": make_id_number(),
            "relation": "child", "sex": "male", "ethnicity": "彝族", "disability_certificate": name[:22],
            "health": ["disabled", "chronic"] if i % 2 else [], "left_on": None,
        }
        for i, name in enumerate(hostile)
    ]  # fmt: skip
    ids = insert_with_history(Member, rows, user=admin, reason="测试", now=timezone.now())
    stored = dict(Member.objects.filter(pk__in=ids).values_list("pk", "disability_certificate"))
    assert [stored[pk] for pk in ids] == [name[:22] for name in hostile]
    assert Member.objects.get(pk=ids[1]).health == ["disabled", "chronic"]
    assert Member.objects.get(pk=ids[0]).health == [] and Member.objects.get(pk=ids[0]).left_on is None
    update_with_history(
        Member, {ids[4]: {"name": "新\t名\\N"}, ids[3]: {"name": '"'}}, user=admin, now=timezone.now()
    )
    assert Member.objects.get(pk=ids[4]).name == "新\t名\\N" and Member.objects.get(pk=ids[3]).name == '"'
    history = Member.history.filter(id=ids[1], history_type="+").get()
    assert history.disability_certificate == hostile[1] and history.history_user_id == admin.pk


@pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY is PostgreSQL's")
def test_ids_are_drawn_from_the_sequence_in_one_go(db):
    from core.excel.bulk import allocate_ids

    ids = allocate_ids(Member, 1_000)
    assert len(set(ids)) == 1_000 and ids == sorted(ids)
    assert allocate_ids(Member, 1)[0] > ids[-1]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY is PostgreSQL's")
def test_a_nullable_text_column_is_refused(db):
    """CSV cannot tell "" from NULL in a column that may hold both: refused rather than guessed."""
    with pytest.raises(ValueError, match="history_change_reason"):
        insert_with_history(Member.history.model, [{"history_change_reason": "", "name": "甲"}])
