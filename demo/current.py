"""The demo county today: what a newcomer finds on the pages when the demo is loaded, whatever the date.

The 2016 report gives the county as it was; this adds work in progress around the day of loading:
- a poverty line for every year from 2017 to this year (the national series ends with 2020; later years
  carry the latest line forward as the province's line, marked as demo data);
- exit applications at each of the five steps (and one sent back), for poor households of several
  townships whose assessment of this year lets them exit, taken through the exit services by officials of
  the right role and place, with the steps dated over the past weeks;
- two revisit rounds: one that closed a few weeks ago with some households overdue, and one open round
  around today with some households visited and the rest still to do.

Only households outside the places whose 2016 figures the demo reproduces exactly are taken through to
county approval (they exit this year); the others stay 未脱贫 while their applications wait. The 2016
figures are unchanged: no 2015 or 2016 assessment changes, and the lines of those years are the national
ones.
"""

from __future__ import annotations

import datetime
import random
import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, Q
from django.utils import timezone

from accounts.models import Role, User
from assignments.models import Pairing, Revisit, RevisitRound
from demo import people, texts
from demo.accounts import DEMO_VILLAGE, DEMO_VILLAGE_TOWNSHIP, demo_cadre
from households import choices
from households.eligibility import poverty_line_for
from households.exit.services import (
    exit_application_advance,
    exit_application_create,
    exit_objection_record,
    exit_objection_resolve,
)
from households.models import ExitApplication, ExitObjection, ExitStep, Household, PovertyLine
from households.services import assessment_record
from villages.models import AdministrativeVillage, Township

SEED = 2017
E = choices.ExitState
# The national series (households migration 0003) ends with 2020; later years carry the latest line on.
LINE_NOTE = "演示数据：沿用 {year} 年标准"
LINES_FROM = 2017

CANDIDATE = ""  # assessed able to exit this year, not put forward yet: the village's 申请 page lists them
# Exit applications per township (and village): how many stop at each state (CANDIDATE: none yet).
# None = the township's non-poor village with the most poor households. Only townships whose 2016 status
# figures are not pinned reach 县审批 (姜驿乡 and 新华乡 stay all 未脱贫, 平田乡's exits stay those of 2015),
# and never in a poor village (the report's poor villages keep their incidence).
EXIT_PLAN: list[tuple[str, str | None, dict[str, int]]] = [
    (DEMO_VILLAGE_TOWNSHIP, DEMO_VILLAGE, {CANDIDATE: 2, E.APPLIED: 2, E.VILLAGE_CONFIRMED: 2,
                                           E.ASSEMBLY_REVIEWED: 1, E.TOWNSHIP_VERIFIED: 1, E.REJECTED: 1}),
    ("姜驿乡", None, {E.ASSEMBLY_REVIEWED: 3}),
    ("羊街镇", None, {E.APPLIED: 2, E.COUNTY_APPROVED: 2}),
    ("江边乡", None, {E.VILLAGE_CONFIRMED: 2, E.COUNTY_APPROVED: 1}),
    ("物茂乡", None, {E.ASSEMBLY_REVIEWED: 1, E.TOWNSHIP_VERIFIED: 1, E.COUNTY_APPROVED: 1}),
    ("凉山乡", None, {E.TOWNSHIP_VERIFIED: 2, E.COUNTY_APPROVED: 1}),
    ("新华乡", None, {E.VILLAGE_CONFIRMED: 1, E.TOWNSHIP_VERIFIED: 1}),
]  # fmt: skip
ORDER = (E.APPLIED, E.VILLAGE_CONFIRMED, E.ASSEMBLY_REVIEWED, E.TOWNSHIP_VERIFIED, E.COUNTY_APPROVED)

COMMENTS = {
    E.APPLIED: "户主本人提出脱贫申请，家庭收入稳定。",
    E.VILLAGE_CONFIRMED: "经村委会入户核实，年人均纯收入超过扶贫标准，列入脱贫名单。",
    E.ASSEMBLY_REVIEWED: "村民代表大会评议通过，张榜公示。",
    E.TOWNSHIP_VERIFIED: "乡复核验收组入户核查，两不愁三保障均已实现，收入核算无误。",
    E.COUNTY_APPROVED: "县扶贫开发领导小组审批认定，同意脱贫。",
}
REJECT_REASON = "村民代表大会评议认为该户收入以临时务工为主，尚不稳定，暂缓脱贫，明年重新评议。"
OBJECTION = "反映该户家中有人长期患病，医疗支出较大，收入核算可能偏高。"
OBJECTION_BY = "同组村民"
OBJECTION_RESOLVED = "经入户核实，患病成员已纳入大病保险和医疗救助，自付部分已计入支出，收入核算无误。"

# Revisit rounds are six weeks long: the open one runs three weeks either side of today.
ROUND_DAYS = 42
OPEN_BEFORE = 21


def load_current(region_code: str, log: Callable[[str], None], *, today: datetime.date | None = None) -> None:
    today = today or timezone.localdate()
    rng = random.Random(SEED)
    lines = poverty_lines_fill(region_code, today)
    log(f"扶贫标准：补齐 {len(lines)} 年（{LINES_FROM}—{today.year} 年缺少的年度）")
    closed, current = revisit_rounds(rng, today)
    log(
        f"回访轮次：{closed.name}（已截止，{_visited(closed)} 户已走访）；"
        f"{current.name}（进行中，{_visited(current)} 户已走访）"
    )
    states = exit_applications(rng, region_code, today)
    log("脱贫申请：" + "，".join(f"{E(s).label} {n} 户" for s, n in states.items()))


def _visited(rnd: RevisitRound) -> int:
    return rnd.revisits.values("household").distinct().count()


# -- poverty lines -------------------------------------------------------------------------------------


def poverty_lines_fill(region_code: str, today: datetime.date) -> list[PovertyLine]:
    """A line for each year from 2017 to this year that the county has none for: the latest earlier line,
    as the province's own (the table is per year and may be set per province, DESIGN.md §3)."""
    province = region_code[:2] + "0000"
    added = []
    latest: tuple[int, Decimal] | None = None
    for year in range(LINES_FROM - 1, today.year + 1):
        amount = poverty_line_for(year=year, region_code=region_code)
        if amount is not None:
            latest = (year, amount)
        elif latest is not None and year >= LINES_FROM:
            added.append(
                PovertyLine.objects.create(
                    year=year, region_code=province, amount=latest[1], note=LINE_NOTE.format(year=latest[0])
                )
            )
    return added


# -- revisit rounds --------------------------------------------------------------------------------------


def _round(start: datetime.date) -> RevisitRound:
    """Rounds are numbered by their six-week block of the year, so two of them never share a number."""
    number = (start - datetime.date(start.year, 1, 1)).days // ROUND_DAYS + 1
    return RevisitRound(
        year=start.year,
        number=number,
        name=f"{start.year}年第{number}轮",
        starts_on=start,
        ends_on=start + datetime.timedelta(days=ROUND_DAYS - 1),
    )


def revisit_rounds(rng: random.Random, today: datetime.date) -> tuple[RevisitRound, RevisitRound]:
    """The round open today and the one before it, which closed three weeks ago.

    Most cadres visited all their households in the closed round; a few lag, and their missed households
    are overdue (the 转走访 reminders). In the open round about half the households are visited so far. The
    demo cadre's households (the cadre login) get some of each."""
    current = _round(today - datetime.timedelta(days=OPEN_BEFORE))
    closed = _round(current.starts_on - datetime.timedelta(days=ROUND_DAYS))
    RevisitRound.objects.bulk_create([closed, current])

    paired = (
        Pairing.objects.filter(ended_on__isnull=True, household__status__in=choices.COUNTED_STATUSES)
        .annotate(size=Count("household__members", filter=Q(household__members__left_reason="")))
        .order_by("household__household_number")
        .values_list(
            "household_id",
            "cadre_id",
            "household__natural_village__latitude",
            "household__natural_village__longitude",
            "size",
        )
    )
    by_cadre = defaultdict(list)
    for row in paired:
        by_cadre[row[1]].append(row)
    village = AdministrativeVillage.objects.filter(
        name=DEMO_VILLAGE, township__name=DEMO_VILLAGE_TOWNSHIP
    ).first()
    shown = demo_cadre(village) if village else None

    revisits = []
    for cadre_id in sorted(by_cadre):
        rows = by_cadre[cadre_id]
        lagging = rng.random() < 0.12
        if shown is not None and cadre_id == shown.pk:
            # closed: all but the last visited (one overdue); open: the first half visited so far
            closed_done = [i < len(rows) - 1 for i in range(len(rows))]
            open_done = [i < max(1, len(rows) // 2) for i in range(len(rows))]
        else:
            closed_done = [rng.random() < (0.45 if lagging else 0.97) for _ in rows]
            open_done = [rng.random() < (0.2 if lagging else 0.55) for _ in rows]
        for row, done_closed, done_open in zip(rows, closed_done, open_done, strict=True):
            if done_closed:
                revisits.append(_revisit(rng, row, closed, closed.ends_on))
            if done_open:
                revisits.append(_revisit(rng, row, current, today))
    Revisit.objects.bulk_create(revisits, batch_size=2000)
    return closed, current


def _revisit(rng: random.Random, row: tuple, rnd: RevisitRound, last: datetime.date) -> Revisit:
    household_id, cadre_id, latitude, longitude, size = row
    home = rng.random() < 0.8
    visited = rnd.starts_on + datetime.timedelta(days=rng.randint(0, (last - rnd.starts_on).days))
    return Revisit(
        household_id=household_id,
        cadre_id=cadre_id,
        round=rnd,
        visited_on=visited,
        kind=Revisit.Kind.HOME if home else Revisit.Kind.PHONE,
        situation=rng.choice(texts.SITUATIONS).format(n=size),
        problems=rng.choice(texts.PROBLEMS),
        help_given=rng.choice(texts.HELP_GIVEN),
        client_uuid=uuid.UUID(int=rng.getrandbits(128), version=4),
        latitude=(latitude + Decimal(f"{rng.uniform(-0.003, 0.003):.6f}")) if home else None,
        longitude=(longitude + Decimal(f"{rng.uniform(-0.003, 0.003):.6f}")) if home else None,
        location_accuracy=round(rng.uniform(8, 60), 1) if home else None,
    )


# -- exit applications -----------------------------------------------------------------------------------


@dataclass
class Officials:
    """The officials who take the steps: a village committee clerk, a township official, the county's."""

    rng: random.Random
    county: User | None = None
    villages: dict[int, User] = field(default_factory=dict)
    townships: dict[int, User] = field(default_factory=dict)

    def _make(self, username: str, role: str, **scope) -> User:
        # Staff of the demo county: fictional names, no password (they take steps; nobody logs in as them).
        sex = choices.Sex.MALE if self.rng.random() < 0.6 else choices.Sex.FEMALE
        name = people.surname_for(self.rng, "汉族") + people.given_name(self.rng, sex, 40)
        user = User(username=username, role=role, first_name=name, **scope)
        user.set_unusable_password()
        user.full_clean()
        user.save()
        return user

    def village(self, village: AdministrativeVillage) -> User:
        if village.pk not in self.villages:
            self.villages[village.pk] = self._make(
                f"cw{village.code}", Role.VILLAGE_OFFICIAL, village=village
            )
        return self.villages[village.pk]

    def township(self, township: Township) -> User:
        if township.pk not in self.townships:
            self.townships[township.pk] = self._make(
                f"xz{township.code}", Role.TOWNSHIP_OFFICIAL, township=township
            )
        return self.townships[township.pk]

    def for_state(self, state: str, household: Household) -> User:
        if state in (E.APPLIED, E.VILLAGE_CONFIRMED, E.ASSEMBLY_REVIEWED, E.REJECTED):
            return self.village(household.village)
        if state == E.TOWNSHIP_VERIFIED:
            return self.township(household.township)
        if self.county is None:
            self.county = self._make("xfpb", Role.COUNTY_ADMIN)
        return self.county


def _exit_village(township: str, village: str | None) -> AdministrativeVillage:
    villages = AdministrativeVillage.objects.filter(township__name=township).select_related("township")
    if village:
        return villages.get(name=village)
    # Not a poor village: the 2016 report's poor villages keep their incidence.
    return (
        villages.filter(is_poor=False)
        .annotate(poor=Count("households", filter=Q(households__status=choices.Status.POOR)))
        .order_by("-poor", "code")
        .first()
    )


def _candidates(village: AdministrativeVillage, n: int) -> list[Household]:
    """Poor households of the village with members, not followed by 防返贫监测, none with an application."""
    return list(
        Household.objects.filter(village=village, status=choices.Status.POOR)
        .filter(members__left_reason="")
        .exclude(monitoring_objects__isnull=False)
        .exclude(exit_applications__isnull=False)
        .select_related("village", "township__county")
        .distinct()
        .order_by("household_number")[:n]
    )


def _assessment_values(rng: random.Random, line: Decimal, size: int) -> dict:
    """This year's income, comfortably above the line (and below twice it, where the 错评 check looks),
    and all six guarantees met (两不愁三保障 and safe water: exit requires all six)."""
    per_capita = Decimal(rng.randrange(int(line) + 600, int(line) * 2 - 600))
    net = per_capita * size
    expense = (net * Decimal(rng.uniform(0.1, 0.25))).quantize(Decimal("1"))
    gross = net + expense
    wage = (gross * Decimal(rng.uniform(0.35, 0.6))).quantize(Decimal("1"))
    transfer = (gross * Decimal(rng.uniform(0.05, 0.15))).quantize(Decimal("1"))
    return {
        "wage_income": wage,
        "operating_income": gross - wage - transfer,
        "property_income": Decimal(0),
        "transfer_income": transfer,
        "operating_expense": expense,
        **{field: True for field in ("food_secure", "clothing_secure", "education_secure")},
        **{field: True for field in ("medical_secure", "housing_secure", "water_secure")},
    }


def _schedule(state: str, today: datetime.date, i: int) -> list[datetime.date]:
    """The days of the steps up to ``state``: the application first, each 公示 over before the next step.

    Some applications are still in their 公示 today (the first of each state that starts one)."""
    notice = settings.PUBLIC_NOTICE_DAYS
    day = datetime.timedelta
    if state == E.APPLIED:
        return [today - day(2 + i)]
    if state == E.VILLAGE_CONFIRMED:
        return [today - day(12 + i), today - day(8 + i)]
    if state == E.REJECTED:
        return [today - day(20), today - day(16), today - day(10)]
    if state == E.ASSEMBLY_REVIEWED:
        reviewed = today - day(2 if i == 0 else notice + 3 + i)
        return [reviewed - day(8), reviewed - day(4), reviewed]
    if state == E.TOWNSHIP_VERIFIED:
        verified = today - day(1 if i == 0 else notice + 6 + i)
        reviewed = verified - day(notice + 2)
        return [reviewed - day(8), reviewed - day(4), reviewed, verified]
    approved = today - day(20 + 3 * i)
    verified = approved - day(notice + 3)
    reviewed = verified - day(notice + 2)
    return [reviewed - day(8), reviewed - day(4), reviewed, verified, approved]


def _at(day: datetime.date, minutes: int) -> datetime.datetime:
    return timezone.make_aware(
        datetime.datetime.combine(day, datetime.time(9, 30)) + datetime.timedelta(minutes=minutes)
    )


def exit_applications(rng: random.Random, region_code: str, today: datetime.date) -> dict[str, int]:
    """Applications through the exit services, then dated to the days their steps were taken."""
    year = today.year
    line = poverty_line_for(year=year, region_code=region_code)
    officials = Officials(rng)
    objected: set[str] = set()  # one application under 公示 with an objection open, one with it answered
    made: dict[str, int] = {state: 0 for state in (*ORDER, E.REJECTED)}
    for township, village_name, plan in EXIT_PLAN:
        village = _exit_village(township, village_name)
        households = iter(_candidates(village, sum(plan.values())))
        clerk = officials.village(village)
        for state, count in plan.items():
            for i in range(count):
                household = next(households)
                size = household.members.filter(left_reason="").count()
                assessment_record(
                    household=household, year=year, user=clerk, **_assessment_values(rng, line, size)
                )
                if state == CANDIDATE:
                    continue
                days = _schedule(state, today, i)
                objection = i == 0 and state in (E.ASSEMBLY_REVIEWED, E.TOWNSHIP_VERIFIED)
                _take_steps(
                    officials, household, year, state, days, objection=objection and state not in objected
                )
                if objection:
                    objected.add(state)
                made[state] += 1
    return made


def _take_steps(
    officials: Officials,
    household: Household,
    year: int,
    state: str,
    days: list[datetime.date],
    *,
    objection: bool,
) -> ExitApplication:
    clerk = officials.village(household.village)
    application = exit_application_create(
        household=household, year=year, user=clerk, comment=COMMENTS[E.APPLIED]
    )
    targets = ORDER[1 : len(days)]
    objections: list[tuple[ExitObjection, datetime.date]] = []
    for target, on in zip(targets, days[1:], strict=True):
        actor = officials.for_state(target, household)
        if state == E.REJECTED and target == E.ASSEMBLY_REVIEWED:
            exit_application_advance(
                application=application, user=actor, decision=choices.Decision.REJECT,
                comment=REJECT_REASON, on=on,
            )  # fmt: skip
            break
        if objections and target == E.TOWNSHIP_VERIFIED:
            # an objection raised in the 民主评议 公示, checked and answered before 乡镇复核
            exit_objection_resolve(objection=objections[-1][0], user=clerk, resolution=OBJECTION_RESOLVED)
        application = exit_application_advance(
            application=application, user=actor, decision=choices.Decision.APPROVE,
            comment=COMMENTS[target], on=on,
        )  # fmt: skip
        if objection and target == E.ASSEMBLY_REVIEWED:
            # under 公示 today, the objection is still open; one verified since had it answered first
            raised = on + datetime.timedelta(days=1)
            found = exit_objection_record(
                application=application, user=clerk, content=OBJECTION, raised_by=OBJECTION_BY, on=raised
            )
            objections.append((found, raised))
    # The services stamp the time of loading: date each record to the day its step was taken.
    steps = list(application.steps.order_by("id"))
    for n, (step, on) in enumerate(zip(steps, days, strict=False)):
        ExitStep.objects.filter(pk=step.pk).update(acted_at=_at(on, 7 * n))
    for found, raised in objections:
        ExitObjection.objects.filter(pk=found.pk).update(recorded_at=_at(raised, 90))
    ExitApplication.objects.filter(pk=application.pk).update(
        created_at=_at(days[0], 0), updated_at=_at(days[len(steps) - 1], 7 * (len(steps) - 1))
    )
    return application
