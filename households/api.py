"""Households API (DESIGN.md §7): households/, members/, households/{id}/assessments/, poverty-lines/,
exit-applications/ (+ advance), stats/.

Serializers check shapes only; every rule is in households.services and households.exit.services, whose
Django ValidationErrors the project's exception handler turns into 400s with Chinese field errors. Reading
is scoped by the access rule (out of scope answers 404); a role that may read but never changes a kind of
record gets 403 with a Chinese message, as in villages/api.py; which step of the exit procedure a role may
take, and in what order, is the exit procedure's answer (400 with its message).
"""

import datetime
import tempfile
from collections.abc import Mapping

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import FileResponse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.exceptions import ValidationError as DRFValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from core.access import Access, mask_phone
from core.api import (
    AccessPermission,
    ColumnsReadDirectly,
    FieldsBuiltOnce,
    FilterSet,
    IdFilter,
    ScopedPrimaryKeyRelatedField,
)
from core.audit import full_id_numbers_log, full_id_numbers_shown
from core.idnumbers import mask, normalise, validate_disability_certificate, validate_id_number
from core.jobs_api import JobRefusedSerializer, JobSerializer, job_refused
from core.rosters.exports import API, XLSX, roster_export
from households import choices, selectors, services
from households.exit.services import (
    StaleExitStep,
    exit_application_advance,
    exit_application_create,
    next_step,
)
from households.models import (
    Assessment,
    EligibilityRun,
    ExitApplication,
    ExitStep,
    Household,
    Member,
    PovertyLine,
)
from villages.models import NaturalVillage

# -- shared pieces ------------------------------------------------------------------------------------


class IdNumberField(serializers.CharField):
    """A resident ID number, shown whole only to officials within scope (DESIGN.md §4), masked otherwise."""

    def to_representation(self, value) -> str:
        value = super().to_representation(value)
        if not value:
            return value
        request = self.context.get("request")
        if request is None:  # no user to ask (a serializer used outside a view): fail closed
            return mask(value)
        access = Access.for_user(request.user)
        if access.sees_full_id_numbers:
            full_id_numbers_shown(request)  # recorded once per request by the viewset (finalize_response)
        return access.id_number(value)


class PhoneField(serializers.CharField):
    """A household's phone, whole only to officials within scope, 139****0000 otherwise (issue 11)."""

    def to_representation(self, value) -> str:
        value = super().to_representation(value)
        if not value:
            return value
        request = self.context.get("request")
        if request is None:
            return mask_phone(value)
        return Access.for_user(request.user).phone(value)


_TRANSLATED: dict[tuple, dict[str, str]] = {}


def translated_labels(field, choices) -> dict[str, str]:
    """{code: label} in the active language for a bound display field's fixed choices (code → lazy label).

    Translated once per field of a serializer class and language in a process, not per serializer or per
    row: the lazy labels' gettext was a fifth of a page of households when done per row, and a third of
    making a page's serializer when done per request. The key names the field, not its labels: a lazy
    label hashes by translating itself."""
    key = (get_language(), type(field.parent), field.field_name)
    labels = _TRANSLATED.get(key)
    if labels is None:
        labels = _TRANSLATED.setdefault(key, {code: str(label) for code, label in choices})
    return labels


@extend_schema_field(serializers.ListField(child=serializers.CharField()))
class LabelsField(serializers.Field):
    """A list of codes shown as their Chinese labels (e.g. health, other causes)."""

    def __init__(self, labels: dict, **kwargs) -> None:
        self.lazy_labels = labels
        kwargs.setdefault("read_only", True)
        super().__init__(**kwargs)

    def bind(self, field_name: str, parent) -> None:
        super().bind(field_name, parent)
        self.labels = translated_labels(self, self.lazy_labels.items())

    def to_representation(self, value) -> list[str]:
        return [self.labels.get(code, code) for code in value or []]


class DisplayField(serializers.CharField):
    """The label of the enumeration code in the model field ``source``, looked up in the field's choices.

    Not ``source="get_status_display"``: DRF inspects the signature of a callable source for every row it
    reads, and get_FOO_display hashes the value, which together cost a household list page of fifty
    households with their members some 1,300 signature inspections."""

    def __init__(self, **kwargs) -> None:
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def bind(self, field_name: str, parent) -> None:
        super().bind(field_name, parent)
        model = parent.Meta.model
        self.labels = translated_labels(self, model._meta.get_field(self.source).flatchoices)

    def to_representation(self, value) -> str:
        return self.labels.get(value, str(value))


def display(field_name: str, **kwargs) -> DisplayField:
    """The Chinese label beside an enumeration code (``status`` → ``status_display``)."""
    return DisplayField(source=field_name, **kwargs)


class _ChangeViewSetMixin:
    permission_classes = [IsAuthenticated, AccessPermission]
    change_model: type
    change_denied_message: str

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        full_id_numbers_log(request, what=f"API {request.method} {request.path}")
        return response

    def reject_unknown_fields(self, serializer_class, allowed: tuple[str, ...], why: dict | None = None):
        """DRF ignores read-only fields silently; a client changing one is told instead."""
        if not isinstance(self.request.data, Mapping):
            raise DRFValidationError({api_settings.NON_FIELD_ERRORS_KEY: [_("请求数据应为 JSON 对象。")]})
        why = why or {}
        declared = set(serializer_class().fields)
        errors = {
            name: [why.get(name, _("该字段不能在此修改。"))]
            for name in self.request.data
            if name in declared and name not in allowed
        }
        if errors:
            raise DRFValidationError(errors)


class _ChangeViewSet(
    _ChangeViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Lists and reads (scoped by get_queryset); creates and changes by POST and PATCH through the services.
    Nobody deletes: records stay on file."""

    http_method_names = ["get", "post", "patch", "head", "options"]

    def _input(self, serializer_class, **kwargs):
        """The request body read by ``serializer_class`` (400 with field errors when it does not fit)."""
        serializer = serializer_class(data=self.request.data, context=self.get_serializer_context(), **kwargs)
        serializer.is_valid(raise_exception=True)
        return serializer

    def _answer(self, record, status_code=status.HTTP_200_OK) -> Response:
        """The record as the list shows it: re-read through get_queryset, with its joins."""
        record = self.get_queryset().get(pk=record.pk)
        return Response(self.get_serializer(record).data, status=status_code)


# -- members --------------------------------------------------------------------------------------------


def _id_number_checked(value: str) -> str:
    """GB 11643 (core.idnumbers), reported on the id_number field rather than on the whole member."""
    try:
        validate_id_number(value)
    except DjangoValidationError as exc:
        raise serializers.ValidationError(exc.messages) from None
    return value


def _disability_certificate_checked(value: str) -> str:
    """残疾证号: the ID number and grade digits, checked on its first 18 (core.idnumbers); may be blank."""
    if value:
        try:
            validate_disability_certificate(value)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from None
    return value


def _field_errors(exc: DjangoValidationError) -> dict:
    errors = dict(exc.message_dict)
    if NON_FIELD_ERRORS in errors:
        errors[api_settings.NON_FIELD_ERRORS_KEY] = errors.pop(NON_FIELD_ERRORS)
    return errors


class MemberSerializer(ColumnsReadDirectly, FieldsBuiltOnce, serializers.ModelSerializer):
    id_number = IdNumberField(read_only=True, label=_("身份证号"))
    disability_certificate = IdNumberField(read_only=True, label=_("残疾证号"))
    relation_display = display("relation")
    sex_display = display("sex")
    education_display = display("education")
    school_status_display = display("school_status")
    health_display = LabelsField(dict(choices.Health.choices), source="health", label=_("健康状况（中文）"))
    labour_display = display("labour")
    migrant_work_display = display("migrant_work")
    left_reason_display = display("left_reason")
    is_current = serializers.BooleanField(read_only=True, label=_("在册"))
    # Optional on the model (blank=True): declared so that the schema's enums admit the blank they hold.
    education = serializers.ChoiceField(
        choices.Education.choices, allow_blank=True, read_only=True, label=_("文化程度")
    )
    labour = serializers.ChoiceField(
        choices.Labour.choices, allow_blank=True, read_only=True, label=_("劳动能力")
    )
    left_reason = serializers.ChoiceField(
        choices.LeaveReason.choices, allow_blank=True, read_only=True, label=_("减少原因")
    )

    class Meta:
        model = Member
        fields = [
            "id",
            "household",
            *Member.DETAIL_FIELDS,
            "left_reason",
            "left_on",
            "is_current",
            # the Chinese labels beside the codes
            "relation_display",
            "sex_display",
            "education_display",
            "school_status_display",
            "health_display",
            "labour_display",
            "migrant_work_display",
            "left_reason_display",
        ]
        read_only_fields = fields


class MemberInputSerializer(serializers.Serializer):
    """One member as given on household creation or member_add (households.services.MemberData)."""

    name = serializers.CharField(max_length=50, label=_("姓名"))
    id_number = serializers.CharField(max_length=30, label=_("身份证号"))
    relation = serializers.ChoiceField(choices.Relation.choices, label=_("与户主关系"))
    sex = serializers.ChoiceField(choices.Sex.choices, label=_("性别"))
    ethnicity = serializers.CharField(max_length=20, default="汉族", label=_("民族"))
    education = serializers.ChoiceField(
        choices.Education.choices, allow_blank=True, default="", label=_("文化程度")
    )
    school_status = serializers.ChoiceField(
        choices.SchoolStatus.choices, default=choices.SchoolStatus.NONE, label=_("在校生状况")
    )
    health = serializers.ListField(
        child=serializers.ChoiceField(choices.Health.choices),
        default=lambda: [choices.Health.HEALTHY],
        label=_("健康状况"),
    )
    labour = serializers.ChoiceField(
        choices.Labour.choices, allow_blank=True, default="", label=_("劳动能力")
    )
    migrant_work = serializers.ChoiceField(
        choices.MigrantWork.choices, default=choices.MigrantWork.NONE, label=_("务工状况")
    )
    health_insurance = serializers.BooleanField(default=True, label=_("参加基本医疗保险"))
    pension = serializers.BooleanField(default=False, label=_("参加基本养老保险"))
    disability_certificate = serializers.CharField(
        max_length=30, allow_blank=True, default="", label=_("残疾证号")
    )

    def validate_id_number(self, value: str) -> str:
        value = normalise(value)  # full-width digits, lower-case x: as the rosters accept them
        return _id_number_checked(value)

    def validate_disability_certificate(self, value: str) -> str:
        return _disability_certificate_checked(normalise(value))

    def validate(self, attrs: dict) -> dict:
        # The model's own checks (sex against the ID, one person in one household), run here so that the
        # error names the member; the service runs them again when it saves. An ID number registered
        # anywhere gets the same words ("身份证号已在登记中"), never where it is registered.
        try:
            Member(**attrs).full_clean(exclude=["household"], validate_constraints=False)
        except DjangoValidationError as exc:
            raise DRFValidationError(_field_errors(exc)) from None
        return attrs

    def member_data(self) -> services.MemberData:
        return services.MemberData(**self.validated_data)


class MemberCreateSerializer(MemberInputSerializer):
    household = ScopedPrimaryKeyRelatedField(queryset=Household.objects.all(), label=_("户"))

    def member_data(self) -> services.MemberData:
        data = dict(self.validated_data)
        data.pop("household")
        return services.MemberData(**data)


class MemberUpdateSerializer(MemberInputSerializer):
    """member_update: the member's details given (read with ``partial=True``: none is required, no default
    applies); 与户主关系 through head change, leaving through leave/. The service checks the whole member."""

    relation = None

    def validate(self, attrs: dict) -> dict:
        return attrs


class MemberLeaveSerializer(serializers.Serializer):
    # Named as the member's own fields.
    left_reason = serializers.ChoiceField(choices.LeaveReason.choices, label=_("减少原因"))
    left_on = serializers.DateField(label=_("减少日期"))
    new_head = ScopedPrimaryKeyRelatedField(
        queryset=Member.objects.all(), required=False, allow_null=True, label=_("新户主（户主减少时）")
    )


class MemberFilter(FilterSet):
    household = IdFilter(field_name="household_id", label=_("户"))
    village = IdFilter(field_name="household__village_id", label=_("行政村"))
    township = IdFilter(field_name="household__township_id", label=_("乡镇"))
    current = filters.BooleanFilter(field_name="left_reason", lookup_expr="exact", method="filter_current")
    relation = filters.ChoiceFilter(choices=choices.Relation.choices, label=_("与户主关系"))

    class Meta:
        model = Member
        fields = ["id", "household", "village", "township", "current", "relation"]

    def filter_current(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(left_reason="") if value else queryset.exclude(left_reason="")


MEMBER_CHANGE_WHY = {"relation": _("与户主关系通过户主变更修改（POST /api/v1/households/{id}/head/）。")}


@extend_schema_view(
    create=extend_schema(request=MemberCreateSerializer, responses={201: MemberSerializer}),
    partial_update=extend_schema(request=MemberUpdateSerializer, responses=MemberSerializer),
    leave=extend_schema(request=MemberLeaveSerializer, responses=MemberSerializer),
)
class MemberViewSet(_ChangeViewSet):
    """家庭成员. Members are added, corrected and leave (减少); nobody deletes one: they stay on record."""

    serializer_class = MemberSerializer
    filterset_class = MemberFilter
    change_model = Member
    change_denied_message = _("您无权修改家庭成员。")

    def get_queryset(self):
        return selectors.member_list(access=Access.for_user(self.request.user))

    def create(self, request, *args, **kwargs):
        serializer = self._input(MemberCreateSerializer)
        member = services.member_add(
            household=serializer.validated_data["household"], user=request.user, data=serializer.member_data()
        )
        return Response(self.get_serializer(member).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        member = self.get_object()
        self.reject_unknown_fields(MemberSerializer, services.MEMBER_EDITABLE, MEMBER_CHANGE_WHY)
        serializer = self._input(MemberUpdateSerializer, partial=True)
        member = services.member_update(member=member, user=request.user, **serializer.validated_data)
        return Response(self.get_serializer(member).data)

    @action(detail=True, methods=["post"])
    def leave(self, request, pk=None):
        """成员减少 (死亡 / 婚出 / 迁出 / 其他): kept on record, no longer counted."""
        member = self.get_object()
        serializer = self._input(MemberLeaveSerializer)
        data = serializer.validated_data
        member = services.member_leave(
            member=member,
            reason=data["left_reason"],
            on=data["left_on"],
            user=request.user,
            new_head=data.get("new_head"),
        )
        return Response(self.get_serializer(member).data)


# -- households -----------------------------------------------------------------------------------------


class HouseholdSerializer(ColumnsReadDirectly, FieldsBuiltOnce, serializers.ModelSerializer):
    natural_village_name = serializers.CharField(source="natural_village.name", read_only=True)
    village_name = serializers.CharField(source="village.name", read_only=True)
    township_name = serializers.CharField(source="township.name", read_only=True)
    attribute_display = display("attribute")
    main_cause_display = display("main_cause")
    other_causes_display = LabelsField(dict(choices.Cause.choices), source="other_causes")
    status_display = display("status")
    member_count = serializers.SerializerMethodField(label=_("在册人口"))
    members = MemberSerializer(many=True, read_only=True)
    phone = PhoneField(read_only=True, label=_("联系电话"))

    class Meta:
        model = Household
        fields = [
            "id",
            "household_number",
            "natural_village",
            "natural_village_name",
            "village",
            "village_name",
            "township",
            "township_name",
            "head_name",
            "attribute",
            "attribute_display",
            "main_cause",
            "main_cause_display",
            "other_causes",
            "other_causes_display",
            "identified_year",
            "phone",
            "status",
            "status_display",
            "exit_year",
            "removed_reason",
            "eligible",
            "eligibility_year",
            "eligibility_reasons",
            "needs_return_review",
            "member_count",
            "members",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_member_count(self, household: Household) -> int:
        # Counted from the prefetched members: no query per row.
        return sum(1 for m in household.members.all() if m.is_current)


class CausesField(serializers.ListField):
    """Other causes: codes of 主要致贫原因. Checked here rather than as an enum, so that the schema does not
    give the one choice set two names (main_cause and other_causes)."""

    child = serializers.CharField()
    default_help = "，".join(f"{code} = {label}" for code, label in choices.Cause.choices)

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("help_text", self.default_help)
        super().__init__(**kwargs)

    def to_internal_value(self, data) -> list[str]:
        codes = super().to_internal_value(data)
        unknown = [c for c in codes if c not in choices.Cause.values]
        if unknown:
            raise serializers.ValidationError(
                _("致贫原因取值无效: {values}").format(values="、".join(unknown))
            )
        return list(dict.fromkeys(codes))


class HouseholdCreateSerializer(serializers.Serializer):
    household_number = serializers.CharField(max_length=30, label=_("户编号"))
    natural_village = ScopedPrimaryKeyRelatedField(queryset=NaturalVillage.objects.all(), label=_("自然村"))
    attribute = serializers.ChoiceField(choices.Attribute.choices, label=_("贫困户属性"))
    main_cause = serializers.ChoiceField(choices.Cause.choices, label=_("主要致贫原因"))
    other_causes = CausesField(default=list, label=_("其他致贫原因"))
    identified_year = serializers.IntegerField(min_value=2013, max_value=2100, label=_("识别年度"))
    phone = serializers.CharField(max_length=20, allow_blank=True, default="", label=_("联系电话"))
    members = MemberInputSerializer(many=True, allow_empty=False, label=_("家庭成员"))

    def validate_household_number(self, value: str) -> str:
        # Whether the number is taken is households.services' answer, in words that reveal no other scope.
        return value.strip()

    def validate_members(self, members: list[dict]) -> list[dict]:
        seen: set[str] = set()
        for m in members:
            if m["id_number"] in seen:
                raise serializers.ValidationError(
                    _("身份证号 {id_number} 在本户中重复。").format(id_number=m["id_number"])
                )
            seen.add(m["id_number"])
        return members


class HouseholdUpdateSerializer(serializers.Serializer):
    natural_village = ScopedPrimaryKeyRelatedField(
        queryset=NaturalVillage.objects.all(), required=False, label=_("自然村")
    )
    attribute = serializers.ChoiceField(choices.Attribute.choices, required=False)
    main_cause = serializers.ChoiceField(choices.Cause.choices, required=False)
    other_causes = CausesField(required=False, label=_("其他致贫原因"))
    identified_year = serializers.IntegerField(min_value=2013, max_value=2100, required=False)
    phone = serializers.CharField(max_length=20, allow_blank=True, required=False)


class HouseholdRemoveSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200, label=_("清退原因"))


class HeadChangeSerializer(serializers.Serializer):
    new_head = ScopedPrimaryKeyRelatedField(queryset=Member.objects.all(), label=_("新户主"))
    # Never 户主 again (the service refuses it too); a set of its own in the schema as well.
    old_head_relation = serializers.ChoiceField(
        [(code, label) for code, label in choices.Relation.choices if code != choices.Relation.HEAD],
        default=choices.Relation.SPOUSE,
        label=_("原户主的新关系"),
    )


class EligibleFilter(filters.ChoiceFilter):
    """eligible=true | false | null (not yet computed)."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs["choices"] = [("true", _("符合")), ("false", _("不符合")), ("null", _("未评估"))]
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if value in ("", None):
            return qs
        if value == "null":
            return qs.filter(eligible__isnull=True)
        return qs.filter(eligible=value == "true")


class HouseholdFilter(FilterSet):
    township = IdFilter(field_name="township_id", label=_("乡镇"))
    village = IdFilter(field_name="village_id", label=_("行政村"))
    natural_village = IdFilter(field_name="natural_village_id", label=_("自然村"))
    status = filters.ChoiceFilter(choices=choices.Status.choices, label=_("贫困户状态"))
    attribute = filters.ChoiceFilter(choices=choices.Attribute.choices, label=_("贫困户属性"))
    cause = filters.ChoiceFilter(
        field_name="main_cause", choices=choices.Cause.choices, label=_("主要致贫原因")
    )
    eligible = EligibleFilter(label=_("符合脱贫条件（true / false / null）"))
    identified_year = filters.NumberFilter(label=_("识别年度"))
    exit_year = filters.NumberFilter(label=_("脱贫年度"))
    needs_return_review = filters.BooleanFilter(label=_("待返贫核实"))
    q = filters.CharFilter(method="search", label=_("户主姓名、拼音首字母、户编号或身份证号"))

    class Meta:
        model = Household
        fields = ["id", "township", "village", "natural_village", "status", "attribute", "cause", "eligible"]

    def search(self, queryset, name, value):
        # The same search as the household pages: each branch an indexed match (prefix or exact).
        return queryset.filter(selectors.household_search_q(value))


HOUSEHOLD_CHANGE_WHY = {
    "status": _("贫困户状态只能通过脱贫程序、返贫核实或清退改变。"),
    "exit_year": _("脱贫年度由县审批认定写入。"),
    "household_number": _("户编号不能修改。"),
    "members": _("家庭成员通过 /api/v1/members/ 增减和修改。"),
    "eligible": _("脱贫条件由系统根据年度收入与保障情况判定。"),
    "eligibility_reasons": _("脱贫条件由系统根据年度收入与保障情况判定。"),
}


@extend_schema_view(
    create=extend_schema(request=HouseholdCreateSerializer, responses={201: HouseholdSerializer}),
    partial_update=extend_schema(request=HouseholdUpdateSerializer, responses=HouseholdSerializer),
    remove=extend_schema(request=HouseholdRemoveSerializer, responses=HouseholdSerializer),
    head=extend_schema(request=HeadChangeSerializer, responses=HouseholdSerializer),
)
class HouseholdViewSet(_ChangeViewSet):
    """建档立卡贫困户, members nested. Nobody deletes one: a wrongly registered household is 清退 (remove/)."""

    serializer_class = HouseholdSerializer
    filterset_class = HouseholdFilter
    change_model = Household
    change_denied_message = _("您无权修改贫困户信息。")

    def get_queryset(self):
        return selectors.household_list_with_members(access=Access.for_user(self.request.user))

    def create(self, request, *args, **kwargs):
        serializer = self._input(HouseholdCreateSerializer)
        data = dict(serializer.validated_data)
        place = data["natural_village"]
        if not Access.for_user(request.user).can_change_in(
            Household, township_id=place.village.township_id, village_id=place.village_id
        ):
            raise PermissionDenied(self.change_denied_message)
        members = [services.MemberData(**m) for m in data.pop("members")]
        household = services.household_create(members=members, user=request.user, **data)
        return self._answer(household, status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        household = self.get_object()
        self.reject_unknown_fields(HouseholdSerializer, services.HOUSEHOLD_EDITABLE, HOUSEHOLD_CHANGE_WHY)
        serializer = self._input(HouseholdUpdateSerializer)
        services.household_update(household=household, user=request.user, **serializer.validated_data)
        return self._answer(household)

    @action(detail=True, methods=["post"])
    def remove(self, request, pk=None):
        """清退: wrongly registered; the record stays and counts nowhere."""
        household = self.get_object()
        serializer = self._input(HouseholdRemoveSerializer)
        services.household_remove(household=household, user=request.user, **serializer.validated_data)
        return self._answer(household)

    @action(detail=True, methods=["post"])
    def head(self, request, pk=None):
        """户主变更: the new head is a current member; the old head takes the given relation."""
        household = self.get_object()
        serializer = self._input(HeadChangeSerializer)
        services.head_change(household=household, user=request.user, **serializer.validated_data)
        return self._answer(household)


# -- assessments (nested under a household) ------------------------------------------------------------


class AssessmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Assessment
        fields = [
            "id",
            "household",
            "year",
            *services.INCOME_FIELDS,
            *Assessment.SECURITY_FIELDS,
            "member_count",
            "per_capita_net_income",
            "poverty_line",
            "eligible",
            "eligibility_reasons",
            "recorded_at",
            "decided_at",
        ]
        read_only_fields = fields


def _money(label: str) -> serializers.DecimalField:
    # No lower bound here: the service refuses negative amounts with a message naming the field.
    return serializers.DecimalField(max_digits=12, decimal_places=2, required=False, label=label)


class AssessmentInputSerializer(serializers.Serializer):
    year = serializers.IntegerField(min_value=2000, max_value=2100, label=_("年度"))
    wage_income = _money(_("工资性收入"))
    operating_income = _money(_("生产经营性收入"))
    property_income = _money(_("财产性收入"))
    transfer_income = _money(_("转移性收入"))
    operating_expense = _money(_("生产经营性支出"))
    food_secure = serializers.BooleanField(required=False, label=_("不愁吃"))
    clothing_secure = serializers.BooleanField(required=False, label=_("不愁穿"))
    education_secure = serializers.BooleanField(required=False, label=_("义务教育有保障"))
    medical_secure = serializers.BooleanField(required=False, label=_("基本医疗有保障"))
    housing_secure = serializers.BooleanField(required=False, label=_("住房安全有保障"))
    water_secure = serializers.BooleanField(required=False, label=_("饮水安全有保障"))


class AssessmentPatchSerializer(AssessmentInputSerializer):
    year = None  # the year is in the URL


class AssessmentFilter(FilterSet):
    year = filters.NumberFilter(label=_("年度"))
    eligible = EligibleFilter(label=_("符合脱贫条件（true / false / null）"))

    class Meta:
        model = Assessment
        fields = ["id", "year", "eligible"]


HOUSEHOLD_PK = OpenApiParameter(
    "household_pk", OpenApiTypes.INT, OpenApiParameter.PATH, description=_("户 ID")
)
YEAR = OpenApiParameter("year", OpenApiTypes.INT, OpenApiParameter.PATH, description=_("年度"))


@extend_schema_view(
    list=extend_schema(parameters=[HOUSEHOLD_PK]),
    retrieve=extend_schema(parameters=[HOUSEHOLD_PK, YEAR]),
    create=extend_schema(
        parameters=[HOUSEHOLD_PK],
        request=AssessmentInputSerializer,
        responses={200: AssessmentSerializer, 201: AssessmentSerializer},
    ),
    partial_update=extend_schema(
        parameters=[HOUSEHOLD_PK, YEAR], request=AssessmentPatchSerializer, responses=AssessmentSerializer
    ),
)
class AssessmentViewSet(_ChangeViewSet):
    """年度收入与保障情况 of one household, one per year: POST records a year (or corrects it), PATCH corrects
    some fields of a year. The household's eligibility is decided at once."""

    serializer_class = AssessmentSerializer
    filterset_class = AssessmentFilter
    change_model = Assessment
    change_denied_message = _("您无权填报年度收入与保障情况。")
    lookup_field = "year"

    def household(self) -> Household:
        # Out-of-scope households answer 404 on every nested URL.
        if not hasattr(self, "_household"):
            self._household = Access.for_user(self.request.user).get_or_404(
                Household.objects.select_related("township__county"), pk=self.kwargs["household_pk"]
            )
        return self._household

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no household in the URL
            return Assessment.objects.none()
        return selectors.assessment_list(
            access=Access.for_user(self.request.user), household=self.household()
        )

    def create(self, request, *args, **kwargs):
        household = self.household()
        serializer = self._input(AssessmentInputSerializer)
        values = dict(serializer.validated_data)
        year = values.pop("year")
        existed = household.assessments.filter(year=year).exists()
        assessment = services.assessment_record(household=household, year=year, user=request.user, **values)
        code = status.HTTP_200_OK if existed else status.HTTP_201_CREATED
        return Response(self.get_serializer(assessment).data, status=code)

    def partial_update(self, request, *args, **kwargs):
        assessment = self.get_object()
        serializer = self._input(AssessmentPatchSerializer)
        fields = (*services.INCOME_FIELDS, *Assessment.SECURITY_FIELDS)
        values = {f: getattr(assessment, f) for f in fields} | serializer.validated_data
        assessment = services.assessment_record(
            household=self.household(), year=assessment.year, user=request.user, **values
        )
        return Response(self.get_serializer(assessment).data)


# -- poverty lines --------------------------------------------------------------------------------------


class PovertyLineSerializer(serializers.ModelSerializer):
    class Meta:
        model = PovertyLine
        fields = ["id", "year", "amount", "region_code", "note"]
        read_only_fields = fields


class PovertyLineInputSerializer(serializers.Serializer):
    year = serializers.IntegerField(label=_("年度"))
    amount = serializers.DecimalField(max_digits=10, decimal_places=2, label=_("标准（元/人·年）"))
    region_code = serializers.RegexField(
        r"^(\d{6})?$",
        max_length=6,
        allow_blank=True,
        default="",
        label=_("适用地区代码"),
        error_messages={"invalid": _("地区代码应为 6 位数字，国家标准留空。")},
    )


class PovertyLineAmountSerializer(serializers.Serializer):
    amount = serializers.DecimalField(max_digits=10, decimal_places=2, label=_("标准（元/人·年）"))


class PovertyLineSetSerializer(PovertyLineSerializer):
    """The line as set, and the recompute job it started (null when the amount did not change)."""

    job = serializers.IntegerField(allow_null=True, read_only=True, label=_("重算任务"))

    class Meta(PovertyLineSerializer.Meta):
        fields = [*PovertyLineSerializer.Meta.fields, "job"]
        read_only_fields = fields


class PovertyLineFilter(FilterSet):
    year = filters.NumberFilter(label=_("年度"))
    region_code = filters.CharFilter(label=_("适用地区代码（空 = 国家标准）"))

    class Meta:
        model = PovertyLine
        fields = ["id", "year", "region_code"]


@extend_schema_view(
    create=extend_schema(request=PovertyLineInputSerializer, responses={201: PovertyLineSetSerializer}),
    partial_update=extend_schema(request=PovertyLineAmountSerializer, responses=PovertyLineSetSerializer),
)
class PovertyLineViewSet(_ChangeViewSet):
    """国家扶贫标准 per year (and local lines): everyone reads; county admins set them, which starts a recompute
    of every household's eligibility."""

    serializer_class = PovertyLineSerializer
    filterset_class = PovertyLineFilter
    change_model = PovertyLine
    change_denied_message = _("只有县扶贫办管理员可以设定扶贫标准。")

    def get_queryset(self):
        return selectors.poverty_line_list(access=Access.for_user(self.request.user))

    def _set(self, *, year: int, amount, region_code: str) -> Response:
        change = services.poverty_line_set(
            year=year, amount=amount, region_code=region_code, user=self.request.user
        )
        change.line.job = change.job.pk if change.job is not None else None
        status_code = status.HTTP_201_CREATED if change.created else status.HTTP_200_OK
        return Response(PovertyLineSetSerializer(change.line).data, status=status_code)

    def create(self, request, *args, **kwargs):
        serializer = self._input(PovertyLineInputSerializer)
        return self._set(**serializer.validated_data)

    def partial_update(self, request, *args, **kwargs):
        line = self.get_object()
        self.reject_unknown_fields(
            PovertyLineSerializer, ("amount",), {"year": _("年度不能修改；请新设该年度的标准。")}
        )
        serializer = self._input(PovertyLineAmountSerializer)
        return self._set(
            year=line.year, amount=serializer.validated_data["amount"], region_code=line.region_code
        )


# -- exit applications ----------------------------------------------------------------------------------


class ExitStepSerializer(serializers.ModelSerializer):
    # A plain string in the schema: as an enum it would give the application's state set a second name.
    state = serializers.CharField(
        read_only=True,
        label=_("步骤"),
        help_text="，".join(f"{c} = {v}" for c, v in choices.ExitState.choices),
    )
    state_display = display("state")
    decision_display = display("decision")
    actor_name = serializers.SerializerMethodField(label=_("办理人"))
    actor_role = serializers.CharField(source="actor.role", read_only=True, label=_("办理人角色"))

    class Meta:
        model = ExitStep
        fields = [
            "id",
            "state",
            "state_display",
            "decision",
            "decision_display",
            "comment",
            "actor",
            "actor_name",
            "actor_role",
            "acted_at",
        ]
        read_only_fields = fields

    def get_actor_name(self, step: ExitStep) -> str:
        return step.actor.get_full_name() or step.actor.username


class ExitApplicationSerializer(serializers.ModelSerializer):
    household_number = serializers.CharField(source="household.household_number", read_only=True)
    head_name = serializers.CharField(source="household.head_name", read_only=True)
    village = serializers.IntegerField(source="household.village_id", read_only=True, label=_("行政村"))
    township = serializers.IntegerField(source="household.township_id", read_only=True, label=_("乡镇"))
    state_display = display("state")
    next_step = serializers.SerializerMethodField(label=_("下一步"))
    next_step_role = serializers.SerializerMethodField(label=_("下一步办理角色"))
    steps = ExitStepSerializer(many=True, read_only=True)

    class Meta:
        model = ExitApplication
        fields = [
            "id",
            "household",
            "household_number",
            "head_name",
            "village",
            "township",
            "year",
            "state",
            "state_display",
            "notice_ends_on",
            "next_step",
            "next_step_role",
            "steps",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_next_step(self, application: ExitApplication) -> str | None:
        step = next_step(application)
        return step.label if step else None

    def get_next_step_role(self, application: ExitApplication) -> str | None:
        step = next_step(application)
        return str(step.role) if step else None


class ExitApplicationCreateSerializer(serializers.Serializer):
    household = ScopedPrimaryKeyRelatedField(queryset=Household.objects.all(), label=_("户"))
    year = serializers.IntegerField(min_value=2014, max_value=2100, label=_("脱贫年度"))
    comment = serializers.CharField(allow_blank=True, default="", label=_("意见"))


class ExitAdvanceSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(
        choices.Decision.choices,
        label=_("决定"),
        error_messages={"invalid_choice": _("决定应为 approve（同意）或 reject（不同意）。")},
    )
    comment = serializers.CharField(
        allow_blank=True,
        default="",
        max_length=2000,
        label=_("意见（退回时必填）"),
        error_messages={"max_length": _("意见不能超过 {max_length} 字。")},
    )
    step = serializers.CharField(
        required=False,
        max_length=32,
        label=_("所办理的状态（申请当前的 state；已变化时答 409，不办理）"),
    )


class ExitStaleSerializer(serializers.Serializer):
    detail = serializers.CharField()


class ExitApplicationFilter(FilterSet):
    household = IdFilter(field_name="household_id", label=_("户"))
    village = IdFilter(field_name="household__village_id", label=_("行政村"))
    township = IdFilter(field_name="household__township_id", label=_("乡镇"))
    state = filters.ChoiceFilter(choices=choices.ExitState.choices, label=_("状态"))
    year = filters.NumberFilter(label=_("脱贫年度"))

    class Meta:
        model = ExitApplication
        fields = ["id", "household", "village", "township", "state", "year"]


@extend_schema_view(
    create=extend_schema(request=ExitApplicationCreateSerializer, responses={201: ExitApplicationSerializer}),
    advance=extend_schema(request=ExitAdvanceSerializer, responses=ExitApplicationSerializer),
)
class ExitApplicationViewSet(_ChangeViewSet):
    """脱贫申请: 申请 → 村委会确定 → 民主评议 → 乡镇复核 → 县审批. POST …/{id}/advance/ takes the next step."""

    serializer_class = ExitApplicationSerializer
    filterset_class = ExitApplicationFilter
    change_model = ExitApplication
    change_denied_message = _("您无权办理脱贫申请。")

    def get_queryset(self):
        return selectors.exit_application_list(access=Access.for_user(self.request.user))

    def create(self, request, *args, **kwargs):
        serializer = self._input(ExitApplicationCreateSerializer)
        application = exit_application_create(user=request.user, **serializer.validated_data)
        return self._answer(application, status.HTTP_201_CREATED)

    @extend_schema(
        request=ExitAdvanceSerializer, responses={200: ExitApplicationSerializer, 409: ExitStaleSerializer}
    )
    @action(detail=True, methods=["post"])
    def advance(self, request, pk=None):
        """Approve moves the application to its next step; reject (with a reason) ends it."""
        application = self.get_object()
        serializer = self._input(ExitAdvanceSerializer)
        try:
            application = exit_application_advance(
                application=application, user=request.user, **serializer.validated_data
            )
        except StaleExitStep as stale:
            return Response({"detail": stale.messages[0]}, status=status.HTTP_409_CONFLICT)
        return self._answer(application)


# -- stats ----------------------------------------------------------------------------------------------


class StatsQuerySerializer(serializers.Serializer):
    township = serializers.IntegerField(required=False, min_value=1, label=_("乡镇"))
    village = serializers.IntegerField(required=False, min_value=1, label=_("行政村"))

    def validate(self, attrs: dict) -> dict:
        if "township" in attrs and "village" in attrs:
            raise serializers.ValidationError(_("township 与 village 只能指定其一。"))
        return attrs


class StatsSerializer(serializers.Serializer):
    name = serializers.CharField(label=_("单位"))
    population = serializers.IntegerField(allow_null=True, label=_("户籍农业人口"))
    households = serializers.IntegerField(label=_("户数"))
    persons = serializers.IntegerField(label=_("人数"))
    poor_households = serializers.IntegerField(label=_("贫困户数（未脱贫 + 返贫）"))
    poor_persons = serializers.IntegerField(label=_("贫困人口"))
    exited_households = serializers.IntegerField(label=_("已脱贫户数"))
    exited_persons = serializers.IntegerField(label=_("已脱贫人口"))
    incidence = serializers.FloatField(label=_("贫困发生率（小数，0.031 = 3.1%）"))


class StatsView(APIView):
    """The figures of the county (no parameter), a township or an administrative village, in the user's scope."""

    @extend_schema(
        parameters=[
            OpenApiParameter("township", OpenApiTypes.INT, description=_("乡镇 ID")),
            OpenApiParameter("village", OpenApiTypes.INT, description=_("行政村 ID")),
        ],
        responses=StatsSerializer,
    )
    def get(self, request):
        query = StatsQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        figures = selectors.scope_figures(
            access=Access.for_user(request.user),
            township_id=query.validated_data.get("township"),
            village_id=query.validated_data.get("village"),
        )
        body = {"name": figures.name, "population": figures.population, **figures.as_stats()}
        return Response(StatsSerializer(body).data)


__all__ = [
    "AssessmentViewSet",
    "ExitApplicationViewSet",
    "HouseholdViewSet",
    "MemberViewSet",
    "PovertyLineViewSet",
    "StatsView",
]


class EligibilityRecomputeView(APIView):
    """Recompute every household's exit eligibility now (county admins). Answers the job to follow."""

    @extend_schema(request=None, responses={202: JobSerializer, 503: JobRefusedSerializer})
    def post(self, request):
        if not Access.for_user(request.user).may_recompute_eligibility:
            raise PermissionDenied(_("只有县扶贫办管理员可以重算脱贫条件。"))
        job = services.eligibility_recompute_enqueue(trigger=EligibilityRun.Trigger.MANUAL, user=request.user)
        # With no broker the task has already run (inline, after commit): answer the job as it is now.
        return job_refused(job) or Response(JobSerializer(job).data, status=status.HTTP_202_ACCEPTED)


class HouseholdExportView(APIView):
    """The households the filters select (as households/ takes them), as a roster .xlsx in the import
    layout. ID numbers are masked for users who may not see them whole."""

    @extend_schema(
        parameters=[
            OpenApiParameter(name, OpenApiTypes.STR, required=False)
            for name in (
                "township",
                "village",
                "natural_village",
                "status",
                "attribute",
                "cause",
                "eligible",
                "q",
            )
        ],
        responses={
            (200, XLSX): OpenApiTypes.BINARY,
            # field errors of the filters ({"status": [...]}), or {"detail": ...}
            400: OpenApiTypes.OBJECT,
        },
    )
    def get(self, request):
        filters = request.query_params.dict()
        for name in ("page", "page_size", "format"):
            filters.pop(name, None)
        check = HouseholdFilter(data=filters, queryset=Household.objects.none())
        if not check.is_valid():
            raise DRFValidationError(check.errors)
        # The export applies the same filters again, inside the user's access.
        stream = tempfile.TemporaryFile()  # memory stays flat; FileResponse streams and closes it
        roster_export(user=request.user, roster="households", filters=filters, dialect=API, stream=stream)
        stream.seek(0)
        return FileResponse(
            stream,
            as_attachment=True,
            filename=f"贫困户花名册-{datetime.date.today():%Y%m%d}.xlsx",
            content_type=XLSX,
        )
