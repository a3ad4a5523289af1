"""Enumerations of 防返贫监测 (DESIGN.md §2 "After exit")."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    UNSTABLE = "unstable", _("脱贫不稳定户")
    MARGINAL = "marginal", _("边缘易致贫户")
    SUDDEN = "sudden", _("突发严重困难户")


class FoundBy(models.TextChoices):
    DECLARED = "declared", _("农户自主申报")
    VISIT = "visit", _("干部走访排查")
    ALERT = "alert", _("部门筛查预警")


class State(models.TextChoices):
    FOUND = "found", _("发现")
    VILLAGE_CHECKED = "village_checked", _("村级核实")
    TOWNSHIP_REVIEWED = "township_reviewed", _("乡镇审核")
    MONITORED = "monitored", _("纳入监测")
    CLEARING = "clearing", _("风险消除公示")
    CLEARED = "cleared", _("风险消除")
    REJECTED = "rejected", _("不纳入")


OPEN_STATES = (State.FOUND, State.VILLAGE_CHECKED, State.TOWNSHIP_REVIEWED, State.MONITORED, State.CLEARING)


class Severity(models.TextChoices):
    HIGH = "high", _("严重")
    MEDIUM = "medium", _("一般")
    LOW = "low", _("提示")


# Seeded risk types; more are data (MonitoringObject.risk_types holds any names).
RISK_TYPES = ("因病", "因残", "因学", "因灾", "因意外事故", "因务工就业不稳", "因产业项目失败", "其他")


class Department(models.TextChoices):
    MEDICAL = "medical", _("医保")
    CIVIL = "civil", _("民政")
    DISABILITY = "disability", _("残联")
    EMERGENCY = "emergency", _("应急")
    OTHER = "other", _("其他")


# The risk an alert of each department raises when its row names none.
DEPARTMENT_RISK = {
    Department.MEDICAL: "因病",
    Department.CIVIL: "低保特困变化",
    Department.DISABILITY: "因残",
    Department.EMERGENCY: "因灾",
    Department.OTHER: "其他",
}
