"""Roster import and export API (DESIGN.md §7): imports/ (multipart ``file``, ``dry_run``, ``roster``),
imports/{id}/commit/. The households export (exports/households/) is the households app's.

An import answers its record with ``result`` (created / updated / unchanged / errors) and, when it runs as
a background job, ``job`` to follow at jobs/{id}/. A file with errors answers 400 with the errors in
Chinese, never a 500. Someone else's import answers 404 (county admins see all, commit only their own).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from core.access import Access
from core.api import FilterSet
from core.audit import access_log_record
from core.jobs_api import JobRefusedSerializer, JobSerializer, job_refused
from core.models import AccessLog, ImportRecord
from core.rosters.exports import XLSX
from core.rosters.imports import import_result, roster_import, roster_import_commit
from core.rosters.views import error_file_response


class ImportRecordSerializer(serializers.ModelSerializer):
    state_display = serializers.CharField(source="get_state_display", read_only=True)
    job = JobSerializer(read_only=True)
    result = serializers.SerializerMethodField()
    created_by_name = serializers.CharField(source="created_by.username", read_only=True)
    has_error_file = serializers.SerializerMethodField()

    class Meta:
        model = ImportRecord
        fields = [
            "id",
            "roster",
            "original_name",
            "state",
            "state_display",
            "dry_run",
            "result",
            "job",
            "has_error_file",
            "created_by",
            "created_by_name",
            "created_at",
            "committed_at",
        ]
        read_only_fields = fields

    def get_result(self, record) -> dict:
        return import_result(record)

    def get_has_error_file(self, record) -> bool:
        return bool(record.error_file)


class ImportUploadSerializer(serializers.Serializer):
    file = serializers.FileField(
        error_messages={
            "required": gettext_lazy("请上传花名册文件（file）。"),
            "empty": gettext_lazy("上传的文件是空的。"),
        }
    )
    dry_run = serializers.BooleanField(default=True, help_text=gettext_lazy("仅校验，不写入（默认 true）"))
    roster = serializers.CharField(default="households", help_text=gettext_lazy("花名册（默认 households）"))


def _answer(record: ImportRecord, created: bool = False) -> Response:
    """201/200 when checked or imported, 202 while a job runs, 400 when the file has errors, 503 when the
    job could not be queued (the file is kept; its commit may be tried again)."""
    refused = job_refused(record.job)
    if refused is not None:
        return refused
    record.refresh_from_db()
    data = ImportRecordSerializer(record).data
    if record.state == ImportRecord.State.FAILED:
        count = len(record.errors or [])
        data["detail"] = _("文件有 {count} 处错误，未写入任何数据。").format(count=count)
        return Response(data, status=status.HTTP_400_BAD_REQUEST)
    if record.state == ImportRecord.State.UPLOADED:
        return Response(data, status=status.HTTP_202_ACCEPTED)
    return Response(data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class ImportRecordFilter(FilterSet):
    roster = filters.CharFilter(label=gettext_lazy("花名册"))
    state = filters.ChoiceFilter(choices=ImportRecord.State.choices, label=gettext_lazy("状态"))

    class Meta:
        model = ImportRecord
        fields = ["id", "roster", "state"]


class ImportRecordViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """花名册导入: upload (dry run by default), follow, commit."""

    serializer_class = ImportRecordSerializer
    filterset_class = ImportRecordFilter
    parser_classes = [MultiPartParser, FormParser]

    def get_queryset(self):
        return Access.for_user(self.request.user).visible(
            ImportRecord.objects.select_related("job", "created_by").order_by("-created_at", "-id")
        )

    @extend_schema(
        request={"multipart/form-data": ImportUploadSerializer},
        responses={
            201: ImportRecordSerializer,
            202: ImportRecordSerializer,
            400: OpenApiTypes.OBJECT,  # field errors
            503: JobRefusedSerializer,
        },
    )
    def create(self, request, *args, **kwargs):
        upload = ImportUploadSerializer(data=request.data)
        upload.is_valid(raise_exception=True)
        data = upload.validated_data
        try:
            record = roster_import(
                user=request.user,
                roster=data["roster"],
                file=data["file"],
                dry_run=data["dry_run"],
                name=data["file"].name,
            )
        except DjangoPermissionDenied as exc:
            raise PermissionDenied(str(exc)) from None
        return _answer(record, created=True)

    @extend_schema(
        request=None,
        responses={200: ImportRecordSerializer, 202: ImportRecordSerializer, 503: JobRefusedSerializer},
    )
    @action(detail=True, methods=["post"])
    def commit(self, request, pk=None):
        """Import a file whose dry run passed (only the uploader). Checked again before writing."""
        record = self.get_object()
        try:
            record = roster_import_commit(user=request.user, record=record)
        except DjangoPermissionDenied as exc:
            raise PermissionDenied(str(exc)) from None
        return _answer(record)

    @extend_schema(responses={(200, XLSX): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"], url_path="error-file")
    def error_file(self, request, pk=None):
        """The upload back with each bad cell filled red and commented (404 when there is none)."""
        record = self.get_object()
        if not record.error_file:
            raise NotFound(_("该导入记录没有错误标注工作簿。"))
        access_log_record(
            user=request.user,
            kind=AccessLog.Kind.ERROR_FILE,
            what=_("导入记录 {record_pk}：{original_name}").format(
                record_pk=record.pk, original_name=record.original_name
            ),
            request=request,
        )
        return error_file_response(record)
