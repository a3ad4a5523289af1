"""API: monitoring-objects/ (+ advance), monitoring-lines/, quality-issues/ (+ mark-correct).

Everyone reads what is in their scope; writes go through monitoring.services (400 with the service's words).
A step taken on a stale state (``expected_state`` no longer current) answers 409.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from core.access import Access
from core.api import AccessPermission, FilterSet, IdFilter, ScopedPrimaryKeyRelatedField
from households.models import Household
from monitoring import choices, selectors, services
from monitoring.models import MonitoringLine, MonitoringObject, QualityIssue
from monitoring.quality import CHECK_BY_CODE
from monitoring.whatif_api import ROUTES as WHAT_IF_ROUTES


class MonitoringObjectSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    state_display = serializers.CharField(source="get_state_display", read_only=True)
    found_by_display = serializers.CharField(source="get_found_by_display", read_only=True)
    household_number = serializers.CharField(source="household.household_number", read_only=True)
    next_step = serializers.SerializerMethodField()

    class Meta:
        model = MonitoringObject
        fields = [
            "id", "household", "household_number", "kind", "kind_display", "risk_types", "found_by",
            "found_by_display", "reason", "identified_on", "state", "state_display", "help_measures",
            "help_plan", "monitored_on", "stable_since", "notice_ends_on", "cleared_on", "next_step",
        ]  # fmt: skip
        read_only_fields = fields

    def get_next_step(self, obj) -> str | None:
        step = services.next_step(obj)
        return step.label if step else None


class MonitoringObjectCreateSerializer(serializers.Serializer):
    household = ScopedPrimaryKeyRelatedField(queryset=Household.objects.all(), label=gettext_lazy("户"))
    kind = serializers.ChoiceField(choices.Kind.choices, required=False, label=gettext_lazy("类别"))
    risk_types = serializers.ListField(
        child=serializers.CharField(max_length=20), label=gettext_lazy("风险类型")
    )
    found_by = serializers.ChoiceField(choices.FoundBy.choices, label=gettext_lazy("发现方式"))
    reason = serializers.CharField(max_length=1000, label=gettext_lazy("发现原因"))


class AdvanceSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(
        [("approve", gettext_lazy("同意")), ("reject", gettext_lazy("不同意"))],
        error_messages={"invalid_choice": gettext_lazy("决定应为 approve（同意）或 reject（不同意）。")},
    )
    comment = serializers.CharField(allow_blank=True, default="", label=gettext_lazy("意见（退回时必填）"))
    help_measures = serializers.CharField(
        allow_blank=True, default="", label=gettext_lazy("帮扶措施（县级确认时必填）")
    )
    expected_state = serializers.ChoiceField(
        choices.State.choices, required=False, label=gettext_lazy("办理时的状态（与当前不符时答 409）")
    )


class MonitoringObjectFilter(FilterSet):
    household = IdFilter(field_name="household_id", label=gettext_lazy("户"))
    village = IdFilter(field_name="household__village_id", label=gettext_lazy("行政村"))
    township = IdFilter(field_name="household__township_id", label=gettext_lazy("乡镇"))
    kind = filters.ChoiceFilter(choices=choices.Kind.choices, label=gettext_lazy("类别"))
    state = filters.ChoiceFilter(choices=choices.State.choices, label=gettext_lazy("状态"))

    class Meta:
        model = MonitoringObject
        fields = ["id", "household", "village", "township", "kind", "state"]


class _Base(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    permission_classes = [IsAuthenticated, AccessPermission]
    http_method_names = ["get", "post", "head", "options"]

    def _input(self, serializer_class):
        serializer = serializer_class(data=self.request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        return serializer

    def _answer(self, record, status_code=status.HTTP_200_OK) -> Response:
        return Response(self.get_serializer(self.get_queryset().get(pk=record.pk)).data, status=status_code)


@extend_schema_view(
    create=extend_schema(
        request=MonitoringObjectCreateSerializer, responses={201: MonitoringObjectSerializer}
    ),
    advance=extend_schema(request=AdvanceSerializer, responses={200: MonitoringObjectSerializer, 409: None}),
)
class MonitoringObjectViewSet(_Base):
    """监测对象: 发现 → 村级核实 → 乡镇审核 → 县级确认（纳入监测）→ 风险消除公示 → 风险消除."""

    serializer_class = MonitoringObjectSerializer
    filterset_class = MonitoringObjectFilter
    change_model = MonitoringObject
    change_denied_message = gettext_lazy("您无权办理监测对象。")

    def get_queryset(self):
        return selectors.monitoring_object_list(access=Access.for_user(self.request.user))

    def create(self, request, *args, **kwargs):
        data = self._input(MonitoringObjectCreateSerializer).validated_data
        obj = services.candidate_raise(user=request.user, **data)
        if obj is None:
            obj = MonitoringObject.objects.filter(household=data["household"]).latest("id")
            return self._answer(obj)
        return self._answer(obj, status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"])
    def advance(self, request, pk=None):
        obj = self.get_object()
        data = self._input(AdvanceSerializer).validated_data
        try:
            obj = services.monitoring_object_advance(obj=obj, user=request.user, **data)
        except services.StaleStep as exc:
            return Response({"detail": exc.messages[0]}, status=status.HTTP_409_CONFLICT)
        return self._answer(obj)


class MonitoringLineSerializer(serializers.ModelSerializer):
    class Meta:
        model = MonitoringLine
        fields = [
            "id",
            "province_code",
            "year",
            "income_line",
            "rigid_expense_share",
            "stable_months",
            "note",
        ]


class MonitoringLineFilter(FilterSet):
    year = filters.NumberFilter(label=gettext_lazy("年度"))
    province_code = filters.CharFilter(label=gettext_lazy("省级行政区划代码"))

    class Meta:
        model = MonitoringLine
        fields = ["id", "province_code", "year"]


class MonitoringLineInputSerializer(serializers.Serializer):
    province_code = serializers.RegexField(
        r"^\d{2}0000$",
        label=gettext_lazy("省级行政区划代码"),
        error_messages={
            "invalid": gettext_lazy("省级行政区划代码应为 6 位数字，后 4 位为 0000（如 530000）。")
        },
    )
    year = serializers.IntegerField(min_value=2020, max_value=2100, label=gettext_lazy("年度"))
    income_line = serializers.DecimalField(
        max_digits=10, decimal_places=2, min_value=1, label=gettext_lazy("监测收入标准")
    )
    rigid_expense_share = serializers.DecimalField(
        max_digits=4,
        decimal_places=2,
        min_value=0,
        max_value=10,
        required=False,
        label=gettext_lazy("刚性支出预警比例"),
    )
    stable_months = serializers.IntegerField(
        min_value=1, max_value=60, required=False, label=gettext_lazy("稳定月数")
    )
    note = serializers.CharField(max_length=200, allow_blank=True, default="", label=gettext_lazy("说明"))


@extend_schema_view(
    create=extend_schema(request=MonitoringLineInputSerializer, responses={201: MonitoringLineSerializer})
)
class MonitoringLineViewSet(_Base):
    """监测标准: read by everyone; set (created or replaced by province and year) by the county admin."""

    serializer_class = MonitoringLineSerializer
    change_model = MonitoringLine
    change_denied_message = gettext_lazy("只有县扶贫办管理员可以设定监测标准。")
    filterset_class = MonitoringLineFilter

    def get_queryset(self):
        return selectors.monitoring_line_list(access=Access.for_user(self.request.user))

    def create(self, request, *args, **kwargs):
        data = self._input(MonitoringLineInputSerializer).validated_data
        line = services.monitoring_line_set(user=request.user, **data)
        return self._answer(line, status.HTTP_201_CREATED)


class QualityIssueSerializer(serializers.ModelSerializer):
    rule_name = serializers.SerializerMethodField()
    severity_display = serializers.CharField(source="get_severity_display", read_only=True)
    household_number = serializers.CharField(source="household.household_number", read_only=True)

    class Meta:
        model = QualityIssue
        fields = [
            "id", "rule", "rule_name", "household", "household_number", "severity", "severity_display", "reason",
            "found_at", "open", "checked_at", "checked_note",
        ]  # fmt: skip
        read_only_fields = fields

    def get_rule_name(self, issue) -> str:
        check = CHECK_BY_CODE.get(issue.rule)
        return check.name if check else issue.rule


class MarkCorrectSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=1000, label=gettext_lazy("核实说明"))


class QualityIssueFilter(FilterSet):
    township = IdFilter(field_name="household__township_id", label=gettext_lazy("乡镇"))
    village = IdFilter(field_name="household__village_id", label=gettext_lazy("行政村"))
    rule = filters.ChoiceFilter(
        choices=[(c.code, c.name) for c in CHECK_BY_CODE.values()], label=gettext_lazy("规则")
    )
    open = filters.BooleanFilter(label=gettext_lazy("待处理"))

    class Meta:
        model = QualityIssue
        fields = ["id", "township", "village", "rule", "open"]


@extend_schema_view(
    mark_correct=extend_schema(request=MarkCorrectSerializer, responses=QualityIssueSerializer)
)
class QualityIssueViewSet(_Base):
    """数据质量疑点 (all, checked ones too: filter ``open``); POST …/{id}/mark-correct/ marks one correct."""

    serializer_class = QualityIssueSerializer
    filterset_class = QualityIssueFilter
    change_model = QualityIssue
    change_denied_message = gettext_lazy("您无权核实数据质量疑点。")

    def get_queryset(self):
        return selectors.quality_issue_list(access=Access.for_user(self.request.user), include_checked=True)

    @action(detail=True, methods=["post"], url_path="mark-correct")
    def mark_correct(self, request, pk=None):
        issue = self.get_object()
        note = self._input(MarkCorrectSerializer).validated_data["note"]
        issue = services.quality_issue_mark_correct(issue=issue, user=request.user, note=note)
        return self._answer(issue)


ROUTES = [
    ("monitoring-objects", MonitoringObjectViewSet, "monitoring-object"),
    ("monitoring-lines", MonitoringLineViewSet, "monitoring-line"),
    ("quality-issues", QualityIssueViewSet, "quality-issue"),
    *WHAT_IF_ROUTES,
]
