"""Background work of the assignments app: the overdue-revisit check (转走访提醒).

There is no table of overdue visits: "overdue" is derived from a round's 截止日期 and the revisits that
exist, so it is always current (a late visit clears it at once) and nothing can go stale. The home pages
compute each user's reminders live through ``assignments.selectors.overdue_for`` (bounded, set-based
queries over the user's own scope). This task runs the same computation county-wide every morning and
records what it found in its job (when given one) and in the log, so a run leaves a trace and a county
admin can start it by hand. Running it twice changes nothing: it only reads.
"""

import logging

from celery import shared_task

from assignments.selectors import overdue_summary
from core.jobs import job_running

logger = logging.getLogger(__name__)


@shared_task(name="assignments.tasks.overdue_flag")
def overdue_flag(job_id: int | None = None) -> dict:
    """Count overdue revisits of the latest closed rounds per township (idempotent, read-only)."""
    with job_running(job_id) as job:
        summary = overdue_summary()
        for item in summary["rounds"]:
            logger.info(
                "转走访逾期检查 %s：应访 %s 户，已访 %s 户，逾期 %s 户",
                item["name"],
                item["due"],
                item["visited"],
                item["overdue"],
            )
        if job is not None:
            job.result = summary
    return summary
