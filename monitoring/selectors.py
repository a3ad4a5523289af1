"""Reads of 防返贫监测, scoped by the access rule."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from core.access import Access
from monitoring.choices import State
from monitoring.models import MonitoringLine, MonitoringObject, QualityIssue


def monitoring_object_list(*, access: Access) -> QuerySet[MonitoringObject]:
    return access.visible(
        MonitoringObject.objects.select_related("household", "household__village", "household__township")
    )


def monitoring_line_list(*, access: Access) -> QuerySet[MonitoringLine]:
    return access.visible(MonitoringLine.objects.all())


def quality_issue_list(*, access: Access, include_checked: bool = False) -> QuerySet[QualityIssue]:
    qs = access.visible(
        QualityIssue.objects.select_related("household", "household__village", "household__township")
    )
    return qs if include_checked else qs.filter(open=True)


def quality_by_unit(*, access: Access) -> list[dict]:
    """Open suspects per township and rule, for the quality page."""
    return list(
        quality_issue_list(access=access)
        .values("household__township_id", "household__township__name", "rule")
        .annotate(n=Count("id"))
        .order_by("household__township__name", "rule")
    )


def monitoring_panel(*, access: Access) -> dict:
    """Objects by kind and state, new this month, cleared this year (the unit dashboards' panel)."""
    today = timezone.localdate()
    qs = monitoring_object_list(access=access)
    return {
        "by_kind_state": list(qs.values("kind", "state").annotate(n=Count("id")).order_by("kind", "state")),
        **qs.aggregate(
            new_this_month=Count("id", filter=Q(identified_on__gte=today.replace(day=1))),
            cleared_this_year=Count("id", filter=Q(state=State.CLEARED, cleared_on__year=today.year)),
        ),
    }
