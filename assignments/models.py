"""Responsibility: work units, cadres, pairings (挂包帮), revisits (转走访), and user accounts."""

import uuid

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from villages.models import AdministrativeVillage, Township


class Role(models.TextChoices):
    COUNTY_ADMIN = "county_admin", "县扶贫办管理员"
    TOWNSHIP_OFFICIAL = "township_official", "乡镇干部"
    VILLAGE_OFFICIAL = "village_official", "村委会工作人员"
    CADRE = "cadre", "挂包帮干部"
    INSPECTOR = "inspector", "督查人员"


class WorkUnit(models.Model):
    """挂联单位, e.g. 县财政局."""

    class Level(models.TextChoices):
        PREFECTURE = "prefecture", "州级"
        COUNTY = "county", "县级"
        TOWNSHIP = "township", "乡级"
        OTHER = "other", "其他"

    name = models.CharField("单位名称", max_length=100, unique=True)
    level = models.CharField("级别", max_length=12, choices=Level.choices, default=Level.COUNTY)
    leader = models.CharField("责任领导", max_length=50, blank=True)
    phone = models.CharField("联系电话", max_length=20, blank=True)
    villages = models.ManyToManyField(
        AdministrativeVillage, through="WorkUnitVillage", related_name="work_units", verbose_name="挂联村"
    )

    class Meta:
        verbose_name = verbose_name_plural = "挂联单位"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class WorkUnitVillage(models.Model):
    """单位挂村."""

    unit = models.ForeignKey(WorkUnit, on_delete=models.CASCADE, verbose_name="单位")
    village = models.ForeignKey(AdministrativeVillage, on_delete=models.CASCADE, verbose_name="行政村")
    started_on = models.DateField("开始日期", null=True, blank=True)
    ended_on = models.DateField("结束日期", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "单位挂村"
        constraints = [models.UniqueConstraint(fields=["unit", "village"], name="work_unit_village_unique")]


class Cadre(models.Model):
    """挂包帮干部."""

    name = models.CharField("姓名", max_length=50)
    unit = models.ForeignKey(WorkUnit, on_delete=models.PROTECT, related_name="cadres", verbose_name="单位")
    post = models.CharField("职务", max_length=50, blank=True)
    phone = models.CharField("联系电话", max_length=20, blank=True)
    active = models.BooleanField("在岗", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "干部"
        ordering = ["unit_id", "id"]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """One role and one scope (DESIGN.md §4): the county, a township, or an administrative village."""

    role = models.CharField("角色", max_length=20, choices=Role.choices, default=Role.INSPECTOR)
    township = models.ForeignKey(
        Township,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        verbose_name="所属乡镇",
    )
    village = models.ForeignKey(
        AdministrativeVillage,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        verbose_name="所属行政村",
    )
    cadre = models.OneToOneField(
        Cadre, on_delete=models.PROTECT, null=True, blank=True, related_name="user", verbose_name="干部"
    )

    objects = UserManager()

    class Meta:
        verbose_name = verbose_name_plural = "用户"
        constraints = [
            models.CheckConstraint(
                condition=~Q(role="township_official") | Q(township__isnull=False, village__isnull=True),
                name="user_township_official_scope",
                violation_error_message="乡镇干部必须指定所属乡镇。",
            ),
            models.CheckConstraint(
                condition=~Q(role="village_official") | Q(village__isnull=False, township__isnull=True),
                name="user_village_official_scope",
                violation_error_message="村委会工作人员必须指定所属行政村。",
            ),
            models.CheckConstraint(
                condition=~Q(role="cadre") | Q(cadre__isnull=False),
                name="user_cadre_has_cadre",
                violation_error_message="干部账户必须关联干部记录。",
            ),
            models.CheckConstraint(
                condition=~Q(role__in=["county_admin", "inspector"])
                | Q(township__isnull=True, village__isnull=True),
                name="user_county_roles_no_scope",
                violation_error_message="县级角色的范围是全县，不能指定乡镇或行政村。",
            ),
        ]

    @property
    def scope_label(self) -> str:
        if self.role == Role.TOWNSHIP_OFFICIAL and self.township_id:
            return self.township.name
        if self.role == Role.VILLAGE_OFFICIAL and self.village_id:
            return f"{self.village.township.name}{self.village.name}"
        if self.role == Role.CADRE:
            return "我的挂包户"
        return "全县"


class Pairing(models.Model):
    """挂包帮 pairing: one active cadre per household; history kept."""

    cadre = models.ForeignKey(Cadre, on_delete=models.PROTECT, related_name="pairings", verbose_name="干部")
    household = models.ForeignKey(
        "households.Household", on_delete=models.PROTECT, related_name="pairings", verbose_name="户"
    )
    started_on = models.DateField("开始日期")
    ended_on = models.DateField("结束日期", null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "结对帮扶"
        ordering = ["-started_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["household"],
                condition=Q(ended_on__isnull=True),
                name="pairing_one_active_per_household",
                violation_error_message="该户已有在帮的干部，请先结束原结对。",
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("started_on")),
                name="pairing_ends_after_start",
                violation_error_message="结束日期不能早于开始日期。",
            ),
        ]
        indexes = [models.Index(fields=["cadre", "ended_on"], name="pairing_cadre_active")]

    @property
    def active(self) -> bool:
        return self.ended_on is None


class RevisitRound(models.Model):
    """回访轮次, e.g. 2016年第2轮."""

    year = models.PositiveSmallIntegerField("年度")
    number = models.PositiveSmallIntegerField("轮次")
    name = models.CharField("名称", max_length=50)
    starts_on = models.DateField("开始日期")
    ends_on = models.DateField("截止日期")

    class Meta:
        verbose_name = verbose_name_plural = "回访轮次"
        ordering = ["year", "number"]
        constraints = [
            models.UniqueConstraint(fields=["year", "number"], name="revisit_round_unique"),
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")),
                name="revisit_round_dates",
                violation_error_message="截止日期不能早于开始日期。",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Revisit(models.Model):
    """转走访: one visit (入户) or call (电话) to a household."""

    class Kind(models.TextChoices):
        HOME = "home", "入户"
        PHONE = "phone", "电话"

    household = models.ForeignKey(
        "households.Household", on_delete=models.PROTECT, related_name="revisits", verbose_name="户"
    )
    cadre = models.ForeignKey(Cadre, on_delete=models.PROTECT, related_name="revisits", verbose_name="干部")
    round = models.ForeignKey(
        RevisitRound,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="revisits",
        verbose_name="轮次",
    )
    visited_on = models.DateField("走访日期")
    kind = models.CharField("方式", max_length=6, choices=Kind.choices, default=Kind.HOME)
    situation = models.TextField("基本情况", blank=True)
    problems = models.TextField("发现问题", blank=True)
    help_given = models.TextField("帮扶内容", blank=True)
    # A client-generated id makes a resend from the phone's outbox idempotent.
    client_uuid = models.UUIDField("客户端编号", default=uuid.uuid4, unique=True)
    latitude = models.DecimalField("纬度", max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField("经度", max_digits=9, decimal_places=6, null=True, blank=True)
    location_accuracy = models.FloatField("定位精度（米）", null=True, blank=True)
    location_flagged = models.BooleanField("位置异常", default=False)
    created_at = models.DateTimeField("上传时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "走访记录"
        ordering = ["-visited_on", "-id"]
        indexes = [
            models.Index(fields=["household", "visited_on"], name="revisit_household_date"),
            models.Index(fields=["round", "household"], name="revisit_round_household"),
        ]


class RevisitPhoto(models.Model):
    revisit = models.ForeignKey(Revisit, on_delete=models.CASCADE, related_name="photos", verbose_name="走访")
    image = models.FileField("照片", upload_to="revisits/%Y/%m/")
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "走访照片"
