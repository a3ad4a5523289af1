"""Demo data of 防返贫监测: monitoring lines 2021..this year, monitoring objects of each kind at different
steps (脱贫不稳定户 from exited households, 边缘易致贫户 from new 一般农户, 突发严重困难户 from poor ones), and a
handful of planted data-quality suspects (a phone shared by four households). The figures of the registry are unchanged: 一般农户 count nowhere."""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.db import connection
from django.utils import timezone

from core.idnumbers import check_char
from households import choices
from households.models import Household, NaturalVillage
from households.services import MemberData, household_create
from monitoring.choices import RISK_TYPES, FoundBy, Kind, State
from monitoring.models import MonitoringLine, MonitoringObject
from monitoring.quality import quality_run

PER_KIND = 30
LINES = {2021: 6000, 2022: 6500, 2023: 7000, 2024: 7400, 2025: 7800}
STATES = (
    State.FOUND,
    State.VILLAGE_CHECKED,
    State.TOWNSHIP_REVIEWED,
    State.MONITORED,
    State.CLEARING,
    State.CLEARED,
)
SURNAMES = "李王张刘陈杨赵黄周吴"
GIVEN = ("建国", "玉兰", "志强", "秀英", "国华", "春梅", "德明", "桂芳", "永福", "丽华")


def _id_number(region: str, i: int, sex_odd: bool) -> str:
    born = datetime.date(1962, 1, 1) + datetime.timedelta(days=97 * i)
    seq = 700 + (i % 99) * 2 + (1 if sex_odd else 0)
    first17 = f"{region}{born:%Y%m%d}{seq:03d}"
    return first17 + check_char(first17)


def _state_fields(state: str, identified: datetime.date) -> dict:
    fields = {"state": state}
    if state in (State.MONITORED, State.CLEARING, State.CLEARED):
        fields.update(
            monitored_on=identified + datetime.timedelta(days=30), help_measures="落实医疗救助和公益性岗位"
        )
        fields["stable_since"] = fields["monitored_on"]
    if state == State.CLEARING:
        fields["notice_ends_on"] = timezone.localdate() + datetime.timedelta(days=5)
    if state == State.CLEARED:
        fields["cleared_on"] = identified + datetime.timedelta(days=240)
    return fields


def load_monitoring(region_code: str, log: Callable[[str], None]) -> None:
    today = timezone.localdate()
    province = region_code[:2] + "0000"
    for year in range(2021, today.year + 1):
        MonitoringLine.objects.update_or_create(
            province_code=province,
            year=year,
            defaults={"income_line": LINES.get(year, 8000), "stable_months": 6, "note": "演示数据"},
        )
    objects = []

    def add(household, kind, i, found_by, risk, reason):
        identified = today - datetime.timedelta(days=20 + 23 * i)
        objects.append(
            MonitoringObject(
                household=household,
                kind=kind,
                risk_types=[risk],
                found_by=found_by,
                reason=reason,
                identified_on=identified,
                **_state_fields(STATES[i % len(STATES)], identified),
            )
        )

    exited = Household.objects.filter(status=choices.Status.EXITED).order_by("id")[:PER_KIND]
    for i, household in enumerate(exited):
        add(household, Kind.UNSTABLE, i, FoundBy.VISIT, RISK_TYPES[i % 7], "干部走访发现收入下降")
    poor = Household.objects.filter(status=choices.Status.POOR).order_by("-id")[:PER_KIND]
    for i, household in enumerate(poor):
        add(
            household,
            Kind.SUDDEN,
            i,
            FoundBy.ALERT,
            "因意外事故" if i % 2 else "因病",
            "医保部门预警：大额医疗费用",
        )
    places = list(
        NaturalVillage.objects.filter(village__township__county__region_code=region_code).order_by("id")
    )
    for i in range(PER_KIND):
        name = SURNAMES[i % 10] + GIVEN[(i * 3) % 10]
        household = household_create(
            household_number=f"YB{region_code}{i + 1:05d}",
            natural_village=places[(i * 7) % len(places)],
            attribute=choices.Attribute.GENERAL,
            main_cause=choices.Cause.OTHER,
            identified_year=2021,
            status=choices.Status.GENERAL,
            phone="",
            members=[
                MemberData(
                    name=name,
                    id_number=_id_number(region_code, i, True),
                    relation=choices.Relation.HEAD,
                    sex="male",
                )
            ],
        )
        add(
            household,
            Kind.MARGINAL,
            i,
            FoundBy.DECLARED,
            RISK_TYPES[(i + 3) % 7],
            "农户自主申报：收入低于监测标准",
        )
    MonitoringObject.objects.bulk_create(objects)
    log(
        f"防返贫监测：监测标准 {today.year - 2020} 年，监测对象 {len(objects)} 户（含一般农户 {PER_KIND} 户）"
    )

    # Planted suspects.
    shared = Household.objects.filter(status=choices.Status.POOR).order_by("id")[:4]
    Household.objects.filter(pk__in=[h.pk for h in shared]).update(phone="13987800000")
    if connection.vendor != "postgresql":
        # The checks are set-based PostgreSQL (upserts, md5): the first-run SQLite database goes without.
        log("数据质量疑点：需要 PostgreSQL，SQLite 上不检查")
        return
    counts = quality_run()
    log("数据质量疑点：" + "，".join(f"{code} {n}" for code, n in counts.items()))
