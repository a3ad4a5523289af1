"""The pieces of make load that can be checked quickly (the run itself is not part of make test)."""

import pytest

from core.models import ImportRecord
from core.rosters.imports import roster_import
from tests.factories import NaturalVillageFactory, UserFactory
from tests.load.prepare import ROSTER_FIRST_INDEX, write_staff_roster
from tests.load.run import percentile, recreate_database


def test_percentiles_are_nearest_rank():
    values = list(range(1, 101))
    assert (percentile(values, 50), percentile(values, 95), percentile(values, 99)) == (50, 95, 99)
    assert percentile([7], 99) == 7


@pytest.mark.parametrize(
    "url", ["postgres://postgres@127.0.0.1:5432/poverty_tracker", "sqlite:////tmp/load.sqlite3"]
)
def test_only_a_postgresql_database_named_load_is_dropped(url):
    with pytest.raises(SystemExit):
        recreate_database(url, fresh=True)


def test_the_developers_own_database_is_never_dropped(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/pt_load")
    with pytest.raises(SystemExit):
        recreate_database("postgres://postgres@127.0.0.1:5432/pt_load", fresh=True)


@pytest.mark.django_db
def test_the_staff_roster_passes_the_import_check(tmp_path, settings):
    """The roster the load's data staff import is valid for the importer of today: every row created."""
    settings.MEDIA_ROOT = tmp_path / "media"
    NaturalVillageFactory()
    path = tmp_path / "roster.xlsx"
    written = write_staff_roster(path, first=ROSTER_FIRST_INDEX, members=60)
    with path.open("rb") as f:
        record = roster_import(user=UserFactory(), file=f, dry_run=True, name="roster.xlsx")
    assert record.state == ImportRecord.State.CHECKED, record.errors[:3]
    assert written["members"] == 60
    assert record.counts["created"] > 0 and record.counts["updated"] == 0
