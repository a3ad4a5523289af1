"""API (DESIGN.md §7): projects/, relocation-sites/, relocations/, trainings/, targets/.

Everyone reads what is in their scope (the access rule decides). Writes go through projects.services, so
the pages and the API refuse the same input with the same Chinese message (400, never 500).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import SAFE_METHODS, BasePermission, IsAuthenticated
from rest_framework.response import Response

from core.access import Access
from core.api import FilterSet, IdFilter, ScopedPrimaryKeyRelatedField
from households.models import Household, Member
from projects import selectors, services
from projects.models import (
    FundingSource,
    ProgressEntry,
    Project,
    Relocation,
    RelocationSite,
    Target,
    Training,
)
from villages.models import AdministrativeVillage, County, NaturalVillage, Township

# -- serializers ---------------------------------------------------------------------------------------


class FundingSourceSerializer(serializers.ModelSerializer):
    class Meta:
        model = FundingSource
        fields = ["id", "source", "amount"]


class ProgressEntrySerializer(serializers.ModelSerializer):
    class Meta:
        model = ProgressEntry
        fields = ["id", "recorded_on", "invested_to_date", "percent_complete", "note", "over_plan_reason"]


class ProjectSerializer(serializers.ModelSerializer):
    category_display = serializers.CharField(source="get_category_display", read_only=True)
    state_display = serializers.CharField(source="get_state_display", read_only=True)
    township = ScopedPrimaryKeyRelatedField(
        queryset=Township.objects.all(), allow_null=True, required=False, label=_("乡镇")
    )
    village = ScopedPrimaryKeyRelatedField(
        queryset=AdministrativeVillage.objects.all(), allow_null=True, required=False, label=_("行政村")
    )
    parent = ScopedPrimaryKeyRelatedField(
        queryset=Project.objects.all(), allow_null=True, required=False, label=_("上级项目")
    )
    invested_to_date = serializers.DecimalField(
        source="invested", max_digits=14, decimal_places=2, read_only=True, label=_("累计完成投资")
    )
    households_reached = serializers.IntegerField(source="reached", read_only=True, label=_("实际受益户数"))

    class Meta:
        model = Project
        fields = [
            "id",
            "name",
            "category",
            "category_display",
            "parent",
            "township",
            "village",
            "year",
            "approved_on",
            "started_on",
            "ended_on",
            "planned_investment",
            "state",
            "state_display",
            "planned_households",
            "planned_persons",
            "description",
            "invested_to_date",
            "households_reached",
        ]


class ProjectDetailSerializer(ProjectSerializer):
    funding = FundingSourceSerializer(many=True, read_only=True)
    progress = ProgressEntrySerializer(many=True, read_only=True)

    class Meta(ProjectSerializer.Meta):
        fields = [*ProjectSerializer.Meta.fields, "funding", "progress"]


class ProgressInputSerializer(serializers.Serializer):
    recorded_on = serializers.DateField(label=_("填报日期"))
    invested_to_date = serializers.DecimalField(max_digits=14, decimal_places=2, label=_("累计完成投资"))
    percent_complete = serializers.IntegerField(required=False, allow_null=True, label=_("形象进度"))
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, label=_("说明"))
    over_plan_reason = serializers.CharField(
        max_length=200, required=False, allow_blank=True, label=_("超计划投资说明")
    )


class BeneficiaryInputSerializer(serializers.Serializer):
    households = serializers.ListField(
        child=serializers.IntegerField(min_value=1), required=False, label=_("户（id 列表）")
    )
    village = serializers.IntegerField(min_value=1, required=False, label=_("整村添加：行政村 id"))

    def validate(self, data):
        if not data.get("households") and not data.get("village"):
            raise serializers.ValidationError(_("请给出 households（户 id 列表）或 village（行政村 id）。"))
        return data


class BeneficiaryResultSerializer(serializers.Serializer):
    added = serializers.IntegerField()
    warnings = serializers.ListField(child=serializers.CharField())


class RelocationSiteSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    build_state_display = serializers.CharField(source="get_build_state_display", read_only=True)
    township = ScopedPrimaryKeyRelatedField(queryset=Township.objects.all(), label=_("乡镇"))
    village = ScopedPrimaryKeyRelatedField(
        queryset=AdministrativeVillage.objects.all(), allow_null=True, required=False, label=_("行政村")
    )
    natural_village = ScopedPrimaryKeyRelatedField(
        queryset=NaturalVillage.objects.all(), allow_null=True, required=False, label=_("安置自然村")
    )
    relocated_households = serializers.IntegerField(read_only=True)
    relocated_persons = serializers.IntegerField(read_only=True)
    moved_in_households = serializers.IntegerField(read_only=True)
    moved_in_persons = serializers.IntegerField(read_only=True)

    class Meta:
        model = RelocationSite
        fields = [
            "id",
            "name",
            "township",
            "village",
            "natural_village",
            "kind",
            "kind_display",
            "planned_households",
            "planned_persons",
            "build_state",
            "build_state_display",
            "investment",
            "year",
            "relocated_households",
            "relocated_persons",
            "moved_in_households",
            "moved_in_persons",
        ]
        validators = []  # the unique (township, name) check answers from the database as a 400


class RelocationSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    household = ScopedPrimaryKeyRelatedField(queryset=Household.objects.all(), label=_("户"))
    household_number = serializers.CharField(source="household.household_number", read_only=True)
    site = ScopedPrimaryKeyRelatedField(queryset=RelocationSite.objects.all(), label=_("安置点"))
    site_name = serializers.CharField(source="site.name", read_only=True)
    from_natural_village = ScopedPrimaryKeyRelatedField(
        queryset=NaturalVillage.objects.all(), allow_null=True, required=False, label=_("迁出自然村")
    )

    class Meta:
        model = Relocation
        fields = [
            "id",
            "household",
            "household_number",
            "from_natural_village",
            "site",
            "site_name",
            "kind",
            "kind_display",
            "persons",
            "housing_area",
            "moved_in_on",
            "old_house_demolished",
        ]


class TrainingSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    township = ScopedPrimaryKeyRelatedField(
        queryset=Township.objects.all(), allow_null=True, required=False, label=_("乡镇")
    )
    registered_participants = serializers.IntegerField(read_only=True, label=_("已登记学员"))

    class Meta:
        model = Training
        fields = [
            "id",
            "name",
            "kind",
            "kind_display",
            "year",
            "township",
            "planned_participants",
            "actual_participants",
            "planned_investment",
            "registered_participants",
        ]


class ParticipantInputSerializer(serializers.Serializer):
    members = serializers.ListField(child=serializers.IntegerField(min_value=1), label=_("成员（id 列表）"))


class TargetProgressSerializer(serializers.Serializer):
    households = serializers.IntegerField(allow_null=True)
    persons = serializers.IntegerField(allow_null=True)
    villages = serializers.IntegerField(allow_null=True)
    townships = serializers.IntegerField(allow_null=True)
    income = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)


class TargetSerializer(serializers.ModelSerializer):
    category_display = serializers.CharField(source="get_category_display", read_only=True)
    county = serializers.PrimaryKeyRelatedField(queryset=County.objects.all(), label=_("县"))
    township = ScopedPrimaryKeyRelatedField(
        queryset=Township.objects.all(), allow_null=True, required=False, label=_("乡镇")
    )
    progress = serializers.SerializerMethodField()

    class Meta:
        model = Target
        fields = [
            "id",
            "county",
            "township",
            "year",
            "category",
            "category_display",
            "persons",
            "households",
            "villages_to_exit",
            "townships_to_exit",
            "income_goal",
            "note",
            "progress",
        ]

    @extend_schema_field(TargetProgressSerializer)
    def get_progress(self, target: Target) -> dict:
        rows = self.context.get("progress") or {}
        row = rows.get(target.pk)
        if row is None:
            row = selectors.target_progress(targets=[target])[0]
        return TargetProgressSerializer(row).data


# -- filters -------------------------------------------------------------------------------------------


class ProjectFilter(FilterSet):
    township = IdFilter(field_name="township_id", label=_("乡镇"))
    village = IdFilter(field_name="village_id", label=_("行政村"))
    parent = IdFilter(field_name="parent_id", label=_("上级项目"))
    top = filters.BooleanFilter(field_name="parent", lookup_expr="isnull", label=_("只要主项目"))
    household = IdFilter(method="filter_household", label=_("受益户"))

    class Meta:
        model = Project
        fields = ["id", "township", "village", "parent", "top", "category", "state", "year", "household"]

    def filter_household(self, queryset, name, value):
        return queryset.filter(
            pk__in=Project.beneficiaries.through.objects.filter(household_id=value).values("project_id")
        )


class RelocationSiteFilter(FilterSet):
    township = IdFilter(field_name="township_id", label=_("乡镇"))
    village = IdFilter(field_name="village_id", label=_("行政村"))

    class Meta:
        model = RelocationSite
        fields = ["id", "township", "village", "kind", "build_state", "year"]


class RelocationFilter(FilterSet):
    household = IdFilter(field_name="household_id", label=_("户"))
    site = IdFilter(field_name="site_id", label=_("安置点"))
    township = IdFilter(field_name="site__township_id", label=_("安置点所在乡镇"))
    current = filters.BooleanFilter(method="filter_current", label=_("只要每户最近一次搬迁"))

    class Meta:
        model = Relocation
        fields = ["id", "household", "site", "township", "kind", "current"]

    def filter_current(self, queryset, name, value):
        current = selectors.current_relocations().values("pk")
        return queryset.filter(pk__in=current) if value else queryset.exclude(pk__in=current)


class TrainingFilter(FilterSet):
    township = IdFilter(field_name="township_id", label=_("乡镇"))
    member = IdFilter(method="filter_member", label=_("参训成员"))

    class Meta:
        model = Training
        fields = ["id", "township", "kind", "year", "member"]

    def filter_member(self, queryset, name, value):
        return queryset.filter(
            pk__in=Training.participants.through.objects.filter(member_id=value).values("training_id")
        )


class TargetFilter(FilterSet):
    county = IdFilter(field_name="county_id", label=_("县"))
    township = IdFilter(field_name="township_id", label=_("乡镇"))
    county_only = filters.BooleanFilter(field_name="township", lookup_expr="isnull", label=_("只要县级目标"))

    class Meta:
        model = Target
        fields = ["id", "county", "township", "county_only", "year", "category"]


# -- viewsets ------------------------------------------------------------------------------------------


class ChangePermission(BasePermission):
    """Reading is decided by the queryset (Access.visible); writing by the role, then by the service."""

    message = _("您无权修改此类记录。")

    def has_permission(self, request, view) -> bool:
        if request.method in SAFE_METHODS:
            return True
        return Access.for_user(request.user).may_change_model(view.queryset_model)


class _ServiceViewSet(
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.ListModelMixin,
    viewsets.GenericViewSet,
):
    permission_classes = [IsAuthenticated, ChangePermission]
    queryset_model: type

    @property
    def access(self) -> Access:
        return Access.for_user(self.request.user)

    def _respond(self, instance, code=status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=instance.pk)
        return Response(self.get_serializer(fresh).data, status=code)

    def _changes(self, request, instance, partial: bool) -> dict:
        serializer = self.get_serializer(instance, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)


class ProjectViewSet(mixins.DestroyModelMixin, _ServiceViewSet):
    """Projects (项目) with invested to date and households reached. A project with progress or
    beneficiaries cannot be deleted (400): close it instead (PATCH state=closed)."""

    filterset_class = ProjectFilter
    queryset_model = Project

    def get_queryset(self):
        qs = selectors.project_list(access=self.access)
        if self.action == "retrieve":
            qs = qs.prefetch_related("funding", "progress")
        return qs

    def get_serializer_class(self):
        return ProjectDetailSerializer if self.action == "retrieve" else ProjectSerializer

    def create(self, request, *args, **kwargs):
        data = self._changes(request, None, partial=False)
        project = services.project_create(user=request.user, **data)
        return self._respond(project, status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        project = self.get_object()
        data = self._changes(request, project, partial=kwargs.get("partial", False))
        project = services.project_update(project=project, user=request.user, **data)
        return self._respond(project)

    def destroy(self, request, *args, **kwargs):
        services.project_delete(project=self.get_object(), user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=ProgressInputSerializer, responses=ProgressEntrySerializer)
    @action(detail=True, methods=["post"])
    def progress(self, request, pk=None):
        project = self.get_object()
        serializer = ProgressInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        entry = services.progress_add(project=project, user=request.user, **serializer.validated_data)
        return Response(ProgressEntrySerializer(entry).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=BeneficiaryInputSerializer, responses=BeneficiaryResultSerializer)
    @action(detail=True, methods=["post"])
    def beneficiaries(self, request, pk=None):
        project = self.get_object()
        serializer = BeneficiaryInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        if data.get("households"):
            households = list(self.access.visible(Household.objects.filter(pk__in=data["households"])))
            if len(households) != len(set(data["households"])):
                raise serializers.ValidationError({"households": _("有的户未登记，或不在您的管辖范围内。")})
            warnings = services.beneficiaries_add(project=project, user=request.user, households=households)
            added = len(households)
        else:
            village = self.access.visible(AdministrativeVillage.objects.filter(pk=data["village"])).first()
            if village is None:
                raise serializers.ValidationError({"village": _("行政村不存在，或不在您的管辖范围内。")})
            added, warnings = services.beneficiaries_add_from_village(
                project=project, user=request.user, village=village
            )
        return Response({"added": added, "warnings": warnings})

    @extend_schema(request=BeneficiaryInputSerializer, responses=BeneficiaryResultSerializer)
    @action(detail=True, methods=["post"], url_path="beneficiaries/remove")
    def beneficiaries_remove(self, request, pk=None):
        project = self.get_object()
        serializer = BeneficiaryInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        households = self.access.visible(
            project.beneficiaries.filter(pk__in=serializer.validated_data.get("households", []))
        )
        removed = 0
        for household in households:
            services.beneficiary_remove(project=project, user=request.user, household=household)
            removed += 1
        return Response({"added": -removed, "warnings": []})


class RelocationSiteViewSet(_ServiceViewSet):
    """Relocation sites (易地扶贫搬迁安置点): planned against relocated and moved-in households and persons."""

    serializer_class = RelocationSiteSerializer
    filterset_class = RelocationSiteFilter
    queryset_model = RelocationSite

    def get_queryset(self):
        return selectors.relocation_site_list(access=self.access)

    def create(self, request, *args, **kwargs):
        site = services.relocation_site_create(user=request.user, **self._changes(request, None, False))
        return self._respond(site, status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        site = self.get_object()
        data = self._changes(request, site, kwargs.get("partial", False))
        return self._respond(services.relocation_site_update(site=site, user=request.user, **data))


class RelocationViewSet(_ServiceViewSet):
    """Moves (搬迁): each move is its own record; a household may move more than once (history kept).
    Moving in sets the household's address to the site's natural village."""

    serializer_class = RelocationSerializer
    filterset_class = RelocationFilter
    queryset_model = Relocation

    def get_queryset(self):
        return selectors.relocation_list(access=self.access)

    def create(self, request, *args, **kwargs):
        relocation = services.relocation_record(user=request.user, **self._changes(request, None, False))
        return self._respond(relocation, status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        relocation = self.get_object()
        data = self._changes(request, relocation, kwargs.get("partial", False))
        data.pop("household", None)
        data.pop("from_natural_village", None)
        return self._respond(services.relocation_update(relocation=relocation, user=request.user, **data))


class TrainingViewSet(_ServiceViewSet):
    """Training courses (培训): budget, planned and actual participants; participants are members."""

    serializer_class = TrainingSerializer
    filterset_class = TrainingFilter
    queryset_model = Training

    def get_queryset(self):
        return selectors.training_list(access=self.access)

    def create(self, request, *args, **kwargs):
        training = services.training_create(user=request.user, **self._changes(request, None, False))
        return self._respond(training, status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        training = self.get_object()
        data = self._changes(request, training, kwargs.get("partial", False))
        return self._respond(services.training_update(training=training, user=request.user, **data))

    @extend_schema(request=ParticipantInputSerializer, responses=TrainingSerializer)
    @action(detail=True, methods=["post"])
    def participants(self, request, pk=None):
        training = self.get_object()
        serializer = ParticipantInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        ids = serializer.validated_data["members"]
        members = list(self.access.visible(Member.objects.filter(pk__in=ids)))
        if len(members) != len(set(ids)):
            raise serializers.ValidationError({"members": _("有的人员未登记，或不在您的管辖范围内。")})
        services.training_participants_add(training=training, user=request.user, members=members)
        return self._respond(training)


class TargetViewSet(_ServiceViewSet):
    """Targets (目标) per county or township and year, each with its progress computed from the registry."""

    serializer_class = TargetSerializer
    filterset_class = TargetFilter
    queryset_model = Target

    def get_queryset(self):
        return selectors.target_list(access=self.access)

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["progress"] = getattr(self, "_progress", {})
        return context

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        if page is not None:
            self._progress = {row.target.pk: row for row in selectors.target_progress(targets=page)}
        return page

    def create(self, request, *args, **kwargs):
        target = services.target_save(user=request.user, **self._changes(request, None, False))
        return self._respond(target, status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        target = self.get_object()
        data = self._changes(request, target, kwargs.get("partial", False))
        return self._respond(services.target_save(user=request.user, target=target, **data))


ROUTES = [
    ("projects", ProjectViewSet, "project"),
    ("relocation-sites", RelocationSiteViewSet, "relocation-site"),
    ("relocations", RelocationViewSet, "relocation"),
    ("trainings", TrainingViewSet, "training"),
    ("targets", TargetViewSet, "target"),
]
