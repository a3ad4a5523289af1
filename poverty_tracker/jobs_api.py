"""Jobs API (DESIGN.md §7): jobs/{id}/ to follow a background job, eligibility/recompute/ to start one.

A job is visible to the user who started it (county admins see all): Access decides, and anyone else's
job answers 404.
"""

from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from assignments.models import Role
from households.models import EligibilityRun
from households.services import eligibility_recompute_enqueue
from poverty_tracker.access import Access
from poverty_tracker.models import Job
from villages.api import IdInFilter


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


class JobFilter(filters.FilterSet):
    id = IdInFilter(field_name="id", label="ID（多个用逗号分隔）")
    kind = filters.CharFilter(label="任务类型")
    state = filters.ChoiceFilter(choices=Job.State.choices, label="状态")

    class Meta:
        model = Job
        fields = ["id", "kind", "state"]


class JobViewSet(viewsets.ReadOnlyModelViewSet):
    """后台任务: state (queued | running | done | failed), progress 0–100, result."""

    serializer_class = JobSerializer
    filterset_class = JobFilter

    def get_queryset(self):
        return Access.for_user(self.request.user).visible(Job.objects.order_by("-created_at", "-id"))


class EligibilityRecomputeView(APIView):
    """Recompute every household's exit eligibility now (county admins). Answers the job to follow."""

    @extend_schema(request=None, responses={202: JobSerializer})
    def post(self, request):
        if Access.for_user(request.user).role != Role.COUNTY_ADMIN:
            raise PermissionDenied("只有县扶贫办管理员可以重算脱贫条件。")
        job = eligibility_recompute_enqueue(trigger=EligibilityRun.Trigger.MANUAL, user=request.user)
        # With no broker the task has already run (inline, after commit): answer the job as it is now.
        job.refresh_from_db()
        return Response(JobSerializer(job).data, status=status.HTTP_202_ACCEPTED)
