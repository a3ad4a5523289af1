"""Jobs API (DESIGN.md §7): jobs/{id}/ to follow a background job.

A job is visible to the user who started it (county admins see all): Access decides, and anyone else's
job answers 404. An endpoint that starts a job answers 503 with the reason when the broker refused it
(``job_refused``): the job is recorded as failed, and nothing else was done.
"""

from django.utils.translation import gettext_lazy
from django_filters import rest_framework as filters
from rest_framework import serializers, status, viewsets
from rest_framework.response import Response

from core.access import Access
from core.api import FilterSet
from core.jobs import BROKER_DOWN
from core.models import Job


class JobSerializer(serializers.ModelSerializer):
    state_display = serializers.CharField(source="get_state_display", read_only=True)

    class Meta:
        model = Job
        fields = [
            "id",
            "kind",
            "state",
            "state_display",
            "progress",
            "result",
            "error",
            "params",
            "created_by",
            "created_at",
            "started_at",
            "finished_at",
        ]
        read_only_fields = fields


class JobFilter(FilterSet):
    kind = filters.CharFilter(label=gettext_lazy("任务类型"))
    state = filters.ChoiceFilter(choices=Job.State.choices, label=gettext_lazy("状态"))

    class Meta:
        model = Job
        fields = ["id", "kind", "state"]


class JobViewSet(viewsets.ReadOnlyModelViewSet):
    """后台任务: state (queued | running | done | failed), progress 0–100, result."""

    serializer_class = JobSerializer
    filterset_class = JobFilter

    def get_queryset(self):
        return Access.for_user(self.request.user).visible(Job.objects.order_by("-created_at", "-id"))


class JobRefusedSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text=BROKER_DOWN)
    job = JobSerializer()


def job_refused(job: Job | None) -> Response | None:
    """503 with the reason when the broker refused the job (it is marked failed); None when it was queued or
    ran. The job is read again: it was enqueued after commit, which may already have failed it."""
    if job is None:
        return None
    job.refresh_from_db()
    if job.state != Job.State.FAILED or job.error != BROKER_DOWN:
        return None
    return Response(
        {"detail": BROKER_DOWN, "job": JobSerializer(job).data}, status=status.HTTP_503_SERVICE_UNAVAILABLE
    )
