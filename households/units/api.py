"""unit-exit-applications/ (DESIGN.md §7, issue 9): village and township exit (出列 / 摘帽) applications,
scoped like their village or township; POST creates one (乡镇申请), POST …/{id}/advance/ takes the next
step with {"step", "decision", "comment"}, where ``step`` is the state being decided: a stale one
answers 409 with the application as it now stands.

Serializers check shapes only; every rule is in households.units.services, whose ValidationErrors the
project's exception handler answers as 400 with Chinese messages.
"""

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from core.access import Access
from core.api import AccessPermission, FilterSet, IdFilter, ScopedPrimaryKeyRelatedField
from households.choices import Decision
from households.units import selectors
from households.units.models import (
    UnitExitApplication,
    UnitExitObjection,
    UnitExitState,
    UnitExitStep,
    UnitLevel,
)
from households.units.procedure import next_step
from households.units.services import UnitExitConflict, unit_exit_advance, unit_exit_propose
from villages.models import AdministrativeVillage, Township


def _codes(choices) -> str:
    return "，".join(f"{code} = {label}" for code, label in choices)


@extend_schema_field(OpenApiTypes.STR)
class CodeField(serializers.ChoiceField):
    """A code checked against its choices, shown in the schema as a plain string with the codes in its
    help text: as an enum, the same field name or choice set would get a second name beside the household
    exit procedure's."""

    def __init__(self, choices, **kwargs):
        kwargs.setdefault("help_text", _codes(choices))
        super().__init__(choices, **kwargs)


class UnitExitStepSerializer(serializers.ModelSerializer):
    state = serializers.CharField(read_only=True, label=_("步骤"), help_text=_codes(UnitExitState.choices))
    state_display = serializers.CharField(source="get_state_display", read_only=True)
    decision_display = serializers.CharField(source="get_decision_display", read_only=True)
    actor_name = serializers.SerializerMethodField(label=_("办理人"))
    actor_role = serializers.CharField(source="actor.role", read_only=True, label=_("办理人角色"))

    class Meta:
        model = UnitExitStep
        fields = [
            "id",
            "state",
            "state_display",
            "decision",
            "decision_display",
            "comment",
            "checks",
            "actor",
            "actor_name",
            "actor_role",
            "acted_at",
        ]
        read_only_fields = fields

    def get_actor_name(self, step: UnitExitStep) -> str:
        return step.actor.get_full_name() or step.actor.username


class UnitExitObjectionSerializer(serializers.ModelSerializer):
    class Meta:
        model = UnitExitObjection
        fields = ["id", "raised_by", "content", "resolution", "recorded_by", "recorded_at"]
        read_only_fields = fields


class UnitExitApplicationSerializer(serializers.ModelSerializer):
    level = serializers.CharField(read_only=True, label=_("类别"), help_text=_codes(UnitLevel.choices))
    state = serializers.CharField(read_only=True, label=_("状态"), help_text=_codes(UnitExitState.choices))
    level_display = serializers.CharField(source="get_level_display", read_only=True)
    state_display = serializers.CharField(source="get_state_display", read_only=True)
    township_name = serializers.CharField(source="township.name", read_only=True)
    village_name = serializers.CharField(source="village.name", read_only=True, allow_null=True, default=None)
    unit_name = serializers.CharField(read_only=True, label=_("单位"))
    next_step = serializers.SerializerMethodField(label=_("下一步"))
    next_step_role = serializers.SerializerMethodField(label=_("下一步办理角色"))
    steps = UnitExitStepSerializer(many=True, read_only=True)
    objections = UnitExitObjectionSerializer(many=True, read_only=True)

    class Meta:
        model = UnitExitApplication
        fields = [
            "id",
            "level",
            "level_display",
            "township",
            "township_name",
            "village",
            "village_name",
            "unit_name",
            "year",
            "state",
            "state_display",
            "notice_ends_on",
            "next_step",
            "next_step_role",
            "steps",
            "objections",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_next_step(self, application: UnitExitApplication) -> str | None:
        step = next_step(application)
        return step.label if step else None

    def get_next_step_role(self, application: UnitExitApplication) -> str | None:
        step = next_step(application)
        return str(step.role) if step else None


class UnitExitApplicationCreateSerializer(serializers.Serializer):
    level = CodeField(UnitLevel.choices, label=_("类别"))
    village = ScopedPrimaryKeyRelatedField(
        queryset=AdministrativeVillage.objects.all(), required=False, label=_("行政村（贫困村出列）")
    )
    township = ScopedPrimaryKeyRelatedField(
        queryset=Township.objects.all(), required=False, label=_("乡镇（贫困乡摘帽）")
    )
    year = serializers.IntegerField(min_value=2014, max_value=2100, label=_("出列年度"))
    comment = serializers.CharField(allow_blank=True, default="", label=_("申请说明"))

    def validate(self, attrs: dict) -> dict:
        if attrs["level"] == UnitLevel.VILLAGE and "village" not in attrs:
            raise serializers.ValidationError({"village": _("贫困村出列申请须指定行政村。")})
        if attrs["level"] == UnitLevel.TOWNSHIP and "township" not in attrs:
            raise serializers.ValidationError({"township": _("贫困乡摘帽申请须指定乡镇。")})
        return attrs


class UnitExitAdvanceSerializer(serializers.Serializer):
    step = CodeField(
        UnitExitState.choices,
        label=_("所办理的步骤"),
        help_text=_("申请当前的状态（state），即所要决定的那一步；已变化时答 409。")
        + _codes(UnitExitState.choices),
        error_messages={"invalid_choice": _("步骤应为 proposed、county_approved 或 rejected 之一。")},
    )
    decision = serializers.ChoiceField(
        Decision.choices,
        label=_("决定"),
        error_messages={"invalid_choice": _("决定应为 approve（同意）或 reject（不同意）。")},
    )
    comment = serializers.CharField(allow_blank=True, default="", label=_("意见（退回时必填）"))


class UnitExitConflictSerializer(serializers.Serializer):
    detail = serializers.CharField()
    application = UnitExitApplicationSerializer()


class UnitExitApplicationFilter(FilterSet):
    township = IdFilter(field_name="township_id", label=_("乡镇"))
    village = IdFilter(field_name="village_id", label=_("行政村"))
    level = filters.ChoiceFilter(choices=UnitLevel.choices, label=_("类别"))
    state = filters.ChoiceFilter(choices=UnitExitState.choices, label=_("状态"))
    year = filters.NumberFilter(label=_("出列年度"))

    class Meta:
        model = UnitExitApplication
        fields = ["id", "township", "village", "level", "state", "year"]


@extend_schema_view(
    create=extend_schema(
        request=UnitExitApplicationCreateSerializer, responses={201: UnitExitApplicationSerializer}
    ),
    advance=extend_schema(
        request=UnitExitAdvanceSerializer,
        responses={200: UnitExitApplicationSerializer, 409: UnitExitConflictSerializer},
    ),
)
class UnitExitApplicationViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """贫困村出列 / 贫困乡摘帽: 乡镇申请（公示）→ 县审批认定. POST …/{id}/advance/ takes the next step."""

    serializer_class = UnitExitApplicationSerializer
    filterset_class = UnitExitApplicationFilter
    # Reading is the queryset's (Access.visible); writing asks the access rule of the application; which
    # step a role takes is the procedure's answer (400 with its message).
    permission_classes = [IsAuthenticated, AccessPermission]
    change_model = UnitExitApplication
    change_denied_message = _("您无权办理乡村出列申请。")

    def get_queryset(self):
        return selectors.unit_exit_application_list(
            access=Access.for_user(self.request.user)
        ).prefetch_related(
            Prefetch(
                "steps", queryset=UnitExitStep.objects.select_related("actor").order_by("acted_at", "id")
            ),
            Prefetch("objections", queryset=UnitExitObjection.objects.order_by("recorded_at", "id")),
        )

    def _answer(self, application: UnitExitApplication, status_code=status.HTTP_200_OK) -> Response:
        application = self.get_queryset().get(pk=application.pk)
        return Response(self.get_serializer(application).data, status=status_code)

    def create(self, request, *args, **kwargs):
        serializer = UnitExitApplicationCreateSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        unit = data["village"] if data["level"] == UnitLevel.VILLAGE else data["township"]
        application = unit_exit_propose(
            unit=unit, year=data["year"], user=request.user, comment=data["comment"]
        )
        return self._answer(application, status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"])
    def advance(self, request, pk=None):
        """Approve moves the application to its next step; reject (with a reason) ends it."""
        application = self.get_object()
        serializer = UnitExitAdvanceSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            application = unit_exit_advance(
                application=application, user=request.user, **serializer.validated_data
            )
        except UnitExitConflict as conflict:
            current = self.get_queryset().get(pk=application.pk)
            return Response(
                {"detail": conflict.messages[0], "application": self.get_serializer(current).data},
                status=status.HTTP_409_CONFLICT,
            )
        return self._answer(application)


ROUTES = [("unit-exit-applications", UnitExitApplicationViewSet, "unit-exit-application")]
