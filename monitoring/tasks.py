from celery import shared_task

from core.jobs import job_running
from monitoring.quality import quality_run
from monitoring.screening import screening_run
from monitoring.whatif import what_if_run


@shared_task(name="monitoring.tasks.screening")
def screening_task(job_id: int | None = None, household_ids: list[int] | None = None) -> None:
    """Nightly (and on demand for some households): raise monitoring candidates with reasons."""
    with job_running(job_id) as job:
        raised = screening_run(household_ids=household_ids)
        if job is not None:
            job.result = {"raised": raised}


@shared_task(name="monitoring.tasks.quality")
def quality_task(job_id: int | None = None, codes: list[str] | None = None) -> None:
    """Nightly: record data-quality suspects of every declared check."""
    with job_running(job_id) as job:
        counts = quality_run(codes=codes)
        if job is not None:
            job.result = counts


@shared_task(name="monitoring.tasks.what_if")
def what_if_task(job_id: int | None = None, **params) -> None:
    """测算: the effect of a proposed line, kept as the job's result; writes nothing else."""
    with job_running(job_id) as job:
        result = what_if_run(params=params, job=job)
        if job is not None:
            job.result = result
