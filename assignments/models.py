"""Responsibility: work units, cadres, pairings (挂包帮) and revisits (转走访)."""

import uuid

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.access import Role, Scope, household_scope
from core.labels import ChoiceLabels
from villages.models import AdministrativeVillage


class WorkUnit(models.Model):
    """挂联单位, e.g. 县财政局."""

    access_scope = Scope(
        township="workunitvillage__village__township_id",
        village="workunitvillage__village_id",
        cadre="cadres__id",  # a cadre sees their own unit
        many=True,
    )

    class Level(models.TextChoices):
        PREFECTURE = "prefecture", _("州级")
        COUNTY = "county", _("县级")
        TOWNSHIP = "township", _("乡级")
        OTHER = "other", _("其他")

    name = models.CharField(_("单位名称"), max_length=100, unique=True)
    level = models.CharField(_("级别"), max_length=12, choices=Level.choices, default=Level.COUNTY)
    leader = models.CharField(_("责任领导"), max_length=50, blank=True)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    villages = models.ManyToManyField(
        AdministrativeVillage, through="WorkUnitVillage", related_name="work_units", verbose_name=_("挂联村")
    )

    class Meta:
        verbose_name = verbose_name_plural = _("挂联单位")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class WorkUnitVillage(models.Model):
    """单位挂村."""

    access_scope = Scope(township="village__township_id", village="village_id", cadre="unit__cadres__id")

    unit = models.ForeignKey(WorkUnit, on_delete=models.CASCADE, verbose_name=_("单位"))
    village = models.ForeignKey(AdministrativeVillage, on_delete=models.CASCADE, verbose_name=_("行政村"))
    started_on = models.DateField(_("开始日期"), null=True, blank=True)
    ended_on = models.DateField(_("结束日期"), null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = _("单位挂村")
        constraints = [models.UniqueConstraint(fields=["unit", "village"], name="work_unit_village_unique")]


class Cadre(ChoiceLabels, models.Model):
    """挂包帮干部."""

    access_scope = Scope(
        # officials see the cadres who have an active pairing in their place; a cadre sees themself
        township=lambda pk: Q(pairings__ended_on__isnull=True, pairings__household__township_id=pk),
        village=lambda pk: Q(pairings__ended_on__isnull=True, pairings__household__village_id=pk),
        cadre="id",
        many=True,
    )

    name = models.CharField(_("姓名"), max_length=50)
    unit = models.ForeignKey(
        WorkUnit, on_delete=models.PROTECT, related_name="cadres", verbose_name=_("单位")
    )
    post = models.CharField(_("职务"), max_length=50, blank=True)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    active = models.BooleanField(_("在岗"), default=True)

    class Meta:
        verbose_name = verbose_name_plural = _("干部")
        ordering = ["unit_id", "id"]

    def __str__(self) -> str:
        return self.name


class Pairing(ChoiceLabels, models.Model):
    """挂包帮 pairing: one active cadre per household; history kept."""

    access_scope = household_scope("household", cadre="cadre_id", changers=(Role.TOWNSHIP_OFFICIAL,))

    cadre = models.ForeignKey(
        Cadre, on_delete=models.PROTECT, related_name="pairings", verbose_name=_("干部")
    )
    household = models.ForeignKey(
        "households.Household", on_delete=models.PROTECT, related_name="pairings", verbose_name=_("户")
    )
    started_on = models.DateField(_("开始日期"))
    ended_on = models.DateField(_("结束日期"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = _("结对帮扶")
        ordering = ["-started_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["household"],
                condition=Q(ended_on__isnull=True),
                name="pairing_one_active_per_household",
                violation_error_message=_("该户已有在帮的干部，请先结束原结对。"),
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("started_on")),
                name="pairing_ends_after_start",
                violation_error_message=_("结束日期不能早于开始日期。"),
            ),
        ]
        indexes = [models.Index(fields=["cadre", "ended_on"], name="pairing_cadre_active")]

    @property
    def active(self) -> bool:
        return self.ended_on is None


class RevisitRound(models.Model):
    """回访轮次, e.g. 2016年第2轮."""

    access_scope = Scope(public=True)

    year = models.PositiveSmallIntegerField(_("年度"))
    number = models.PositiveSmallIntegerField(_("轮次"))
    name = models.CharField(_("名称"), max_length=50)
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("截止日期"))

    class Meta:
        verbose_name = verbose_name_plural = _("回访轮次")
        ordering = ["year", "number"]
        constraints = [
            models.UniqueConstraint(fields=["year", "number"], name="revisit_round_unique"),
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")),
                name="revisit_round_dates",
                violation_error_message=_("截止日期不能早于开始日期。"),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Revisit(ChoiceLabels, models.Model):
    """转走访: one visit (入户) or call (电话) to a household."""

    access_scope = household_scope("household", cadre="cadre_id", changers=(Role.CADRE,))

    class Kind(models.TextChoices):
        HOME = "home", _("入户")
        PHONE = "phone", _("电话")

    household = models.ForeignKey(
        "households.Household", on_delete=models.PROTECT, related_name="revisits", verbose_name=_("户")
    )
    cadre = models.ForeignKey(
        Cadre, on_delete=models.PROTECT, related_name="revisits", verbose_name=_("干部")
    )
    round = models.ForeignKey(
        RevisitRound,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="revisits",
        verbose_name=_("轮次"),
    )
    visited_on = models.DateField(_("走访日期"))
    kind = models.CharField(_("方式"), max_length=6, choices=Kind.choices, default=Kind.HOME)
    situation = models.TextField(_("基本情况"), blank=True)
    problems = models.TextField(_("发现问题"), blank=True)
    help_given = models.TextField(_("帮扶内容"), blank=True)
    # A risk the cadre found (防返贫监测): storing the revisit raises a monitoring candidate for the household.
    risk_types = models.JSONField(_("风险类型"), default=list, blank=True)
    risk_note = models.CharField(_("风险说明"), max_length=200, blank=True)
    # A client-generated id makes a resend from the phone's outbox idempotent.
    client_uuid = models.UUIDField(_("客户端编号"), default=uuid.uuid4, unique=True)
    latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("经度"), max_digits=9, decimal_places=6, null=True, blank=True)
    location_accuracy = models.FloatField(_("定位精度（米）"), null=True, blank=True)
    location_flagged = models.BooleanField(_("位置异常"), default=False)
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = _("走访记录")
        ordering = ["-visited_on", "-id"]
        indexes = [
            models.Index(fields=["household", "visited_on"], name="revisit_household_date"),
            models.Index(fields=["round", "household"], name="revisit_round_household"),
        ]


class RevisitPhoto(models.Model):
    access_scope = household_scope("revisit__household", cadre="revisit__cadre_id", changers=(Role.CADRE,))
    revisit = models.ForeignKey(
        Revisit, on_delete=models.CASCADE, related_name="photos", verbose_name=_("走访")
    )
    image = models.FileField(_("照片"), upload_to="revisits/%Y/%m/")
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = _("走访照片")
