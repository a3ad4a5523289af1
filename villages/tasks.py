from celery import shared_task

from poverty_tracker.jobs import job_running
from villages.services import village_figures_refresh


@shared_task(name="villages.tasks.figures_refresh")
def figures_refresh(job_id: int | None = None) -> None:
    """Recount every village's figures (nightly by beat, and after imports). Idempotent."""
    with job_running(job_id) as job:
        refreshed = village_figures_refresh()
        if job is not None:
            job.result = {"villages": refreshed}
