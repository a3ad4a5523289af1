"""gunicorn's settings for this app (poverty_tracker/gunicorn_conf.py)."""

import gc

from poverty_tracker import gunicorn_conf


def _tracked(obj):
    """Whether the cycle collector walks obj: gc.get_objects() leaves the frozen generation out."""
    return any(seen is obj for seen in gc.get_objects())


class Cycle:
    pass


def test_a_worker_freezes_what_it_loaded_and_still_collects_what_requests_leave():
    gc.unfreeze()
    assert gc.get_freeze_count() == 0
    loaded = Cycle()  # stands for what the worker loaded: it lives as long as the worker
    loaded.me = loaded
    assert _tracked(loaded)
    try:
        gunicorn_conf.post_worker_init(worker=None)
        # Django and the app, loaded by the test run. The count is not compared after a collection:
        # a frozen object that its last reference lets go of is freed, and leaves the count.
        assert gc.get_freeze_count() > 1000
        assert gc.isenabled()
        assert not _tracked(loaded)

        a, b = Cycle(), Cycle()
        a.other, b.other = b, a
        assert _tracked(a)
        del a, b
        assert gc.collect() >= 2  # a cycle made after the freeze is still found
        assert not _tracked(loaded)  # and a collection leaves the frozen ones where they are
    finally:
        gc.unfreeze()
    assert _tracked(loaded)


def test_the_image_compose_and_load_test_start_gunicorn_with_it():
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    for path in ("Dockerfile", "docker-compose.yml", "tests/load/run.py", "tests/faults/conftest.py"):
        assert "python:poverty_tracker.gunicorn_conf" in (root / path).read_text(encoding="utf-8"), path
