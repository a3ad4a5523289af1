"""Money and moves: funded projects, relocation sites and relocations, training courses, annual targets."""

from decimal import Decimal

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.access import Role, Scope, household_scope
from households.choices import MeasureCategory
from villages.models import AdministrativeVillage, County, NaturalVillage, Township


class Project(models.Model):
    access_scope = Scope(township="township_id", village="village_id", changers=(Role.TOWNSHIP_OFFICIAL,))

    class Category(models.TextChoices):
        WHOLE_VILLAGE = "whole_village", _("整村推进")
        WHOLE_TOWNSHIP = "whole_township", _("整乡推进")
        ROAD = "road", _("道路")
        IRRIGATION = "irrigation", _("水利")
        DRINKING_WATER = "drinking_water", _("饮水")
        POWER = "power", _("电力")
        TELECOM = "telecom", _("通信")
        HOUSING = "housing", _("危房改造")
        INDUSTRY = "industry", _("产业发展")
        EDUCATION = "education", _("教育")
        HEALTH = "health", _("卫生")
        TRAINING = "training", _("培训")
        ECOLOGY = "ecology", _("生态")
        FARMLAND = "farmland", _("基本农田")
        CULTURE = "culture", _("文体")
        RELOCATION = "relocation", _("易地扶贫搬迁")
        OTHER = "other", _("其他")

    class State(models.TextChoices):
        PLANNED = "planned", _("计划")
        BUILDING = "building", _("在建")
        COMPLETED = "completed", _("完工")
        ACCEPTED = "accepted", _("验收")
        CLOSED = (
            "closed",
            _("已关闭"),
        )  # a project that will not go on: closed, never deleted once it has records

    name = models.CharField(_("项目名称"), max_length=200)
    category = models.CharField(_("类别"), max_length=20, choices=Category.choices)
    parent = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="subprojects",
        verbose_name=_("上级项目"),
    )
    township = models.ForeignKey(
        Township,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="projects",
        verbose_name=_("乡镇"),
    )
    village = models.ForeignKey(
        AdministrativeVillage,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="projects",
        verbose_name=_("行政村"),
    )
    natural_villages = models.ManyToManyField(
        NaturalVillage, blank=True, related_name="projects", verbose_name=_("自然村")
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    approved_on = models.DateField(_("批复日期"), null=True, blank=True)
    started_on = models.DateField(_("开工日期"), null=True, blank=True)
    ended_on = models.DateField(_("完工日期"), null=True, blank=True)
    planned_investment = models.DecimalField(
        _("计划投资（元）"), max_digits=14, decimal_places=2, default=Decimal("0")
    )
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.PLANNED)
    planned_households = models.PositiveIntegerField(_("计划受益户数"), default=0)
    planned_persons = models.PositiveIntegerField(_("计划受益人数"), default=0)
    description = models.TextField(_("内容"), blank=True)
    beneficiaries = models.ManyToManyField(
        "households.Household", blank=True, related_name="projects", verbose_name=_("受益贫困户")
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = _("项目")
        ordering = ["-year", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(planned_investment__gte=0),
                name="project_investment_not_negative",
                violation_error_message=_("计划投资不能为负数。"),
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True)
                | Q(started_on__isnull=True)
                | Q(ended_on__gte=F("started_on")),
                name="project_ends_after_start",
                violation_error_message=_("完工日期不能早于开工日期。"),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class FundingSource(models.Model):
    access_scope = Scope(
        township="project__township_id", village="project__village_id", changers=(Role.TOWNSHIP_OFFICIAL,)
    )
    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="funding", verbose_name=_("项目")
    )
    source = models.CharField(_("资金来源"), max_length=100)
    amount = models.DecimalField(_("金额（元）"), max_digits=14, decimal_places=2)

    class Meta:
        verbose_name = verbose_name_plural = _("资金来源")
        constraints = [models.CheckConstraint(condition=Q(amount__gte=0), name="funding_amount_not_negative")]


class ProgressEntry(models.Model):
    """Money invested to date, as reported on a date."""

    access_scope = Scope(
        township="project__township_id", village="project__village_id", changers=(Role.TOWNSHIP_OFFICIAL,)
    )

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="progress", verbose_name=_("项目")
    )
    recorded_on = models.DateField(_("填报日期"))
    invested_to_date = models.DecimalField(_("累计完成投资（元）"), max_digits=14, decimal_places=2)
    percent_complete = models.PositiveSmallIntegerField(_("形象进度（%）"), null=True, blank=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    # Invested to date above the planned investment is allowed only with a reason, kept with the entry.
    over_plan_reason = models.CharField(_("超计划投资说明"), max_length=200, blank=True)
    photo = models.FileField(_("现场照片"), upload_to="projects/%Y/%m/", blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = _("项目进度")
        ordering = ["project_id", "-recorded_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(invested_to_date__gte=0), name="progress_not_negative"),
            models.CheckConstraint(
                condition=Q(percent_complete__isnull=True) | Q(percent_complete__lte=100),
                name="progress_percent_range",
                violation_error_message=_("形象进度应在 0–100 之间。"),
            ),
        ]


class RelocationSite(models.Model):
    """易地扶贫搬迁安置点."""

    access_scope = Scope(township="township_id", village="village_id", changers=(Role.TOWNSHIP_OFFICIAL,))

    class Kind(models.TextChoices):
        CONCENTRATED = "concentrated", _("集中")
        DISPERSED = "dispersed", _("分散")

    class BuildState(models.TextChoices):
        PLANNED = "planned", _("规划")
        BUILDING = "building", _("在建")
        COMPLETED = "completed", _("建成")
        MOVED_IN = "moved_in", _("已入住")

    name = models.CharField(_("安置点"), max_length=100)
    township = models.ForeignKey(
        Township, on_delete=models.PROTECT, related_name="relocation_sites", verbose_name=_("乡镇")
    )
    village = models.ForeignKey(
        AdministrativeVillage,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="relocation_sites",
        verbose_name=_("行政村"),
    )
    # Where the households who move in live from then on (their address after the move).
    natural_village = models.ForeignKey(
        NaturalVillage,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="relocation_sites",
        verbose_name=_("安置自然村"),
    )
    kind = models.CharField(_("安置方式"), max_length=12, choices=Kind.choices, default=Kind.CONCENTRATED)
    planned_households = models.PositiveIntegerField(_("计划安置户数"), default=0)
    planned_persons = models.PositiveIntegerField(_("计划安置人数"), default=0)
    build_state = models.CharField(
        _("建设状态"), max_length=10, choices=BuildState.choices, default=BuildState.PLANNED
    )
    investment = models.DecimalField(_("总投资（元）"), max_digits=14, decimal_places=2, default=Decimal("0"))
    year = models.PositiveSmallIntegerField(_("年度"))

    class Meta:
        verbose_name = verbose_name_plural = _("安置点")
        constraints = [models.UniqueConstraint(fields=["township", "name"], name="relocation_site_unique")]

    def __str__(self) -> str:
        return self.name


class Relocation(models.Model):
    """One move of a household to a site. A household may move more than once: each move is its own record."""

    access_scope = household_scope("household", changers=(Role.TOWNSHIP_OFFICIAL,))

    class Kind(models.TextChoices):
        REGISTERED = "registered", _("建档立卡搬迁户")
        SYNCHRONOUS = "synchronous", _("同步搬迁户")

    household = models.ForeignKey(
        "households.Household", on_delete=models.PROTECT, related_name="relocations", verbose_name=_("户")
    )
    from_natural_village = models.ForeignKey(
        NaturalVillage,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="relocations_out",
        verbose_name=_("迁出自然村"),
    )
    site = models.ForeignKey(
        RelocationSite, on_delete=models.PROTECT, related_name="relocations", verbose_name=_("安置点")
    )
    kind = models.CharField(_("搬迁类型"), max_length=12, choices=Kind.choices, default=Kind.REGISTERED)
    persons = models.PositiveSmallIntegerField(_("搬迁人数"))
    housing_area = models.DecimalField(_("住房面积（㎡）"), max_digits=7, decimal_places=2)
    moved_in_on = models.DateField(_("入住时间"), null=True, blank=True)
    old_house_demolished = models.BooleanField(_("旧房已拆除"), default=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = _("搬迁户")
        ordering = ["household_id", "moved_in_on", "id"]
        constraints = [
            # 建档立卡搬迁户: at most 25 m² of housing per person.
            models.CheckConstraint(
                condition=~Q(kind="registered") | Q(housing_area__lte=F("persons") * 25),
                name="relocation_registered_area_limit",
                violation_error_message=_("建档立卡搬迁户人均住房面积不得超过 25 平方米。"),
            ),
            models.CheckConstraint(
                condition=Q(persons__gt=0),
                name="relocation_persons_positive",
                violation_error_message=_("搬迁人数必须大于 0。"),
            ),
        ]


class Training(models.Model):
    access_scope = Scope(township="township_id", changers=(Role.TOWNSHIP_OFFICIAL,))

    class Kind(models.TextChoices):
        TRANSFER = "transfer", _("劳动力转移培训")
        GUIDANCE = "guidance", _("引导性培训")
        SKILLS = "skills", _("技能培训")

    name = models.CharField(_("培训名称"), max_length=100)
    kind = models.CharField(_("类别"), max_length=10, choices=Kind.choices)
    year = models.PositiveSmallIntegerField(_("年度"))
    township = models.ForeignKey(
        Township,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="trainings",
        verbose_name=_("乡镇"),
    )
    planned_participants = models.PositiveIntegerField(_("计划人数"), default=0)
    actual_participants = models.PositiveIntegerField(_("实际人数"), default=0)
    planned_investment = models.DecimalField(
        _("计划投资（元）"), max_digits=12, decimal_places=2, default=Decimal("0")
    )
    participants = models.ManyToManyField(
        "households.Member", blank=True, related_name="trainings", verbose_name=_("参训人员")
    )

    class Meta:
        verbose_name = verbose_name_plural = _("培训")
        ordering = ["-year", "kind"]

    def __str__(self) -> str:
        return self.name


class Target(models.Model):
    """目标: per county or township (township empty = county) and year."""

    access_scope = Scope(township="township_id")

    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="targets", verbose_name=_("县"))
    township = models.ForeignKey(
        Township,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="targets",
        verbose_name=_("乡镇"),
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    category = models.CharField(_("五个一批类别"), max_length=16, choices=MeasureCategory.choices, blank=True)
    persons = models.PositiveIntegerField(_("脱贫人数"), null=True, blank=True)
    households = models.PositiveIntegerField(_("脱贫户数"), null=True, blank=True)
    villages_to_exit = models.PositiveIntegerField(_("贫困村出列个数"), null=True, blank=True)
    townships_to_exit = models.PositiveIntegerField(_("贫困乡摘帽个数"), null=True, blank=True)
    income_goal = models.DecimalField(
        _("农村居民人均可支配收入目标（元）"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = _("目标")
        ordering = ["year", "township_id"]
