"""Enumerations of 防返贫监测 (DESIGN.md §2 "After exit")."""

from django.db import models


class Kind(models.TextChoices):
    UNSTABLE = "unstable", "脱贫不稳定户"
    MARGINAL = "marginal", "边缘易致贫户"
    SUDDEN = "sudden", "突发严重困难户"


class FoundBy(models.TextChoices):
    DECLARED = "declared", "农户自主申报"
    VISIT = "visit", "干部走访排查"
    ALERT = "alert", "部门筛查预警"


class State(models.TextChoices):
    FOUND = "found", "发现"
    VILLAGE_CHECKED = "village_checked", "村级核实"
    TOWNSHIP_REVIEWED = "township_reviewed", "乡镇审核"
    MONITORED = "monitored", "纳入监测"
    CLEARING = "clearing", "风险消除公示"
    CLEARED = "cleared", "风险消除"
    REJECTED = "rejected", "不纳入"


OPEN_STATES = (State.FOUND, State.VILLAGE_CHECKED, State.TOWNSHIP_REVIEWED, State.MONITORED, State.CLEARING)


class Severity(models.TextChoices):
    HIGH = "high", "严重"
    MEDIUM = "medium", "一般"
    LOW = "low", "提示"


# Seeded risk types; more are data (MonitoringObject.risk_types holds any names).
RISK_TYPES = ("因病", "因残", "因学", "因灾", "因意外事故", "因务工就业不稳", "因产业项目失败", "其他")


class Department(models.TextChoices):
    MEDICAL = "medical", "医保"
    CIVIL = "civil", "民政"
    DISABILITY = "disability", "残联"
    EMERGENCY = "emergency", "应急"
    OTHER = "other", "其他"


# The risk an alert of each department raises when its row names none.
DEPARTMENT_RISK = {
    Department.MEDICAL: "因病",
    Department.CIVIL: "低保特困变化",
    Department.DISABILITY: "因残",
    Department.EMERGENCY: "因灾",
    Department.OTHER: "其他",
}
