"""API used by the cadre's phone: revisits/ (DESIGN.md §7), idempotent by the phone's client UUID.

A phone resends what it is not sure arrived: create answers 201 when it stored the revisit and 200 with
the stored record when that UUID was already stored. An edit carries the ``updated_at`` it started from
(``base_updated_at``); if the record changed since, the answer is 409 with the server's version.
All rules live in assignments.services; this module reads requests and shapes answers.
"""

from decimal import ROUND_HALF_UP, Decimal

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from assignments import services
from assignments.models import Revisit, RevisitRound
from core.access import Access
from core.api import AccessPermission, ColumnsReadDirectly, FieldsBuiltOnce, FilterSet, IdFilter

COORDINATE = Decimal("0.000001")  # the model keeps 6 decimals (~0.1 m); phones report more


# -- serializers ---------------------------------------------------------------------------------------


class RevisitPhotoSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    url = serializers.SerializerMethodField()

    def get_url(self, photo) -> str:
        # Photos are served only through the access-checked view, never as public media URLs.
        return reverse("assignments:revisit-photo", args=[photo.pk])


class RevisitSerializer(ColumnsReadDirectly, FieldsBuiltOnce, serializers.ModelSerializer):
    household_number = serializers.CharField(source="household.household_number", read_only=True)
    household_head = serializers.CharField(source="household.head_name", read_only=True)
    cadre_name = serializers.CharField(source="cadre.name", read_only=True)
    round_name = serializers.CharField(source="round.name", read_only=True, default=None)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    photos = RevisitPhotoSerializer(many=True, read_only=True)

    class Meta:
        model = Revisit
        fields = [
            "id",
            "household",
            "household_number",
            "household_head",
            "cadre",
            "cadre_name",
            "round",
            "round_name",
            "visited_on",
            "kind",
            "kind_display",
            "situation",
            "problems",
            "help_given",
            "risk_types",
            "risk_note",
            "client_uuid",
            "latitude",
            "longitude",
            "location_accuracy",
            "location_flagged",
            "photos",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class CoordinateField(serializers.FloatField):
    """A phone's coordinate, rounded to the 6 decimals the model keeps."""

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        return Decimal(str(value)).quantize(COORDINATE, rounding=ROUND_HALF_UP)


class RevisitCreateSerializer(serializers.Serializer):
    """What a phone sends. Only the shapes are checked here; the rules are revisit_record's."""

    # A plain id: a household that is not the cadre's answers 404 (from the service), not "invalid choice".
    household = serializers.IntegerField(label=_("户"))
    round = serializers.PrimaryKeyRelatedField(
        queryset=RevisitRound.objects.all(), required=False, allow_null=True, label=_("轮次")
    )
    visited_on = serializers.DateField(label=_("走访日期"))
    kind = serializers.ChoiceField(choices=Revisit.Kind.choices, default=Revisit.Kind.HOME, label=_("方式"))
    situation = serializers.CharField(required=False, allow_blank=True, default="", label=_("基本情况"))
    problems = serializers.CharField(required=False, allow_blank=True, default="", label=_("发现问题"))
    help_given = serializers.CharField(required=False, allow_blank=True, default="", label=_("帮扶内容"))
    client_uuid = serializers.UUIDField(label=_("客户端编号"))
    latitude = CoordinateField(required=False, allow_null=True, min_value=-90, max_value=90, label=_("纬度"))
    longitude = CoordinateField(
        required=False, allow_null=True, min_value=-180, max_value=180, label=_("经度")
    )
    location_accuracy = serializers.FloatField(
        required=False, allow_null=True, min_value=0, label=_("定位精度（米）")
    )
    photos = serializers.ListField(
        child=serializers.FileField(allow_empty_file=False), required=False, default=list, label=_("照片")
    )
    # Optional (older phones send neither): a risk found on the visit raises a monitoring candidate.
    risk_types = serializers.ListField(
        child=serializers.CharField(max_length=20), required=False, default=list, label="风险类型"
    )
    risk_note = serializers.CharField(required=False, allow_blank=True, default="", label="风险说明")


class RevisitUpdateSerializer(serializers.Serializer):
    base_updated_at = serializers.DateTimeField(label=_("修改所依据的版本（updated_at）"))
    visited_on = serializers.DateField(required=False, label=_("走访日期"))
    kind = serializers.ChoiceField(choices=Revisit.Kind.choices, required=False, label=_("方式"))
    situation = serializers.CharField(required=False, allow_blank=True, label=_("基本情况"))
    problems = serializers.CharField(required=False, allow_blank=True, label=_("发现问题"))
    help_given = serializers.CharField(required=False, allow_blank=True, label=_("帮扶内容"))


class RevisitConflictSerializer(serializers.Serializer):
    detail = serializers.CharField()
    server = RevisitSerializer()


# -- filters -------------------------------------------------------------------------------------------


class RevisitFilter(FilterSet):
    # Plain ids, not choices: an out-of-scope id filters to nothing rather than answering "invalid choice".
    household = IdFilter(field_name="household_id", label=_("户"))
    round = IdFilter(field_name="round_id", label=_("轮次"))
    cadre = IdFilter(field_name="cadre_id", label=_("干部"))
    client_uuid = filters.UUIDFilter(field_name="client_uuid", label=_("客户端编号"))
    visited_after = filters.DateFilter(field_name="visited_on", lookup_expr="gte", label=_("走访日期起"))
    visited_before = filters.DateFilter(field_name="visited_on", lookup_expr="lte", label=_("走访日期止"))

    class Meta:
        model = Revisit
        fields = ["household", "round", "cadre", "client_uuid", "kind", "location_flagged"]


# -- viewset -------------------------------------------------------------------------------------------


class RevisitViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """转走访. Create is idempotent by ``client_uuid``; edits need ``base_updated_at`` (409 on conflict)."""

    serializer_class = RevisitSerializer
    filterset_class = RevisitFilter
    permission_classes = [IsAuthenticated, AccessPermission]
    change_model = None  # a cadre records revisits of their paired households: the service decides
    change_denied_message = _("您不能修改这条走访记录（只能修改本人在帮户的记录）。")
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return (
            Access.for_user(self.request.user)
            .visible(Revisit.objects.all())
            .select_related("household", "cadre", "round")
            .prefetch_related("photos")
            .order_by("-visited_on", "-id")
        )

    @extend_schema(
        request={"multipart/form-data": RevisitCreateSerializer, "application/json": RevisitCreateSerializer},
        responses={201: RevisitSerializer, 200: RevisitSerializer},
    )
    def create(self, request, *args, **kwargs):
        data = RevisitCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        round_ = values.pop("round", None)
        household_id = values.pop("household")
        result = services.revisit_record(
            user=request.user,
            household_id=household_id,
            round_id=round_.pk if round_ else None,
            photos=tuple(values.pop("photos")),
            **values,
        )
        revisit = self.get_queryset().get(pk=result.revisit.pk)
        answer = status.HTTP_201_CREATED if result.created else status.HTTP_200_OK
        return Response(RevisitSerializer(revisit, context={"request": request}).data, status=answer)

    @extend_schema(
        request=RevisitUpdateSerializer,
        responses={200: RevisitSerializer, 409: RevisitConflictSerializer},
    )
    def partial_update(self, request, *args, **kwargs):
        revisit = self.get_object()
        data = RevisitUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        changes = dict(data.validated_data)
        base = changes.pop("base_updated_at")
        try:
            services.revisit_update(revisit=revisit, user=request.user, base_updated_at=base, **changes)
        except services.RevisitConflict as conflict:
            server = self.get_queryset().get(pk=conflict.server.pk)
            return Response(
                {"detail": conflict.messages[0], "server": RevisitSerializer(server).data},
                status=status.HTTP_409_CONFLICT,
            )
        return Response(RevisitSerializer(self.get_queryset().get(pk=revisit.pk)).data)

    def update(self, request, *args, **kwargs):
        # Only PATCH is routed (http_method_names): an edit always names the version it started from.
        return self.partial_update(request, *args, **kwargs)


ROUTES = [("revisits", RevisitViewSet, "revisit")]
