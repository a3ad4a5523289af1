from celery import shared_task

from core.jobs import job_running
from households.eligibility import eligibility_recompute
from households.models import EligibilityRun
from households.services import village_figures_refresh


@shared_task(name="households.tasks.eligibility_recompute")
def eligibility_recompute_task(
    job_id: int | None = None, trigger: str = EligibilityRun.Trigger.NIGHTLY
) -> None:
    """Recompute every household's exit eligibility (nightly, after a poverty-line change, after an import)."""
    with job_running(job_id) as job:
        run = eligibility_recompute(trigger=trigger, job=job)
        # Imports, poverty-line changes and the nightly run all end here: the dashboards' summary follows.
        village_figures_refresh()
        if job is not None:
            job.result = {
                "run": run.pk,
                "households_checked": run.households_checked,
                "decisions_changed": run.decisions_changed,
                "became_eligible": run.became_eligible,
                "became_ineligible": run.became_ineligible,
            }


@shared_task(name="households.tasks.figures_refresh")
def figures_refresh(job_id: int | None = None) -> None:
    """Recount every village's figures (nightly by beat, and after imports). Idempotent."""
    with job_running(job_id) as job:
        refreshed = village_figures_refresh()
        if job is not None:
            job.result = {"villages": refreshed}
