"""Geography API (DESIGN.md §7): townships/, villages/, natural-villages/.

Everyone reads what is in their scope. county_admin creates and updates villages and natural villages;
a township official updates those of their own township. Nobody deletes through the API: households,
projects and users hang on these records.
"""

from django.utils.translation import gettext_lazy
from django_filters import rest_framework as filters
from rest_framework import mixins, serializers, viewsets
from rest_framework.permissions import IsAuthenticated

from core.access import Access
from core.api import AccessPermission, FilterSet, IdFilter, ScopedPrimaryKeyRelatedField
from villages import selectors, services
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
    township = ScopedPrimaryKeyRelatedField(queryset=Township.objects.all(), label=gettext_lazy("乡镇"))
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
        # Names are unique within the township: villages.services says so (and that a village stays put).
        validators = []


class NaturalVillageSerializer(serializers.ModelSerializer):
    village = ScopedPrimaryKeyRelatedField(
        queryset=AdministrativeVillage.objects.all(), label=gettext_lazy("行政村")
    )
    village_name = serializers.CharField(source="village.name", read_only=True)
    township = serializers.IntegerField(
        source="village.township_id", read_only=True, label=gettext_lazy("乡镇")
    )
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
        # Names are unique within the village: villages.services says so (and that it stays put).
        validators = []


# -- filters -------------------------------------------------------------------------------------------


class TownshipFilter(FilterSet):
    # Plain ids, not choices: an out-of-scope id must filter to nothing, not answer "invalid choice".
    county = IdFilter(field_name="county__id", label=gettext_lazy("县"))
    name = filters.CharFilter(field_name="name", lookup_expr="icontains", label=gettext_lazy("名称包含"))

    class Meta:
        model = Township
        fields = ["id", "county", "name", "is_poor"]


class VillageFilter(FilterSet):
    township = IdFilter(field_name="township__id", label=gettext_lazy("乡镇"))
    name = filters.CharFilter(field_name="name", lookup_expr="icontains", label=gettext_lazy("名称包含"))

    class Meta:
        model = AdministrativeVillage
        fields = ["id", "township", "name", "is_poor"]


class NaturalVillageFilter(FilterSet):
    village = IdFilter(field_name="village__id", label=gettext_lazy("行政村"))
    township = IdFilter(field_name="village__township__id", label=gettext_lazy("乡镇"))
    name = filters.CharFilter(field_name="name", lookup_expr="icontains", label=gettext_lazy("名称包含"))

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
    change_denied_message = gettext_lazy("您无权修改行政区划。")

    # Every write through villages.services, which asks the access rule again for this place or record.
    def perform_create(self, serializer) -> None:
        serializer.instance = self.create_service(user=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer) -> None:
        serializer.instance = self.update_service(
            serializer.instance, user=self.request.user, **serializer.validated_data
        )


class VillageViewSet(_GeographyWriteViewSet):
    serializer_class = VillageSerializer
    filterset_class = VillageFilter
    change_model = AdministrativeVillage

    def get_queryset(self):
        return selectors.village_list(access=Access.for_user(self.request.user))

    def create_service(self, **data) -> AdministrativeVillage:
        return services.village_create(**data)

    def update_service(self, village, **changes) -> AdministrativeVillage:
        return services.village_update(village=village, **changes)


class NaturalVillageViewSet(_GeographyWriteViewSet):
    serializer_class = NaturalVillageSerializer
    filterset_class = NaturalVillageFilter
    change_model = NaturalVillage

    def get_queryset(self):
        return selectors.natural_village_list(access=Access.for_user(self.request.user))

    def create_service(self, **data) -> NaturalVillage:
        return services.natural_village_create(**data)

    def update_service(self, natural_village, **changes) -> NaturalVillage:
        return services.natural_village_update(natural_village=natural_village, **changes)
