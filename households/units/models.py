"""The unit exit procedure's records: an application per village or township, its steps and its 公示
objections. Declared to Django through households/models.py."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from core.access import Role, Scope
from households.choices import Decision
from villages.models import AdministrativeVillage, Township


class UnitLevel(models.TextChoices):
    VILLAGE = "village", _("贫困村出列")
    TOWNSHIP = "township", _("贫困乡摘帽")


class UnitExitState(models.TextChoices):
    PROPOSED = "proposed", _("乡镇申请")
    COUNTY_APPROVED = "county_approved", _("县审批认定")
    REJECTED = "rejected", _("已退回")


CLOSED_STATES = (UnitExitState.COUNTY_APPROVED, UnitExitState.REJECTED)


class UnitExitApplication(models.Model):
    """乡镇申请 (公示) → 县审批认定, for a poor village or a poor township."""

    # A village application is scoped by its village and township; a township's own application by its
    # township only (village officials do not see it). Which step a role takes: the units services.
    access_scope = Scope(
        township="township_id",
        village="village_id",
        changers=(Role.TOWNSHIP_OFFICIAL,),
    )

    level = models.CharField(pgettext_lazy("unit exit", "类别"), max_length=10, choices=UnitLevel.choices)
    # Always set: the village's township, or the township applying itself.
    township = models.ForeignKey(
        Township, on_delete=models.PROTECT, related_name="exit_applications", verbose_name=_("乡镇")
    )
    village = models.ForeignKey(
        AdministrativeVillage,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="exit_applications",
        verbose_name=_("行政村"),
    )
    year = models.PositiveSmallIntegerField(_("出列年度"))
    state = models.CharField(
        _("状态"), max_length=20, choices=UnitExitState.choices, default=UnitExitState.PROPOSED
    )
    notice_ends_on = models.DateField(_("公示截止"), null=True, blank=True)
    created_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = _("乡村出列申请")
        ordering = ["-updated_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(level="village", village__isnull=False)
                | Q(level="township", village__isnull=True),
                name="unit_exit_level_matches_unit",
            ),
            # one open application per unit at a time
            models.UniqueConstraint(
                fields=["village"],
                condition=Q(level="village") & ~Q(state__in=["county_approved", "rejected"]),
                name="unit_exit_one_open_per_village",
                violation_error_message=_("该村已有正在办理的出列申请。"),
            ),
            models.UniqueConstraint(
                fields=["township"],
                condition=Q(level="township") & ~Q(state__in=["county_approved", "rejected"]),
                name="unit_exit_one_open_per_township",
                violation_error_message=_("该乡镇已有正在办理的摘帽申请。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit_name} {self.year}年{self.get_level_display()}"

    @property
    def unit(self) -> AdministrativeVillage | Township:
        return self.village if self.level == UnitLevel.VILLAGE else self.township

    @property
    def unit_name(self) -> str:
        if self.level == UnitLevel.VILLAGE:
            return f"{self.township.name}{self.village.name}"
        return self.township.name


class UnitExitStep(models.Model):
    """Who took a step, when, with what decision and comment; ``checks`` keeps what the decision saw."""

    access_scope = Scope(township="application__township_id", village="application__village_id")

    application = models.ForeignKey(
        UnitExitApplication, on_delete=models.CASCADE, related_name="steps", verbose_name=_("申请")
    )
    state = models.CharField(_("步骤"), max_length=20, choices=UnitExitState.choices)
    decision = models.CharField(_("决定"), max_length=8, choices=Decision.choices)
    comment = models.TextField(_("意见"), blank=True)
    # The figures and indicators as they stood when the step was taken (incidence, each indicator met or
    # not): the audit of what a proposal or an approval was based on, since indicators change later.
    checks = models.JSONField(_("当时的出列条件"), default=list, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, verbose_name=_("办理人"))
    acted_at = models.DateTimeField(_("办理时间"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = _("乡村出列程序步骤")
        ordering = ["application_id", "acted_at", "id"]


class UnitExitObjection(models.Model):
    """An objection recorded during a unit's public notice (公示)."""

    access_scope = Scope(
        township="application__township_id",
        village="application__village_id",
        changers=(Role.TOWNSHIP_OFFICIAL, Role.VILLAGE_OFFICIAL),
    )

    application = models.ForeignKey(
        UnitExitApplication, on_delete=models.CASCADE, related_name="objections", verbose_name=_("申请")
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
        verbose_name = verbose_name_plural = _("乡村出列公示异议")
        ordering = ["application_id", "recorded_at", "id"]
