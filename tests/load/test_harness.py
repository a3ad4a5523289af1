"""The pieces of make load that can be checked quickly (the run itself is not part of make test)."""

import os

import pytest

from core.models import ImportRecord
from core.rosters.imports import roster_import
from tests.factories import NaturalVillageFactory, UserFactory
from tests.load.prepare import ROSTER_FIRST_INDEX, write_staff_roster
from tests.load.run import cpu_sample, cpu_split, percentile, read_proc_stat, recreate_database


def test_percentiles_are_nearest_rank():
    values = list(range(1, 101))
    assert (percentile(values, 50), percentile(values, 95), percentile(values, 99)) == (50, 95, 99)
    assert percentile([7], 99) == 7


def test_a_proc_stat_line_gives_its_name_group_and_ticks():
    # A command name may hold spaces and brackets; the fields are counted after the last ")".
    line = "4242 (gunicorn: worker [poverty) S 4200 4200 4200 0 -1 4194560 10 0 0 0 150 30 7 3 20 0 5 0"
    assert read_proc_stat(line) == ("gunicorn: worker [poverty", 4200, 150 + 30 + 7 + 3)


def test_the_cpu_split_averages_each_kind_over_the_window():
    def sample(at, busy, **kinds):
        return (at, {"total": 2.0 * at, "busy": busy, **kinds})

    samples = [
        sample(100, 10, gunicorn=5, postgres=1),
        sample(110, 28, gunicorn=17, postgres=4, celery=1, locust=0.5),
        sample(120, 46, gunicorn=29, postgres=7, celery=2, locust=1),
    ]
    split = cpu_split(samples, 109, 121)  # the nearest samples: 110 and 120
    assert split["seconds"] == 10
    assert (split["cores"], split["busy"]) == pytest.approx((2.0, 1.8))
    assert (split["gunicorn"], split["postgres"], split["celery"], split["locust"]) == pytest.approx(
        (1.2, 0.3, 0.1, 0.05)
    )
    assert split["other"] == pytest.approx(1.8 - 1.65)
    assert cpu_split(samples[:1], 100, 120) == {}


def test_a_cpu_sample_counts_the_processes_of_a_group():
    """This test's own process group stands in for one the run started: it has used some CPU."""
    sample = cpu_sample({os.getpgrp(): "locust"})
    assert sample["locust"] > 0
    assert 0 < sample["busy"] <= sample["total"]


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
