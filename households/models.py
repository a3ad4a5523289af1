"""建档立卡贫困户: households, members, yearly assessments, help plans, exit applications."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from core.access import OFFICIALS, Role, Scope, household_scope
from core.idnumbers import sex_code, validate_disability_certificate, validate_id_number
from core.labels import ChoiceLabels
from households import choices
from villages.models import AdministrativeVillage, NaturalVillage, Township


class PovertyLine(models.Model):
    """国家扶贫标准 per year; a province or county may set its own higher line (region_code)."""

    access_scope = Scope(public=True)

    year = models.PositiveSmallIntegerField(_("年度"))
    amount = models.DecimalField(_("标准（元/人·年）"), max_digits=10, decimal_places=2)
    region_code = models.CharField(
        _("适用地区代码"),
        max_length=6,
        blank=True,
        default="",
        help_text=_("空 = 国家标准；省或县代码 = 地方标准"),
    )
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = _("扶贫标准")
        ordering = ["year", "region_code"]
        constraints = [
            models.UniqueConstraint(fields=["year", "region_code"], name="poverty_line_unique_year_region"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="poverty_line_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.year} 年 {self.amount} 元"


class Household(ChoiceLabels, models.Model):
    access_scope = Scope(
        township="township_id",
        village="village_id",
        household="id",
        changers=(Role.TOWNSHIP_OFFICIAL, Role.VILLAGE_OFFICIAL),
    )
    household_number = models.CharField(_("户编号"), max_length=30, unique=True)
    # village and township are denormalised from natural_village (set by households.services) so that
    # scope filters at province scale are a single indexed column.
    natural_village = models.ForeignKey(
        NaturalVillage, on_delete=models.PROTECT, related_name="households", verbose_name=_("自然村")
    )
    # No single-column indexes: the (township, status) and (village, status) indexes below serve them.
    village = models.ForeignKey(
        AdministrativeVillage,
        on_delete=models.PROTECT,
        related_name="households",
        verbose_name=_("行政村"),
        db_index=False,
    )
    township = models.ForeignKey(
        Township, on_delete=models.PROTECT, related_name="households", verbose_name=_("乡镇"), db_index=False
    )
    attribute = models.CharField(_("贫困户属性"), max_length=12, choices=choices.Attribute.choices)
    main_cause = models.CharField(_("主要致贫原因"), max_length=12, choices=choices.Cause.choices)
    other_causes = models.JSONField(_("其他致贫原因"), default=list, blank=True)
    identified_year = models.PositiveSmallIntegerField(_("识别年度"))
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    status = models.CharField(
        _("贫困户状态"), max_length=10, choices=choices.Status.choices, default=choices.Status.POOR
    )
    exit_year = models.PositiveSmallIntegerField(_("脱贫年度"), null=True, blank=True)
    removed_reason = models.CharField(_("清退原因"), max_length=200, blank=True)
    # Latest eligibility decision, kept on the household for lists and filters.
    eligible = models.BooleanField(_("符合脱贫条件"), null=True, blank=True)
    eligibility_year = models.PositiveSmallIntegerField(_("评估年度"), null=True, blank=True)
    eligibility_reasons = models.JSONField(_("不符合原因"), default=list, blank=True)
    # 返贫: an exited household whose later assessment fails waits for a township official's review.
    needs_return_review = models.BooleanField(_("待返贫核实"), default=False, db_default=False)
    # Searched by prefix: one pattern index each (below), not a plain btree plus a pattern one.
    head_name = models.CharField(_("户主姓名"), max_length=50, blank=True)
    head_initials = models.CharField(_("户主拼音首字母"), max_length=20, blank=True)
    created_at = models.DateTimeField(_("建档时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    # The history is read by record (id) and by date; copies of the registry's own lookup indexes would
    # only slow every write (each roster import writes a history row per household).
    history = HistoricalRecords(
        excluded_fields=["eligible", "eligibility_year", "eligibility_reasons", "needs_return_review"],
        no_db_index=["household_number", "natural_village", "village", "township"],
        user_db_constraint=False,  # see Member.history
    )

    class Meta:
        verbose_name = verbose_name_plural = _("贫困户")
        ordering = ["household_number"]
        indexes = [
            models.Index(fields=["township", "status"], name="household_township_status"),
            models.Index(fields=["village", "status"], name="household_village_status"),
            models.Index(fields=["head_name"], name="household_head_name", opclasses=["varchar_pattern_ops"]),
            models.Index(
                fields=["head_initials"], name="household_head_initials", opclasses=["varchar_pattern_ops"]
            ),
            # County-wide filters that match few rows: small partial indexes instead of a full scan.
            models.Index(fields=["township"], condition=Q(eligible=True), name="household_eligible"),
            models.Index(
                fields=["township"], condition=Q(needs_return_review=True), name="household_return_review"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="exited", exit_year__isnull=False) | ~Q(status="exited"),
                name="household_exited_has_year",
                violation_error_message=_("已脱贫户必须填写脱贫年度"),
            ),
            models.CheckConstraint(
                condition=Q(identified_year__gte=2013, identified_year__lte=2100),
                name="household_identified_year_range",
                violation_error_message=_("识别年度应在 2013 年之后"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.household_number} {self.head_name}".strip()

    # Validation is the services' work (households.services calls full_clean before each write); save()
    # only saves, so set-based writers (import, demo, recompute) are not slowed by per-row checks.

    def clean(self) -> None:
        if self.natural_village_id and (not self.village_id or not self.township_id):
            nv = self.natural_village
            self.village_id = nv.village_id
            self.township_id = nv.village.township_id


class Member(ChoiceLabels, models.Model):
    access_scope = household_scope("household", changers=(Role.TOWNSHIP_OFFICIAL, Role.VILLAGE_OFFICIAL))
    household = models.ForeignKey(
        Household,
        on_delete=models.PROTECT,
        related_name="members",
        verbose_name=pgettext_lazy("model field", "户"),
    )
    name = models.CharField(_("姓名"), max_length=50)
    id_number = models.CharField(
        _("身份证号"),
        max_length=18,
        unique=True,
        error_messages={
            "unique": _("身份证号已在登记中（一人不能属于两户）。"),
        },
    )
    disability_certificate = models.CharField(_("残疾证号"), max_length=22, blank=True)
    relation = models.CharField(_("与户主关系"), max_length=24, choices=choices.Relation.choices)
    sex = models.CharField(_("性别"), max_length=6, choices=choices.Sex.choices)
    ethnicity = models.CharField(_("民族"), max_length=20, default="汉族")
    education = models.CharField(_("文化程度"), max_length=12, choices=choices.Education.choices, blank=True)
    school_status = models.CharField(
        _("在校生状况"),
        max_length=12,
        choices=choices.SchoolStatus.choices,
        default=choices.SchoolStatus.NONE,
    )
    health = models.JSONField(_("健康状况"), default=list, blank=True, help_text=_("可多选"))
    labour = models.CharField(_("劳动能力"), max_length=12, choices=choices.Labour.choices, blank=True)
    migrant_work = models.CharField(
        _("务工状况"), max_length=16, choices=choices.MigrantWork.choices, default=choices.MigrantWork.NONE
    )
    health_insurance = models.BooleanField(_("参加城乡居民基本医疗保险"), default=True)
    pension = models.BooleanField(_("参加城乡居民基本养老保险"), default=False)
    left_reason = models.CharField(
        _("减少原因"), max_length=12, choices=choices.LeaveReason.choices, blank=True
    )
    left_on = models.DateField(_("减少日期"), null=True, blank=True)
    # Read by member (id) and by household (the household's history page); not by ID number.
    # The user who made a change is kept without a database foreign key: a roster import writes one
    # history row per record, and PostgreSQL checked each one's user at commit (150,000 checks for a
    # 100,000-member roster). The rows are written by this application with the signed-in user, and
    # deleting a user still sets theirs to null (Django's collector, not the database).
    history = HistoricalRecords(no_db_index=["id_number"], user_db_constraint=False)

    # A member's own details: the one list the pages, the API, the roster and the services take theirs
    # from (households.services.MemberData has these fields, typed).
    DETAIL_FIELDS = (
        "name",
        "id_number",
        "relation",
        "sex",
        "ethnicity",
        "education",
        "school_status",
        "health",
        "labour",
        "migrant_work",
        "health_insurance",
        "pension",
        "disability_certificate",
    )
    # What member_update corrects: 与户主关系 changes through head_change (户主变更) only.
    EDITABLE_FIELDS = tuple(f for f in DETAIL_FIELDS if f != "relation")

    class Meta:
        verbose_name = verbose_name_plural = _("家庭成员")
        ordering = ["household_id", "id"]
        indexes = [
            # The current members by household: the eligibility recompute counts them for every household
            # (households/eligibility.py) by reading this index alone, in household order, instead of
            # hashing the whole members table in each process of its plan (1.1 s against 4.6 s at
            # 4,000,000 members).
            models.Index(fields=["household"], condition=Q(left_reason=""), name="member_current_household"),
        ]
        constraints = [
            # Exactly one current 户主: the database holds "at most one"; services hold "at least one".
            models.UniqueConstraint(
                fields=["household"],
                condition=Q(relation="head", left_reason=""),
                name="member_one_current_head",
                violation_error_message=_("该户已有户主，一户只能有一名户主。"),
            ),
            models.CheckConstraint(
                condition=Q(id_number__regex=r"^[0-9]{17}[0-9X]$"),
                name="member_id_number_shape",
                violation_error_message=_("身份证号应为 17 位数字加 1 位数字或 X。"),
            ),
            models.CheckConstraint(
                condition=Q(left_reason="", left_on__isnull=True) | ~Q(left_reason=""),
                name="member_left_on_needs_reason",
                violation_error_message=_("填写减少日期时必须填写减少原因。"),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_current(self) -> bool:
        return not self.left_reason

    def clean(self) -> None:
        if self.id_number:
            validate_id_number(self.id_number)
            if self.sex and sex_code(self.id_number) != self.sex:
                raise ValidationError(
                    {
                        "sex": _("性别与身份证号不符（身份证号第 17 位表示{sex}）。").format(
                            sex=_("男") if sex_code(self.id_number) == "male" else _("女")
                        )
                    }
                )
        if self.disability_certificate:
            validate_disability_certificate(self.disability_certificate)
        unknown = set(self.health) - set(choices.Health.values)
        if unknown:
            raise ValidationError(
                {"health": _("健康状况取值无效: {values}").format(values="、".join(sorted(unknown)))}
            )


class Assessment(models.Model):
    """年度收入与保障情况: one per household and year."""

    access_scope = household_scope("household", changers=(Role.TOWNSHIP_OFFICIAL, Role.VILLAGE_OFFICIAL))

    household = models.ForeignKey(
        Household,
        on_delete=models.CASCADE,
        related_name="assessments",
        verbose_name=pgettext_lazy("model field", "户"),
        db_index=False,  # the unique (household, year) index serves it
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    wage_income = models.DecimalField(_("工资性收入"), max_digits=12, decimal_places=2, default=Decimal("0"))
    operating_income = models.DecimalField(
        _("生产经营性收入"), max_digits=12, decimal_places=2, default=Decimal("0")
    )
    property_income = models.DecimalField(
        _("财产性收入"), max_digits=12, decimal_places=2, default=Decimal("0")
    )
    transfer_income = models.DecimalField(
        _("转移性收入"), max_digits=12, decimal_places=2, default=Decimal("0")
    )
    operating_expense = models.DecimalField(
        _("生产经营性支出"), max_digits=12, decimal_places=2, default=Decimal("0")
    )
    # 两不愁三保障 and safe water: exit requires all six.
    food_secure = models.BooleanField(_("不愁吃"), default=False)
    clothing_secure = models.BooleanField(_("不愁穿"), default=False)
    education_secure = models.BooleanField(_("义务教育有保障"), default=False)
    medical_secure = models.BooleanField(_("基本医疗有保障"), default=False)
    housing_secure = models.BooleanField(_("住房安全有保障"), default=False)
    water_secure = models.BooleanField(_("饮水安全有保障"), default=False)
    member_count = models.PositiveSmallIntegerField(_("家庭人口"), default=0, help_text=_("评估时的在册人口"))
    per_capita_net_income = models.DecimalField(
        _("人均纯收入"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    recorded_at = models.DateTimeField(_("填报时间"), auto_now=True)
    # The eligibility decision for this year (households.eligibility): inputs are this row and the
    # current members; the line used and the rule version are kept beside the result.
    eligible = models.BooleanField(_("符合脱贫条件"), null=True, blank=True)
    # Database defaults too, so set-based inserts (generation, import) need not name these columns.
    eligibility_reasons = models.JSONField(_("不符合原因"), default=list, db_default=[], blank=True)
    poverty_line = models.DecimalField(
        _("适用扶贫标准"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    rule_version = models.CharField(_("规则版本"), max_length=20, blank=True, db_default="")
    decided_at = models.DateTimeField(_("判定时间"), null=True, blank=True)
    history = HistoricalRecords(
        excluded_fields=["eligible", "eligibility_reasons", "poverty_line", "rule_version", "decided_at"],
        user_db_constraint=False,  # see Member.history
    )

    class Meta:
        verbose_name = verbose_name_plural = _("年度收入与保障情况")
        ordering = ["household_id", "-year"]
        constraints = [
            models.UniqueConstraint(
                fields=["household", "year"],
                name="assessment_unique_year",
                violation_error_message=_("该户该年度已有收入与保障记录。"),
            ),
            models.CheckConstraint(
                condition=Q(
                    wage_income__gte=0,
                    operating_income__gte=0,
                    property_income__gte=0,
                    transfer_income__gte=0,
                    operating_expense__gte=0,
                ),
                name="assessment_amounts_not_negative",
                violation_error_message=_("收入和支出不能为负数。"),
            ),
        ]

    # The four incomes and the operating expense: 人均纯收入 = (incomes − expense) ÷ current members.
    INCOME_FIELDS = (
        "wage_income",
        "operating_income",
        "property_income",
        "transfer_income",
        "operating_expense",
    )
    SECURITY_FIELDS = (
        "food_secure",
        "clothing_secure",
        "education_secure",
        "medical_secure",
        "housing_secure",
        "water_secure",
    )

    def __str__(self) -> str:
        return f"{self.household_id} {self.year}"


class EligibilityRun(models.Model):
    """One recompute of the whole registry: what it checked and what it changed."""

    access_scope = Scope(public=True, readers=OFFICIALS)  # county-wide runs; their changes are scoped

    class Trigger(models.TextChoices):
        NIGHTLY = "nightly", _("每日定时")
        POVERTY_LINE = "poverty_line", _("扶贫标准变更")
        IMPORT = "import", _("导入后")
        MANUAL = "manual", _("手动")

    trigger = models.CharField(_("触发原因"), max_length=16, choices=Trigger.choices, default=Trigger.MANUAL)
    rule_version = models.CharField(_("规则版本"), max_length=20)
    started_at = models.DateTimeField(_("开始时间"), auto_now_add=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    households_checked = models.PositiveIntegerField(_("核查户数"), default=0)
    assessments_updated = models.PositiveIntegerField(_("更新评估数"), default=0)
    decisions_changed = models.PositiveIntegerField(_("结论变化户数"), default=0)
    became_eligible = models.PositiveIntegerField(_("新符合户数"), default=0)
    became_ineligible = models.PositiveIntegerField(_("不再符合户数"), default=0)
    job = models.ForeignKey(
        "core.Job", on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("任务")
    )

    class Meta:
        verbose_name = verbose_name_plural = _("脱贫条件重算")
        ordering = ["-started_at"]


class EligibilityChange(models.Model):
    """A household whose latest decision a run changed: before and after, with reasons."""

    access_scope = household_scope("household")

    # Written only by the recompute, a million at a time, from the households and the run it has just
    # read and created in the same transaction. A foreign-key constraint would check and lock the
    # referenced household and run once per row at commit (6.6 of 46 seconds at 1,000,000 households),
    # so there is none in the database; Django still cascades deletes (on_delete).
    # Rows arrive a run at a time, each run's in household order, so on PostgreSQL a BRIN index on each
    # column finds a run's rows and a household's rows (migration 0011): a B-tree on both cost 1.4–1.7 s of a
    # million-row insert, a BRIN next to nothing. SQLite (a county's demo) has no index on them.
    run = models.ForeignKey(
        EligibilityRun,
        on_delete=models.CASCADE,
        related_name="changes",
        verbose_name=_("重算"),
        db_constraint=False,
        db_index=False,
    )
    household = models.ForeignKey(
        Household,
        on_delete=models.CASCADE,
        related_name="eligibility_changes",
        verbose_name=pgettext_lazy("model field", "户"),
        db_constraint=False,
        db_index=False,
    )
    year = models.PositiveSmallIntegerField(_("评估年度"), null=True)
    eligible_before = models.BooleanField(_("原结论"), null=True)
    eligible_after = models.BooleanField(_("新结论"), null=True)
    reasons_before = models.JSONField(_("原原因"), default=list)
    reasons_after = models.JSONField(_("新原因"), default=list)

    class Meta:
        verbose_name = verbose_name_plural = _("脱贫条件变化")


class HelpPlan(models.Model):
    """一户一策: cause analysis, plan and measures for a year."""

    access_scope = household_scope("household", changers=(Role.TOWNSHIP_OFFICIAL, Role.VILLAGE_OFFICIAL))

    household = models.ForeignKey(
        Household,
        on_delete=models.CASCADE,
        related_name="help_plans",
        verbose_name=pgettext_lazy("model field", "户"),
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    cause_analysis = models.TextField(_("致贫原因分析"), blank=True)
    plan = models.TextField(_("脱贫计划"), blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = _("一户一策")
        constraints = [models.UniqueConstraint(fields=["household", "year"], name="help_plan_unique_year")]


class AssistanceMeasure(models.Model):
    access_scope = household_scope("household", changers=(Role.TOWNSHIP_OFFICIAL, Role.VILLAGE_OFFICIAL))
    household = models.ForeignKey(
        Household,
        on_delete=models.CASCADE,
        related_name="measures",
        verbose_name=pgettext_lazy("model field", "户"),
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    category = models.CharField(_("帮扶类别"), max_length=16, choices=choices.MeasureCategory.choices)
    description = models.CharField(_("措施"), max_length=200)
    # What the household gets, counted: 发展生产: 肉牛 2 头.
    kind = models.CharField(_("品种或项目"), max_length=50, blank=True)
    quantity = models.DecimalField(_("数量"), max_digits=10, decimal_places=2, null=True, blank=True)
    unit = models.CharField(_("单位"), max_length=10, blank=True)
    amount = models.DecimalField(_("金额（元）"), max_digits=12, decimal_places=2, null=True, blank=True)
    project = models.ForeignKey(
        "projects.Project",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="measures",
        verbose_name=pgettext_lazy("model field", "项目"),
    )

    class Meta:
        verbose_name = verbose_name_plural = _("帮扶措施")
        indexes = [models.Index(fields=["category", "year"], name="measure_category_year")]


class ExitApplication(ChoiceLabels, models.Model):
    """贫困户申请 → 村委会确定 → 民主评议 → 乡镇复核 → 县审批."""

    access_scope = household_scope(
        "household", changers=(Role.TOWNSHIP_OFFICIAL, Role.VILLAGE_OFFICIAL)
    )  # which step: the exit services

    household = models.ForeignKey(
        Household,
        on_delete=models.PROTECT,
        related_name="exit_applications",
        verbose_name=pgettext_lazy("model field", "户"),
    )
    year = models.PositiveSmallIntegerField(_("脱贫年度"))
    state = models.CharField(
        _("状态"), max_length=20, choices=choices.ExitState.choices, default=choices.ExitState.APPLIED
    )
    notice_ends_on = models.DateField(_("公示截止"), null=True, blank=True)
    created_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = _("脱贫申请")
        constraints = [
            # one open application per household at a time
            models.UniqueConstraint(
                fields=["household"],
                condition=~Q(state__in=["county_approved", "rejected"]),
                name="exit_application_one_open",
                violation_error_message=_("该户已有正在办理的脱贫申请。"),
            ),
        ]


class ExitStep(ChoiceLabels, models.Model):
    access_scope = household_scope("application__household")
    application = models.ForeignKey(
        ExitApplication, on_delete=models.CASCADE, related_name="steps", verbose_name=_("申请")
    )
    state = models.CharField(_("步骤"), max_length=20, choices=choices.ExitState.choices)
    decision = models.CharField(_("决定"), max_length=8, choices=choices.Decision.choices)
    comment = models.TextField(_("意见"), blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, verbose_name=_("办理人"))
    acted_at = models.DateTimeField(_("办理时间"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = _("脱贫程序步骤")
        ordering = ["application_id", "acted_at", "id"]


class ExitObjection(models.Model):
    """An objection recorded during a public notice (公示)."""

    access_scope = household_scope(
        "application__household", changers=(Role.TOWNSHIP_OFFICIAL, Role.VILLAGE_OFFICIAL)
    )

    application = models.ForeignKey(
        ExitApplication, on_delete=models.CASCADE, related_name="objections", verbose_name=_("申请")
    )
    raised_by = models.CharField(_("反映人"), max_length=50, blank=True)
    content = models.TextField(_("异议内容"))
    resolution = models.TextField(_("处理结果"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, verbose_name=_("记录人")
    )
    recorded_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = _("公示异议")


# The village and township exit procedure (出列 / 摘帽) keeps its models in its own subpackage.
from households.units.models import (  # noqa: E402, F401
    UnitExitApplication,
    UnitExitObjection,
    UnitExitStep,
)
