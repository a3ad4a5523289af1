"""API: what-if/ — POST a proposed poverty or monitoring line (county admins), answered 202 with the job to
follow at jobs/{id}/ (its ``result`` holds the tables); GET lists the what-if runs."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from core.access import Access
from core.jobs_api import JobRefusedSerializer, JobSerializer, job_refused
from core.models import Job
from monitoring import whatif


def _amount(label, messages: dict):
    return serializers.DecimalField(
        max_digits=10,
        decimal_places=2,
        min_value=Decimal("0.01"),
        required=False,
        allow_null=True,
        label=label,
        error_messages={**messages, "max_digits": messages["max_value"]},
    )


class WhatIfInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(
        [(whatif.POVERTY_LINE, _("扶贫标准")), (whatif.MONITORING_LINE, _("监测标准"))],
        label=_("测算对象"),
        error_messages={
            "invalid_choice": _("测算对象应为 poverty_line（扶贫标准）或 monitoring_line（监测标准）。")
        },
    )
    year = serializers.IntegerField(
        min_value=2010,
        max_value=2100,
        label=_("年度"),
        error_messages={
            "invalid": _("年度应为整数，如 2016。"),
            "min_value": _("年度应在 2010 至 2100 年之间。"),
            "max_value": _("年度应在 2010 至 2100 年之间。"),
        },
    )
    amount = _amount(
        _("拟议扶贫标准（元/人·年）"),
        {
            "invalid": _("扶贫标准应为数字（元）。"),
            "min_value": _("扶贫标准必须大于 0 元。"),
            "max_value": _("扶贫标准金额过大。"),
            "max_decimal_places": _("扶贫标准最多保留两位小数。"),
        },
    )
    income_line = _amount(
        _("拟议监测收入标准（元/人·年）"),
        {
            "invalid": _("监测收入标准应为数字（元）。"),
            "min_value": _("监测收入标准必须大于 0 元。"),
            "max_value": _("监测收入标准金额过大。"),
            "max_decimal_places": _("监测收入标准最多保留两位小数。"),
        },
    )
    rigid_expense_share = serializers.DecimalField(
        max_digits=4,
        decimal_places=2,
        min_value=Decimal("0"),
        max_value=Decimal("10"),
        required=False,
        allow_null=True,
        label=_("拟议刚性支出预警比例"),
        error_messages={
            "invalid": _("刚性支出预警比例应为数字，如 0.5。"),
            "min_value": _("刚性支出预警比例不能为负数。"),
            "max_value": _("刚性支出预警比例不能超过 10。"),
            "max_digits": _("刚性支出预警比例不能超过 10。"),
            "max_decimal_places": _("刚性支出预警比例最多保留两位小数。"),
        },
    )

    def validate(self, data):
        if data["kind"] == whatif.POVERTY_LINE and data.get("amount") is None:
            raise serializers.ValidationError({"amount": _("请填写拟议扶贫标准。")})
        if (
            data["kind"] == whatif.MONITORING_LINE
            and data.get("income_line") is None
            and data.get("rigid_expense_share") is None
        ):
            raise serializers.ValidationError(
                {"income_line": _("请填写拟议监测收入标准或刚性支出预警比例。")}
            )
        return data


@extend_schema_view(
    create=extend_schema(
        request=WhatIfInputSerializer, responses={202: JobSerializer, 503: JobRefusedSerializer}
    )
)
class WhatIfViewSet(mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    """标准调整测算 (county admins): the effect of a proposed line, computed by a job that writes nothing else."""

    serializer_class = JobSerializer
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
