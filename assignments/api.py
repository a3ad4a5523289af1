"""API (DESIGN.md §7): work-units/, cadres/, pairings/, revisit-rounds/.

Everyone reads what is in their scope (the access rule decides). Writes go through assignments.services:
county admins keep work units, cadres and revisit rounds; pairings are made and ended by those who may
change pairings (county admin, township officials in their township). Nobody deletes: history is kept.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from assignments import selectors, services
from assignments.models import Cadre, Pairing, RevisitRound, WorkUnit, WorkUnitVillage
from core.access import Access
from core.api import AccessPermission, FilterSet, IdFilter, MaskedPhonesMixin, ScopedPrimaryKeyRelatedField
from households.models import Household

# -- serializers ---------------------------------------------------------------------------------------


class WorkUnitSerializer(MaskedPhonesMixin, serializers.ModelSerializer):
    level_display = serializers.CharField(source="get_level_display", read_only=True)
    villages = serializers.SerializerMethodField()
    village_ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1), write_only=True, required=False, label=_("挂联村")
    )
    cadre_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = WorkUnit
        fields = [
            "id",
            "name",
            "level",
            "level_display",
            "leader",
            "phone",
            "villages",
            "village_ids",
            "cadre_count",
        ]
        extra_kwargs = {"name": {"validators": []}}  # assignments.services says "挂联单位“…”已存在" itself

    def get_villages(self, unit: WorkUnit) -> list[int]:
        return [link.village_id for link in getattr(unit, "village_links", [])]


class CadreSerializer(MaskedPhonesMixin, serializers.ModelSerializer):
    unit = serializers.PrimaryKeyRelatedField(queryset=WorkUnit.objects.all(), label=_("单位"))
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    household_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Cadre
        fields = ["id", "name", "unit", "unit_name", "post", "phone", "active", "household_count"]


class PairingSerializer(serializers.ModelSerializer):
    cadre = serializers.IntegerField(source="cadre_id", min_value=1, label=_("干部"))
    cadre_name = serializers.CharField(source="cadre.name", read_only=True)
    unit_name = serializers.CharField(source="cadre.unit.name", read_only=True)
    household = ScopedPrimaryKeyRelatedField(queryset=Household.objects.all(), label=_("户"))
    household_number = serializers.CharField(source="household.household_number", read_only=True)
    village = serializers.IntegerField(source="household.village_id", read_only=True)
    active = serializers.BooleanField(read_only=True)

    class Meta:
        model = Pairing
        fields = [
            "id",
            "cadre",
            "cadre_name",
            "unit_name",
            "household",
            "household_number",
            "village",
            "started_on",
            "ended_on",
            "active",
        ]
        read_only_fields = ["ended_on"]


class PairingEndSerializer(serializers.Serializer):
    ended_on = serializers.DateField(label=_("结束日期"))


class RevisitRoundSerializer(serializers.ModelSerializer):
    name = serializers.CharField(max_length=50, required=False, allow_blank=True, label=_("名称"))

    class Meta:
        model = RevisitRound
        fields = ["id", "year", "number", "name", "starts_on", "ends_on"]
        validators = []  # the service says "2016年第2轮已存在" itself


class CompletionRowSerializer(serializers.Serializer):
    id = serializers.IntegerField(allow_null=True)
    name = serializers.CharField()
    detail = serializers.CharField()
    due = serializers.IntegerField()
    visited = serializers.IntegerField()
    overdue = serializers.IntegerField()
    pending = serializers.IntegerField()


class RevisitRoundDetailSerializer(RevisitRoundSerializer):
    completion = serializers.SerializerMethodField()

    class Meta(RevisitRoundSerializer.Meta):
        fields = [*RevisitRoundSerializer.Meta.fields, "completion"]

    def get_completion(self, rnd: RevisitRound) -> dict:
        rows = self.context.get("completion_rows", [])
        return {
            "group_by": self.context.get("group_by"),
            "rows": CompletionRowSerializer(rows, many=True).data,
            "total": CompletionRowSerializer(selectors.completion_total(rows)).data,
        }


# -- filters -------------------------------------------------------------------------------------------


class WorkUnitFilter(FilterSet):
    village = IdFilter(method="filter_village", label=_("挂联的行政村"))
    name = filters.CharFilter(field_name="name", lookup_expr="icontains", label=_("名称包含"))

    class Meta:
        model = WorkUnit
        fields = ["id", "village", "level", "name"]

    def filter_village(self, queryset, name, value):
        return queryset.filter(pk__in=WorkUnitVillage.objects.filter(village_id=value).values("unit_id"))


class CadreFilter(FilterSet):
    unit = IdFilter(field_name="unit__id", label=_("单位"))
    name = filters.CharFilter(field_name="name", lookup_expr="icontains", label=_("姓名包含"))

    class Meta:
        model = Cadre
        fields = ["id", "unit", "name", "active"]


class PairingFilter(FilterSet):
    cadre = IdFilter(field_name="cadre__id", label=_("干部"))
    household = IdFilter(field_name="household__id", label=_("户"))
    village = IdFilter(field_name="household__village_id", label=_("行政村"))
    township = IdFilter(field_name="household__township_id", label=_("乡镇"))
    active = filters.BooleanFilter(field_name="ended_on", lookup_expr="isnull", label=_("在帮"))

    class Meta:
        model = Pairing
        fields = ["id", "cadre", "household", "village", "township", "active"]


class RevisitRoundFilter(FilterSet):
    class Meta:
        model = RevisitRound
        fields = ["id", "year"]


# -- viewsets ------------------------------------------------------------------------------------------


class _WriteViewSet(
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.ListModelMixin,
    viewsets.GenericViewSet,
):
    permission_classes = [IsAuthenticated, AccessPermission]
    change_model: type  # units and cadres declare no changers: the county admin keeps them
    change_denied_message = _("您无权修改此类记录。")

    @property
    def access(self) -> Access:
        return Access.for_user(self.request.user)

    def _respond(self, instance, code=status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=instance.pk)
        return Response(self.get_serializer(fresh).data, status=code)


class WorkUnitViewSet(_WriteViewSet):
    serializer_class = WorkUnitSerializer
    filterset_class = WorkUnitFilter
    change_model = WorkUnit

    def get_queryset(self):
        return selectors.work_unit_list(access=self.access)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        villages = data.pop("village_ids", None)
        unit = services.work_unit_create(user=request.user, villages=villages, **data)
        return self._respond(unit, status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        unit = self.get_object()
        serializer = self.get_serializer(unit, data=request.data, partial=kwargs.get("partial", False))
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        villages = data.pop("village_ids", None)
        unit = services.work_unit_update(user=request.user, unit=unit, villages=villages, **data)
        return self._respond(unit)


class CadreViewSet(_WriteViewSet):
    serializer_class = CadreSerializer
    filterset_class = CadreFilter
    change_model = Cadre

    def get_queryset(self):
        return selectors.cadre_list(access=self.access)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        data.pop("active", None)
        cadre = services.cadre_create(user=request.user, **data)
        return self._respond(cadre, status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        cadre = self.get_object()
        serializer = self.get_serializer(cadre, data=request.data, partial=kwargs.get("partial", False))
        serializer.is_valid(raise_exception=True)
        cadre = services.cadre_update(user=request.user, cadre=cadre, **serializer.validated_data)
        return self._respond(cadre)


class PairingViewSet(
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.ListModelMixin,
    viewsets.GenericViewSet,
):
    """Pairings (挂包帮). POST creates (re-pairing ends the household's active pairing);
    POST {id}/end/ with {"ended_on"} ends one. History is kept: nothing is deleted or edited."""

    serializer_class = PairingSerializer
    filterset_class = PairingFilter
    permission_classes = [IsAuthenticated, AccessPermission]
    change_model = Pairing
    change_denied_message = _("您无权修改此类记录。")

    def get_queryset(self):
        return selectors.pairing_list(access=Access.for_user(self.request.user))

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        pairing = services.pairing_assign(
            user=request.user,
            household_id=data["household"].pk,
            cadre_id=data["cadre_id"],
            started_on=data["started_on"],
        )
        fresh = self.get_queryset().get(pk=pairing.pk)
        return Response(self.get_serializer(fresh).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=PairingEndSerializer, responses=PairingSerializer)
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        pairing = self.get_object()
        serializer = PairingEndSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.pairing_end(
            pairing=pairing, ended_on=serializer.validated_data["ended_on"], user=request.user
        )
        fresh = self.get_queryset().get(pk=pairing.pk)
        return Response(self.get_serializer(fresh).data)


class RevisitRoundViewSet(
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.ListModelMixin,
    viewsets.GenericViewSet,
):
    """Revisit rounds (回访轮次). The detail carries the round's completion over the caller's scope,
    grouped by ``?group_by=`` cadre | unit | village | township | county."""

    filterset_class = RevisitRoundFilter
    permission_classes = [IsAuthenticated, AccessPermission]
    change_model = RevisitRound  # declares no changers: the county admin keeps the rounds
    change_denied_message = _("您无权修改此类记录。")

    def get_queryset(self):
        return selectors.round_list(access=Access.for_user(self.request.user))

    def get_serializer_class(self):
        return RevisitRoundDetailSerializer if self.action == "retrieve" else RevisitRoundSerializer

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "group_by", str, enum=list(selectors.GROUP_KEYS), description=_("完成情况的分组方式")
            )
        ]
    )
    def retrieve(self, request, *args, **kwargs):
        rnd = self.get_object()
        access = Access.for_user(request.user)
        group_by = request.query_params.get("group_by") or selectors.default_group(access)
        if group_by not in selectors.GROUP_KEYS:
            raise serializers.ValidationError(
                {
                    "group_by": _("分组方式“{group_by}”无效，可选：{value}。").format(
                        group_by=group_by, value=_("、").join(selectors.GROUP_KEYS)
                    )
                }
            )
        rows = selectors.round_completion(access=access, round_id=rnd, group_by=group_by)
        context = {**self.get_serializer_context(), "completion_rows": rows, "group_by": group_by}
        return Response(RevisitRoundDetailSerializer(rnd, context=context).data)

    def create(self, request, *args, **kwargs):
        serializer = RevisitRoundSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        rnd = services.revisit_round_create(user=request.user, **serializer.validated_data)
        return Response(RevisitRoundSerializer(rnd).data, status=status.HTTP_201_CREATED)


ROUTES = [
    ("work-units", WorkUnitViewSet, "work-unit"),
    ("cadres", CadreViewSet, "cadre"),
    ("pairings", PairingViewSet, "pairing"),
    ("revisit-rounds", RevisitRoundViewSet, "revisit-round"),
]
