"""Jobs API (DESIGN.md §7): jobs/{id}/ to follow a background job.

A job is visible to the user who started it (county admins see all): Access decides, and anyone else's
job answers 404.
"""

from django.utils.translation import gettext_lazy
from django_filters import rest_framework as filters
from rest_framework import serializers, viewsets

from core.access import Access
from core.api import FilterSet
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
