import pytest

from poverty_tracker.celery import app as celery_app


@pytest.fixture(autouse=True)
def _tasks_inline(request):
    """Tasks run inline in tests, except those marked celery_worker, which use the real worker and Redis."""
    if request.node.get_closest_marker("celery_worker"):
        yield
        return
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous
