"""API (DESIGN.md §7): help-plans/ (一户一策) and measures/ (帮扶措施, 五个一批).

Reads are scoped like households; writes go through households.services (help_plan_save, measure_*).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.permissions import SAFE_METHODS, BasePermission, IsAuthenticated
from rest_framework.response import Response

from core.access import Access
from core.api import FilterSet, IdFilter, ScopedPrimaryKeyRelatedField
from households import selectors, services
from households.models import AssistanceMeasure, HelpPlan, Household


class HelpPlanSerializer(serializers.ModelSerializer):
    household = ScopedPrimaryKeyRelatedField(queryset=Household.objects.all(), label=_("户"))
    household_number = serializers.CharField(source="household.household_number", read_only=True)

    class Meta:
        model = HelpPlan
        fields = ["id", "household", "household_number", "year", "cause_analysis", "plan", "updated_at"]
        read_only_fields = ["updated_at"]
        validators = []  # one plan per household and year: POST of an existing year updates it


class MeasureSerializer(serializers.ModelSerializer):
    household = ScopedPrimaryKeyRelatedField(queryset=Household.objects.all(), label=_("户"))
    household_number = serializers.CharField(source="household.household_number", read_only=True)
    category_display = serializers.CharField(source="get_category_display", read_only=True)
    project = ScopedPrimaryKeyRelatedField(
        queryset=AssistanceMeasure._meta.get_field("project").related_model.objects.all(),
        allow_null=True,
        required=False,
        label=_("项目"),
    )

    class Meta:
        model = AssistanceMeasure
        fields = [
            "id",
            "household",
            "household_number",
            "year",
            "category",
            "category_display",
            "description",
            "kind",
            "quantity",
            "unit",
            "amount",
            "project",
        ]


class HelpPlanFilter(FilterSet):
    household = IdFilter(field_name="household_id", label=_("户"))
    township = IdFilter(field_name="household__township_id", label=_("乡镇"))
    village = IdFilter(field_name="household__village_id", label=_("行政村"))

    class Meta:
        model = HelpPlan
        fields = ["id", "household", "township", "village", "year"]


class MeasureFilter(FilterSet):
    household = IdFilter(field_name="household_id", label=_("户"))
    township = IdFilter(field_name="household__township_id", label=_("乡镇"))
    village = IdFilter(field_name="household__village_id", label=_("行政村"))
    project = IdFilter(field_name="project_id", label=_("项目"))

    class Meta:
        model = AssistanceMeasure
        fields = ["id", "household", "township", "village", "project", "year", "category"]


class _ChangePermission(BasePermission):
    message = _("您无权修改此类记录。")

    def has_permission(self, request, view) -> bool:
        return request.method in SAFE_METHODS or Access.for_user(request.user).may_change_model(view.model)


class HelpPlanViewSet(
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.ListModelMixin,
    viewsets.GenericViewSet,
):
    """一户一策: one plan per household and year. POST for a year that has a plan updates it."""

    serializer_class = HelpPlanSerializer
    filterset_class = HelpPlanFilter
    permission_classes = [IsAuthenticated, _ChangePermission]
    model = HelpPlan

    def get_queryset(self):
        return selectors.help_plan_list(access=Access.for_user(self.request.user))

    def _save(self, request, instance, partial, code):
        serializer = self.get_serializer(instance, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        household = data.pop("household", None) or instance.household
        plan = services.help_plan_save(
            household=household,
            user=request.user,
            year=data.get("year", instance.year if instance else None),
            cause_analysis=data.get("cause_analysis", instance.cause_analysis if instance else ""),
            plan=data.get("plan", instance.plan if instance else ""),
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=plan.pk)).data, status=code)

    def create(self, request, *args, **kwargs):
        return self._save(request, None, False, status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        return self._save(request, self.get_object(), kwargs.get("partial", False), status.HTTP_200_OK)


class MeasureViewSet(viewsets.ModelViewSet):
    """帮扶措施: 五个一批 category, what and how much (发展生产: 肉牛 2 头), optionally the funding project."""

    serializer_class = MeasureSerializer
    filterset_class = MeasureFilter
    permission_classes = [IsAuthenticated, _ChangePermission]
    model = AssistanceMeasure
    http_method_names = ["get", "post", "patch", "put", "delete", "head", "options"]

    def get_queryset(self):
        return selectors.measure_list(access=Access.for_user(self.request.user))

    def _respond(self, measure, code=status.HTTP_200_OK):
        return Response(self.get_serializer(self.get_queryset().get(pk=measure.pk)).data, status=code)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        measure = services.measure_add(household=data.pop("household"), user=request.user, **data)
        return self._respond(measure, status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        measure = self.get_object()
        serializer = self.get_serializer(measure, data=request.data, partial=kwargs.get("partial", False))
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        data.pop("household", None)
        return self._respond(services.measure_update(measure=measure, user=request.user, **data))

    def destroy(self, request, *args, **kwargs):
        services.measure_delete(measure=self.get_object(), user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


ROUTES = [
    ("help-plans", HelpPlanViewSet, "help-plan"),
    ("measures", MeasureViewSet, "measure"),
]
