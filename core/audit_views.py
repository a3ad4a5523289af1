"""/audit/: the county admin and inspectors search who exported or downloaded what, and who changed which
record (issue 11, privacy and audit). /api/v1/audit/: the access log through the API."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.translation import gettext_lazy, pgettext_lazy
from rest_framework import mixins, serializers, viewsets
from rest_framework.exceptions import PermissionDenied as ApiPermissionDenied

from core.access import Access
from core.api import FilterSet
from core.audit import access_log_search, change_history_search
from core.models import AccessLog

DENIED = gettext_lazy("只有县扶贫办管理员和督查人员可以查看审计记录。")


class AuditSearchForm(forms.Form):
    user = forms.CharField(label=gettext_lazy("用户名"), required=False)
    kind = forms.ChoiceField(
        label=gettext_lazy("类别"),
        required=False,
        choices=[("", gettext_lazy("全部")), *AccessLog.Kind.choices],
    )
    since = forms.DateField(
        label=pgettext_lazy("date range", "起始日期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    until = forms.DateField(
        label=pgettext_lazy("date range", "截止日期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )


def _search(data) -> dict:
    form = AuditSearchForm(data)
    return {"form": form, **(form.cleaned_data if form.is_valid() else {})}


@login_required
def audit(request):
    if not Access.for_user(request.user).sees_whole_county:
        raise PermissionDenied(DENIED)
    found = _search(request.GET)
    criteria = {k: found.get(k) for k in ("user", "since", "until")}
    criteria["user"] = criteria["user"] or ""
    entries = access_log_search(kind=found.get("kind") or "", **criteria)
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    changes = change_history_search(**criteria)
    return render(request, "core/audit.html", {"form": found["form"], "page": page, "changes": changes})


class AccessLogSerializer(serializers.ModelSerializer):
    user = serializers.CharField(source="user.username", read_only=True)

    class Meta:
        model = AccessLog
        fields = ["id", "user", "at", "kind", "what", "rows", "request_id"]


class AccessLogFilter(FilterSet):
    """?id= (the base FilterSet); ?user=, ?kind=, ?since= and ?until= are read by the search."""

    class Meta:
        model = AccessLog
        fields = ["id"]


class AccessLogViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The access log (county admin and inspectors): filter with ?user=, ?kind=, ?since=, ?until=."""

    serializer_class = AccessLogSerializer
    filterset_class = AccessLogFilter
    queryset = AccessLog.objects.none()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return AccessLog.objects.none()
        if not Access.for_user(self.request.user).sees_whole_county:
            raise ApiPermissionDenied(DENIED)
        found = _search(self.request.query_params)
        return access_log_search(
            user=found.get("user") or "",
            kind=found.get("kind") or "",
            since=found.get("since"),
            until=found.get("until"),
        )
