from celery import shared_task

from households.eligibility import eligibility_recompute
from households.models import EligibilityRun
from poverty_tracker.jobs import job_running


@shared_task(name="households.tasks.eligibility_recompute")
def eligibility_recompute_task(
    job_id: int | None = None, trigger: str = EligibilityRun.Trigger.NIGHTLY
) -> None:
    """Recompute every household's exit eligibility (nightly, after a poverty-line change, after an import)."""
    with job_running(job_id) as job:
        run = eligibility_recompute(trigger=trigger, job=job)
        if job is not None:
            job.result = {
                "run": run.pk,
                "households_checked": run.households_checked,
                "decisions_changed": run.decisions_changed,
                "became_eligible": run.became_eligible,
                "became_ineligible": run.became_ineligible,
            }
