"""gunicorn's settings for this app (poverty_tracker/gunicorn_conf.py)."""

import gc

from poverty_tracker import gunicorn_conf


def test_a_worker_freezes_what_it_loaded_and_still_collects_what_requests_leave():
    gc.unfreeze()
    assert gc.get_freeze_count() == 0
    try:
        gunicorn_conf.post_worker_init(worker=None)
        frozen = gc.get_freeze_count()
        assert frozen > 1000  # Django and the app, loaded by the test run
        assert gc.isenabled()

        class Cycle:
            pass

        a, b = Cycle(), Cycle()
        a.other, b.other = b, a
        del a, b
        assert gc.collect() >= 2  # a cycle made after the freeze is still found
        assert gc.get_freeze_count() == frozen
    finally:
        gc.unfreeze()


def test_the_image_compose_and_load_test_start_gunicorn_with_it():
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    for path in ("Dockerfile", "docker-compose.yml", "tests/load/run.py", "tests/faults/conftest.py"):
        assert "python:poverty_tracker.gunicorn_conf" in (root / path).read_text(encoding="utf-8"), path
