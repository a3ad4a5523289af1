"""Geography: 县 → 乡/镇 → 行政村 (村委会) → 自然村 (村民小组)."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.access import Role, Scope


class County(models.Model):
    access_scope = Scope(public=True)
    name = models.CharField(_("县名"), max_length=50)
    region_code = models.CharField(_("行政区划代码"), max_length=6, unique=True)
    province = models.CharField(_("省"), max_length=20, default="云南省")
    prefecture = models.CharField(_("州/市"), max_length=30, blank=True)
    # 元谋县 was not a national poverty county: the county shows figures but has no exit of its own.
    is_poverty_county = models.BooleanField(_("国家扶贫开发工作重点县"), default=False)
    registered_rural_population = models.PositiveIntegerField(_("户籍农业人口"), default=0)

    class Meta:
        verbose_name = verbose_name_plural = _("县")

    def __str__(self) -> str:
        return self.name


class ExitFields(models.Model):
    """贫困乡 / 贫困村 flag with its planned and actual exit (出列 / 摘帽) year."""

    is_poor = models.BooleanField(_("贫困乡村"), default=False)
    planned_exit_year = models.PositiveSmallIntegerField(_("计划出列年度"), null=True, blank=True)
    exit_year = models.PositiveSmallIntegerField(_("出列年度"), null=True, blank=True)
    registered_rural_population = models.PositiveIntegerField(
        _("户籍农业人口"), default=0, help_text=_("计算贫困发生率的分母")
    )

    class Meta:
        abstract = True


class Township(ExitFields):
    access_scope = Scope(township="id")
    county = models.ForeignKey(
        County, on_delete=models.PROTECT, related_name="townships", verbose_name=_("县")
    )
    name = models.CharField(_("乡镇"), max_length=50)
    code = models.CharField(_("区划代码"), max_length=12, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = _("乡镇")
        ordering = ["code", "id"]
        constraints = [models.UniqueConstraint(fields=["county", "name"], name="township_unique_name")]

    def __str__(self) -> str:
        return self.name


class AdministrativeVillage(ExitFields):
    # A township official corrects its villages; new ones come from the county's administrative division.
    access_scope = Scope(
        township="township_id", village="id", changers=(Role.TOWNSHIP_OFFICIAL,), creators=()
    )
    township = models.ForeignKey(
        Township, on_delete=models.PROTECT, related_name="villages", verbose_name=_("乡镇")
    )
    name = models.CharField(_("行政村"), max_length=50)
    code = models.CharField(_("区划代码"), max_length=12, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = _("行政村")
        ordering = ["code", "id"]
        constraints = [
            models.UniqueConstraint(fields=["township", "name"], name="village_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class NaturalVillage(models.Model):
    access_scope = Scope(
        township="village__township_id",
        village="village_id",
        changers=(Role.TOWNSHIP_OFFICIAL,),
        creators=(),  # created by the county, as administrative villages are
    )
    village = models.ForeignKey(
        AdministrativeVillage,
        on_delete=models.PROTECT,
        related_name="natural_villages",
        verbose_name=_("行政村"),
    )
    name = models.CharField(_("自然村"), max_length=50)
    code = models.CharField(_("编码"), max_length=15, blank=True)
    is_poor = models.BooleanField(_("贫困自然村"), default=False)
    latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("经度"), max_digits=9, decimal_places=6, null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = _("自然村")
        ordering = ["code", "id"]
        constraints = [
            models.UniqueConstraint(fields=["village", "name"], name="natural_village_unique_name"),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True) | Q(latitude__gte=-90, latitude__lte=90),
                name="natural_village_latitude_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ExitIndicator(models.Model):
    """An exit criterion as data (DESIGN.md §3: thresholds and indicators are data, not code)."""

    access_scope = Scope(public=True)

    class Level(models.TextChoices):
        VILLAGE = "village", _("贫困村")
        TOWNSHIP = "township", _("贫困乡")

    level = models.CharField(_("适用"), max_length=10, choices=Level.choices, default=Level.VILLAGE)
    code = models.SlugField(_("代码"), max_length=40)
    name = models.CharField(_("指标"), max_length=100)
    province = models.CharField(_("省"), max_length=20, default="云南省")
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)
    active = models.BooleanField(_("启用"), default=True)
    # For a measured indicator (poverty incidence): met when the value is below this threshold.
    threshold = models.DecimalField(
        _("阈值"),
        max_digits=6,
        decimal_places=4,
        null=True,
        blank=True,
        help_text=_("如贫困发生率 0.03 = 3%"),
    )

    class Meta:
        verbose_name = verbose_name_plural = _("出列指标")
        ordering = ["level", "order"]
        constraints = [models.UniqueConstraint(fields=["province", "level", "code"], name="indicator_unique")]

    def __str__(self) -> str:
        return self.name


class VillageIndicatorStatus(models.Model):
    access_scope = Scope(
        township="village__township_id", village="village_id", changers=(Role.TOWNSHIP_OFFICIAL,)
    )
    village = models.ForeignKey(
        AdministrativeVillage, on_delete=models.CASCADE, related_name="indicators", verbose_name=_("行政村")
    )
    indicator = models.ForeignKey(ExitIndicator, on_delete=models.PROTECT, verbose_name=_("指标"))
    met = models.BooleanField(_("已达标"), default=False)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = _("出列指标情况")
        constraints = [
            models.UniqueConstraint(fields=["village", "indicator"], name="village_indicator_unique"),
        ]


class VillageFigures(models.Model):
    """Pre-aggregated figures per administrative village, refreshed by a job (set-based SQL)."""

    access_scope = Scope(township="village__township_id", village="village_id")

    village = models.OneToOneField(
        AdministrativeVillage, on_delete=models.CASCADE, related_name="figures", verbose_name=_("行政村")
    )
    households = models.PositiveIntegerField(_("建档立卡户数"), default=0)
    persons = models.PositiveIntegerField(_("建档立卡人数"), default=0)
    poor_households = models.PositiveIntegerField(_("未脱贫户数"), default=0)
    poor_persons = models.PositiveIntegerField(_("未脱贫人数"), default=0)
    exited_households = models.PositiveIntegerField(_("已脱贫户数"), default=0)
    exited_persons = models.PositiveIntegerField(_("已脱贫人数"), default=0)
    refreshed_at = models.DateTimeField(_("统计时间"), auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = _("行政村统计")
