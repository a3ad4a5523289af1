"""Geography API (DESIGN.md §7): townships/, villages/, natural-villages/.

Everyone reads what is in their scope. county_admin creates and updates villages and natural villages;
a township official updates those of their own township. Nobody deletes through the API: households,
projects and users hang on these records.
"""

from django_filters import rest_framework as filters
from rest_framework import mixins, serializers, viewsets
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import IsAuthenticated

from core.access import Access
from core.api import AccessPermission, IdFilter, IdInFilter, ScopedPrimaryKeyRelatedField
from villages import selectors
from villages.models import AdministrativeVillage, NaturalVillage, Township

# -- serializers ---------------------------------------------------------------------------------------


class TownshipSerializer(serializers.ModelSerializer):
    county_name = serializers.CharField(source="county.name", read_only=True)

    class Meta:
        model = Township
        fields = [
            "id",
            "county",
            "county_name",
            "name",
            "code",
            "is_poor",
            "planned_exit_year",
            "exit_year",
            "registered_rural_population",
        ]
        read_only_fields = fields


class VillageSerializer(serializers.ModelSerializer):
    township = ScopedPrimaryKeyRelatedField(queryset=Township.objects.all(), label="乡镇")
    township_name = serializers.CharField(source="township.name", read_only=True)

    class Meta:
        model = AdministrativeVillage
        fields = [
            "id",
            "township",
            "township_name",
            "name",
            "code",
            "is_poor",
            "planned_exit_year",
            "exit_year",
            "registered_rural_population",
        ]
        # 出列年度 is set by county approval of the village's exit (households/units), never typed.
        read_only_fields = ["exit_year"]

    def validate_township(self, township: Township) -> Township:
        # Households carry their township denormalised: moving a village would split its records.
        if self.instance is not None and township.pk != self.instance.township_id:
            raise serializers.ValidationError("行政村不能改属其他乡镇。")
        return township


class NaturalVillageSerializer(serializers.ModelSerializer):
    village = ScopedPrimaryKeyRelatedField(queryset=AdministrativeVillage.objects.all(), label="行政村")
    village_name = serializers.CharField(source="village.name", read_only=True)
    township = serializers.IntegerField(source="village.township_id", read_only=True, label="乡镇")
    township_name = serializers.CharField(source="village.township.name", read_only=True)

    class Meta:
        model = NaturalVillage
        fields = [
            "id",
            "village",
            "village_name",
            "township",
            "township_name",
            "name",
            "code",
            "is_poor",
            "latitude",
            "longitude",
        ]
        # The database refuses these too, but with a constraint error rather than a field message.
        extra_kwargs = {
            "latitude": {"min_value": -90, "max_value": 90},
            "longitude": {"min_value": -180, "max_value": 180},
        }

    def validate_village(self, village: AdministrativeVillage) -> AdministrativeVillage:
        # Households carry their village denormalised: moving a natural village would split its records.
        if self.instance is not None and village.pk != self.instance.village_id:
            raise serializers.ValidationError("自然村不能改属其他行政村。")
        return village


# -- filters -------------------------------------------------------------------------------------------


class TownshipFilter(filters.FilterSet):
    id = IdInFilter(field_name="id", label="ID（多个用逗号分隔）")
    # Plain ids, not choices: an out-of-scope id must filter to nothing, not answer "invalid choice".
    county = IdFilter(field_name="county__id", label="县")
    name = filters.CharFilter(field_name="name", lookup_expr="icontains", label="名称包含")

    class Meta:
        model = Township
        fields = ["id", "county", "name", "is_poor"]


class VillageFilter(filters.FilterSet):
    id = IdInFilter(field_name="id", label="ID（多个用逗号分隔）")
    township = IdFilter(field_name="township__id", label="乡镇")
    name = filters.CharFilter(field_name="name", lookup_expr="icontains", label="名称包含")

    class Meta:
        model = AdministrativeVillage
        fields = ["id", "township", "name", "is_poor"]


class NaturalVillageFilter(filters.FilterSet):
    id = IdInFilter(field_name="id", label="ID（多个用逗号分隔）")
    village = IdFilter(field_name="village__id", label="行政村")
    township = IdFilter(field_name="village__township__id", label="乡镇")
    name = filters.CharFilter(field_name="name", lookup_expr="icontains", label="名称包含")

    class Meta:
        model = NaturalVillage
        fields = ["id", "village", "township", "name", "is_poor"]


# -- viewsets ------------------------------------------------------------------------------------------


class TownshipViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = TownshipSerializer
    filterset_class = TownshipFilter

    def get_queryset(self):
        return selectors.township_list(access=Access.for_user(self.request.user))


class _GeographyWriteViewSet(
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.ListModelMixin,
    viewsets.GenericViewSet,
):
    permission_classes = [IsAuthenticated, AccessPermission]
    change_model: type
    change_denied_message = "您无权修改行政区划。"

    def place(self, validated_data: dict) -> dict:
        raise NotImplementedError

    def perform_create(self, serializer) -> None:
        access = Access.for_user(self.request.user)
        if not access.can_change_in(self.change_model, **self.place(serializer.validated_data)):
            raise PermissionDenied(self.change_denied_message)
        serializer.save()


class VillageViewSet(_GeographyWriteViewSet):
    serializer_class = VillageSerializer
    filterset_class = VillageFilter
    change_model = AdministrativeVillage

    def get_queryset(self):
        return selectors.village_list(access=Access.for_user(self.request.user))

    def place(self, validated_data: dict) -> dict:
        return {"township_id": validated_data["township"].pk}


class NaturalVillageViewSet(_GeographyWriteViewSet):
    serializer_class = NaturalVillageSerializer
    filterset_class = NaturalVillageFilter
    change_model = NaturalVillage

    def get_queryset(self):
        return selectors.natural_village_list(access=Access.for_user(self.request.user))

    def place(self, validated_data: dict) -> dict:
        village = validated_data["village"]
        return {"township_id": village.township_id, "village_id": village.pk}
