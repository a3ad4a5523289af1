"""Shared API plumbing: pagination, an exception handler that never lets a 500 out for bad input, the one
permission class, id filters, and foreign keys limited to what the user sees."""

import copy

from django import forms
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, InterfaceError, OperationalError
from django.http import Http404
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django_filters import rest_framework as filters
from rest_framework import exceptions, serializers, status
from rest_framework.fields import SkipField
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.relations import PKOnlyObject, PrimaryKeyRelatedField
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from core.access import Access, mask_phone

_FIELD_PROTOTYPES: dict[tuple[type, str | None], dict] = {}


class FieldsBuiltOnce:
    """For a ModelSerializer whose fields follow from its class alone, never from the request.

    DRF derives a ModelSerializer's fields from the model for every instance: it reads the model's
    fields, translates their verbose names and builds their validators, for each request (a household's
    with its members' took 2 of the 6 ms of making a page's serializer). Here they are derived once per
    class and language, and each instance gets a deep copy to bind to itself, as DRF does with the
    fields a serializer declares. What a field shows still depends on the request (masking reads the
    bound serializer's context).
    """

    def get_fields(self):
        key = (type(self), get_language())
        prototypes = _FIELD_PROTOTYPES.get(key)
        if prototypes is None:
            prototypes = _FIELD_PROTOTYPES.setdefault(key, super().get_fields())
        return copy.deepcopy(prototypes)


class ColumnsReadDirectly:
    """For a ModelSerializer that shows rows: the fields that show a column of its model as it is stored
    are read with one ``getattr`` each, not through DRF's ``Field.get_attribute``.

    DRF reads every field of every row through a general path (dotted sources, mappings, callables, a
    foreign key wrapped as a ``PKOnlyObject``): a page of fifty households with their members was some
    6,000 such reads, a quarter of answering the request. A field whose source is one concrete column of
    the model reads the column; a foreign key shown as its id (``PrimaryKeyRelatedField``) reads the id
    column. Every other field (nested serializers, dotted sources, properties, method fields) is read the
    DRF way. What a field makes of the value (its ``to_representation``: masking, labels, dates) is
    unchanged, and so is the answer: a test compares it with DRF's own for every serializer that uses this.
    """

    def _read_plan(self) -> list[tuple]:
        """(name, field, column to read or None, whether that column is a foreign key's id) per field.
        Made once per serializer instance: a list's rows share one child serializer."""
        plan = self.__dict__.get("_read_plan_made")
        if plan is None:
            columns = {f.name: f for f in self.Meta.model._meta.concrete_fields}
            plan = []
            for field in self._readable_fields:
                column = columns.get(field.source) if len(field.source_attrs) == 1 else None
                is_key = column is not None and column.is_relation
                if is_key and not (type(field) is PrimaryKeyRelatedField and field.pk_field is None):
                    column = None  # a related object shown some other way: DRF's path
                plan.append((field.field_name, field, column.attname if column else None, is_key))
            self.__dict__["_read_plan_made"] = plan
        return plan

    def to_representation(self, instance):
        row = {}
        for name, field, attname, is_key in self._read_plan():
            if attname is not None:
                value = getattr(instance, attname)
                # A foreign key's representation is its id (PrimaryKeyRelatedField answers value.pk).
                row[name] = value if value is None or is_key else field.to_representation(value)
                continue
            try:  # as DRF's Serializer.to_representation
                value = field.get_attribute(instance)
            except SkipField:
                continue
            plain = value.pk if isinstance(value, PKOnlyObject) else value
            row[name] = None if plain is None else field.to_representation(value)
        return row


class Pagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
        if "__all__" in detail:  # model-wide checks: DRF's name for errors not tied to one field
            detail["non_field_errors"] = detail.pop("__all__")
        exc = exceptions.ValidationError(detail)
    elif isinstance(exc, IntegrityError):
        return Response(
            {"detail": _("数据与已有记录冲突（唯一性或约束检查未通过）。")},
            status=status.HTTP_400_BAD_REQUEST,
        )
    elif isinstance(exc, OperationalError | InterfaceError):
        # The database connection was lost (restarted, or its backend terminated): the open transaction is
        # rolled back, and Django drops the broken connection at the end of the request, so the next one
        # reconnects.
        return Response(
            {"detail": "数据库连接中断，本次请求未完成，请稍后重试。"},
            status=status.HTTP_503_SERVICE_UNAVAILABLE,
        )
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound(_("未找到。"))
    return drf_exception_handler(exc, context)


class AccessPermission(BasePermission):
    """The permission of every viewset, asked of the access rule (DESIGN.md §4).

    Reading is decided by the queryset (``Access.visible``: out of scope answers 404, never 403). A write
    asks of the kind of record the viewset declares as ``change_model``: creating one, ``may_create_model``;
    any other write, ``may_change_model``. A record written asks ``can_change``. ``change_model = None``
    leaves the role to the record and the service (a cadre records revisits; the service checks the
    pairing). ``change_denied_message`` is what a 403 says. The service checks the scope of each write again.
    """

    message = gettext_lazy("您无权修改该记录。")

    def has_permission(self, request, view) -> bool:
        if request.method in SAFE_METHODS:
            return True
        model = getattr(view, "change_model", None)
        if model is None:
            return True
        access = Access.for_user(request.user)
        if getattr(view, "action", None) == "create":
            return access.may_create_model(model) or self._denied(view)
        return access.may_change_model(model) or self._denied(view)

    def has_object_permission(self, request, view, obj) -> bool:
        if request.method in SAFE_METHODS:
            return True
        return Access.for_user(request.user).can_change(obj) or self._denied(view)

    def _denied(self, view) -> bool:
        self.message = getattr(view, "change_denied_message", self.message)
        return False


class ScopedPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """A foreign key that accepts only records the user sees: an out-of-scope id reads as nonexistent."""

    def get_queryset(self):
        queryset = super().get_queryset()
        request = self.context.get("request")
        if request is None:
            return queryset.none()
        return Access.for_user(request.user).visible(queryset)


class MaskedPhonesMixin:
    """A serializer whose ``masked_phone_fields`` are answered as the user may see them (issue 11): whole
    for an official in scope, ``139****0000`` otherwise (``Access.phone``). Input is not touched."""

    masked_phone_fields: tuple[str, ...] = ("phone",)

    def to_representation(self, instance):
        data = super().to_representation(instance)
        request = self.context.get("request")
        access = Access.for_user(request.user) if request is not None else None
        for name in self.masked_phone_fields:
            if data.get(name):
                data[name] = access.phone(data[name]) if access is not None else mask_phone(data[name])
        return data


class IdFilter(filters.NumberFilter):
    """A whole-number id; "3.5" is refused rather than rounded."""

    field_class = forms.IntegerField


class IdInFilter(filters.BaseInFilter, IdFilter):
    """?id=3 or ?id=3,4,5"""


class FilterSet(filters.FilterSet):
    """The base of every list's filters: each filters by id (DESIGN.md §7), ?id=3 or ?id=3,4,5."""

    id = IdInFilter(field_name="id", label=gettext_lazy("ID（多个用逗号分隔）"))
