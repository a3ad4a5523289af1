"""防返贫监测: monitoring lines, monitoring objects and their procedure, data-quality suspects."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.access import Role, Scope, household_scope
from households.models import HelpPlan, Household
from monitoring import choices


class MonitoringLine(models.Model):
    """防返贫监测范围: a yearly income line per province, a rigid-expenditure alert threshold, and the months
    income must stay above the line before 风险消除. Edited by the county admin (changers: none else)."""

    access_scope = Scope(public=True)

    province_code = models.CharField(_("省级行政区划代码"), max_length=12)
    year = models.PositiveSmallIntegerField(_("年度"))
    income_line = models.DecimalField(_("监测收入标准（元/人·年）"), max_digits=10, decimal_places=2)
    rigid_expense_share = models.DecimalField(
        _("刚性支出预警比例"),
        max_digits=4,
        decimal_places=2,
        default=Decimal("0.50"),
        help_text=_("医疗等刚性支出超过家庭收入的这一比例时预警"),
    )
    stable_months = models.PositiveSmallIntegerField(_("风险消除所需稳定月数"), default=6)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = _("监测标准")
        ordering = ["province_code", "year"]
        constraints = [
            models.UniqueConstraint(fields=["province_code", "year"], name="monitoring_line_unique"),
            models.CheckConstraint(
                condition=Q(income_line__gt=0),
                name="monitoring_line_positive",
                violation_error_message=_("监测收入标准必须大于 0。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.province_code} {self.year} 年 {self.income_line} 元"


class MonitoringObject(models.Model):
    """监测对象: one household in the procedure 发现 → 村级核实 → 乡镇审核 → 县级确认（纳入监测）→ 风险消除."""

    access_scope = household_scope("household", changers=(Role.TOWNSHIP_OFFICIAL, Role.VILLAGE_OFFICIAL))

    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="monitoring_objects", verbose_name=_("户")
    )
    kind = models.CharField(_("监测对象类别"), max_length=10, choices=choices.Kind.choices)
    risk_types = models.JSONField(_("风险类型"), default=list)
    found_by = models.CharField(_("发现方式"), max_length=10, choices=choices.FoundBy.choices)
    reason = models.TextField(_("发现原因"), blank=True)
    identified_on = models.DateField(_("识别日期"))
    state = models.CharField(
        _("状态"), max_length=20, choices=choices.State.choices, default=choices.State.FOUND
    )
    help_measures = models.TextField(_("帮扶措施"), blank=True)
    help_plan = models.ForeignKey(
        HelpPlan,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("帮扶计划"),
    )
    monitored_on = models.DateField(_("纳入监测日期"), null=True, blank=True)
    stable_since = models.DateField(_("收入稳定起始日期"), null=True, blank=True)
    notice_ends_on = models.DateField(_("公示截止"), null=True, blank=True)
    cleared_on = models.DateField(_("风险消除日期"), null=True, blank=True)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = _("监测对象")
        ordering = ["-identified_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["household"],
                condition=Q(state__in=choices.OPEN_STATES),
                name="monitoring_object_one_open",
                violation_error_message=_("该户已是正在办理的监测对象。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.household} {self.get_kind_display()}"


class MonitoringStep(models.Model):
    access_scope = household_scope("object__household")
    object = models.ForeignKey(
        MonitoringObject, on_delete=models.CASCADE, related_name="steps", verbose_name=_("监测对象")
    )
    state = models.CharField(_("步骤"), max_length=20, choices=choices.State.choices)
    decision = models.CharField(_("决定"), max_length=8)
    comment = models.TextField(_("意见"), blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, verbose_name=_("办理人"))
    acted_at = models.DateTimeField(_("办理时间"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = _("监测程序步骤")
        ordering = ["object_id", "acted_at", "id"]


class MonitoringObjection(models.Model):
    """An objection recorded during the 风险消除 public notice."""

    access_scope = household_scope(
        "object__household", changers=(Role.TOWNSHIP_OFFICIAL, Role.VILLAGE_OFFICIAL)
    )
    object = models.ForeignKey(
        MonitoringObject, on_delete=models.CASCADE, related_name="objections", verbose_name=_("监测对象")
    )
    raised_by = models.CharField(_("反映人"), max_length=50, blank=True)
    content = models.TextField(_("异议内容"))
    resolution = models.TextField(_("处理结果"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, verbose_name=_("记录人")
    )
    recorded_at = models.DateTimeField(_("记录时间"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = _("风险消除公示异议")


class QualityIssue(models.Model):
    """One data-quality suspect a declared rule found (monitoring.quality). ``fingerprint`` digests the data
    the rule read: a suspect marked checked-and-correct stays quiet while the fingerprint is unchanged."""

    access_scope = household_scope("household", changers=(Role.TOWNSHIP_OFFICIAL, Role.VILLAGE_OFFICIAL))

    rule = models.CharField(_("规则"), max_length=40)
    household = models.ForeignKey(
        Household, on_delete=models.CASCADE, related_name="quality_issues", verbose_name=_("户")
    )
    severity = models.CharField(_("严重程度"), max_length=8, choices=choices.Severity.choices)
    reason = models.TextField(_("原因"))
    fingerprint = models.CharField(_("数据指纹"), max_length=64)
    found_at = models.DateTimeField(_("发现时间"), auto_now_add=True)
    last_seen_at = models.DateTimeField(_("最近发现"), auto_now=True)
    open = models.BooleanField(_("待处理"), default=True)
    checked_fingerprint = models.CharField(_("核实时数据指纹"), max_length=64, blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("核实人")
    )
    checked_at = models.DateTimeField(_("核实时间"), null=True, blank=True)
    checked_note = models.TextField(_("核实说明"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = _("数据质量疑点")
        ordering = ["rule", "household_id"]
        constraints = [
            models.UniqueConstraint(fields=["rule", "household"], name="quality_issue_unique"),
        ]
        indexes = [models.Index(fields=["open", "rule"], name="quality_issue_open")]
