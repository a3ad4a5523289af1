"""API: what-if/ — POST a proposed poverty or monitoring line (county admins), answered 202 with the job to
follow at jobs/{id}/ (its ``result`` holds the tables); GET lists the what-if runs."""

from __future__ import annotations

from collections.abc import Mapping

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.settings import api_settings

from core.access import Access
from core.jobs_api import JobFilter, JobRefusedSerializer, JobSerializer, job_refused
from core.models import Job
from monitoring import whatif
from monitoring.forms import WhatIfForm


class WhatIfInputSerializer(serializers.Serializer):
    """The proposal as the API documents it; its rules and messages are the page's (``WhatIfForm``), so the
    two can never disagree."""

    kind = serializers.ChoiceField(
        [(whatif.POVERTY_LINE, _("扶贫标准")), (whatif.MONITORING_LINE, _("监测标准"))]
    )
    year = serializers.IntegerField(min_value=2010, max_value=2100, label=_("年度"))
    amount = serializers.DecimalField(
        max_digits=10, decimal_places=2, required=False, allow_null=True, label=_("拟议扶贫标准（元/人·年）")
    )
    income_line = serializers.DecimalField(
        max_digits=10,
        decimal_places=2,
        required=False,
        allow_null=True,
        label=_("拟议监测收入标准（元/人·年）"),
    )
    rigid_expense_share = serializers.DecimalField(
        max_digits=4, decimal_places=2, required=False, allow_null=True, label=_("拟议刚性支出预警比例")
    )

    def to_internal_value(self, data):
        if not isinstance(data, Mapping):
            raise serializers.ValidationError(
                {api_settings.NON_FIELD_ERRORS_KEY: [_("请求数据应为 JSON 对象。")]}
            )
        form = WhatIfForm(data={k: "" if v is None else v for k, v in data.items()})
        if not form.is_valid():
            raise serializers.ValidationError(
                {
                    api_settings.NON_FIELD_ERRORS_KEY if k == "__all__" else k: v
                    for k, v in form.errors.items()
                }
            )
        return form.cleaned_data


@extend_schema_view(
    create=extend_schema(
        request=WhatIfInputSerializer, responses={202: JobSerializer, 503: JobRefusedSerializer}
    )
)
class WhatIfViewSet(mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    """标准调整测算 (county admins): the effect of a proposed line, computed by a job that writes nothing else."""

    serializer_class = JobSerializer
    filterset_class = JobFilter
    permission_classes = [IsAuthenticated]

    def _access(self) -> Access:
        access = Access.for_user(self.request.user)
        if not access.may_run_what_if:
            raise PermissionDenied(_("只有县扶贫办管理员可以测算扶贫标准和监测标准的调整。"))
        return access

    def get_queryset(self):
        access = Access.for_user(self.request.user)
        return access.visible(Job.objects.filter(kind=whatif.KIND).order_by("-created_at", "-id"))

    def list(self, request, *args, **kwargs):
        self._access()
        return super().list(request, *args, **kwargs)

    def create(self, request, *args, **kwargs):
        self._access()
        data = WhatIfInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        job = whatif.what_if_start(user=request.user, **data.validated_data)
        # With no broker the task has already run (inline, after commit): answer the job as it is now; 503
        # when the broker refused it.
        return job_refused(job) or Response(JobSerializer(job).data, status=status.HTTP_202_ACCEPTED)


ROUTES = [("what-if", WhatIfViewSet, "what-if")]
