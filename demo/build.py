"""Build the demo county 元谋县 from the 2016 report (fixtures/SOURCES.md says which figure goes where).

Everything is generated with random.Random(2016), so two runs on empty databases give the same data.
The county's work in progress around the day of loading (exit applications, revisit rounds, this year's
poverty line) comes last, from demo/current.py.
Rows are written with bulk_create, which skips Model.save validation: the generators make only valid
rows (ID numbers, one current head, ages agreeing with relations).
"""

import datetime
import random
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal

from django.db import transaction
from django.db.models import Sum

from assignments.models import Cadre, Pairing, Revisit, RevisitRound, WorkUnit, WorkUnitVillage
from demo import geography, people, texts, units
from demo.current import load_current
from demo.monitoring import load_monitoring
from households import choices
from households.eligibility import eligibility_recompute
from households.models import Assessment, AssistanceMeasure, EligibilityRun, HelpPlan, Household, Member
from households.services import pinyin_initials, village_figures_refresh
from projects.models import (
    FundingSource,
    ProgressEntry,
    Project,
    Relocation,
    RelocationSite,
    Target,
    Training,
)
from villages.models import (
    AdministrativeVillage,
    County,
    ExitIndicator,
    NaturalVillage,
    Township,
    VillageFigures,
    VillageIndicatorStatus,
)

SEED = 2016
BATCH = 2000
S = choices.Status
M = choices.MeasureCategory
LINES = {2015: Decimal("2855"), 2016: Decimal("2952")}  # 国家扶贫标准 of the year


class DemoExists(Exception):
    pass


@dataclass
class Group:
    """A set of households generated alike: so many households with exactly so many persons."""

    township: str
    households: int
    persons: int
    status: str = S.POOR
    villages: list[str] | None = None  # restrict to these administrative villages
    naturals: list[str] | None = None  # restrict to these natural villages
    measures: tuple[str, ...] = ()
    site: str | None = None  # relocated in 2016 to this relocation site
    tag: str = ""


@dataclass
class HouseholdDraft:
    obj: Household
    group: Group
    persons: list[people.Person]
    members: list[Member] = field(default_factory=list)

    @property
    def counted(self) -> bool:
        return self.obj.status != S.REMOVED


# Relocation sites: (name, township, village or None, planned households, planned persons,
# relocated in 2016 households, persons). Townships of the sites are an assumption (SOURCES.md).
SITES = [
    ("平地安置点", "平田乡", "平田村", 60, 230, 40, 160),
    ("怕地安置点", "平田乡", "怕地村", 56, 226, 56, 226),
    ("阿拉益安置点", "江边乡", "阿拉益村", 90, 340, 60, 245),
    ("小龙潭安置点", "江边乡", "小龙潭村", 70, 262, 45, 182),
    ("贡茶安置点", "姜驿乡", "贡茶村", 150, 520, 100, 400),
    ("法帕安置点", "姜驿乡", "法帕村", 130, 460, 90, 360),
    ("花园安置点", "物茂乡", "花园村", 80, 300, 50, 205),
    ("公路梁子安置点", "凉山乡", "公路梁子村", 75, 280, 45, 180),
    ("小丙间安置点", "新华乡", "小丙间村", 70, 262, 40, 164),
    ("把度安置点", "新华乡", "把度村", 62, 235, 35, 144),
    ("甘塘片区搬迁新村", "元马镇", None, 105, 440, 60, 244),
]
MOVED_IN_SITES = {"贡茶安置点", "甘塘片区搬迁新村", "怕地安置点"}


def household_groups() -> list[Group]:
    """The counted households per township, split so every figure of the source comes out exactly."""
    site = {name: (hh, pp) for name, _t, _v, _ph, _pp, hh, pp in SITES}
    g: list[Group] = []
    # 姜驿乡: 1436 户 5000 人, all 未脱贫; 五个一批 groups reproduce 841/2778, 460/1595, 91/341,
    # 115/443, 101/309 (172 relocation households also get 发展生产).
    j = "姜驿乡"
    g += [
        Group(j, 669, 2312, measures=(M.PRODUCTION,)),
        Group(j, 172, 466, measures=(M.RELOCATION, M.PRODUCTION), tag="jy_relocation"),
        Group(j, *site["贡茶安置点"], measures=(M.RELOCATION,), site="贡茶安置点", tag="jy_relocation"),
        Group(j, *site["法帕安置点"], measures=(M.RELOCATION,), site="法帕安置点", tag="jy_relocation"),
        Group(j, 98, 369, measures=(M.RELOCATION,), tag="jy_relocation"),
        Group(j, 91, 341, measures=(M.EDUCATION,)),
        Group(j, 115, 443, measures=(M.ECOLOGICAL,)),
        Group(j, 101, 309, measures=(M.SOCIAL_SECURITY,)),
    ]
    # 平田乡: 444 户 1769 人 counted, of which 83 户 340 人 exited in 2015; 25 户 removed.
    p = "平田乡"
    g += [
        Group(p, 83, 340, status=S.EXITED),
        Group(p, *site["怕地安置点"], villages=["怕地村"], site="怕地安置点", tag="paidi"),
        Group(p, *site["平地安置点"], villages=["平田村"], site="平地安置点"),
        Group(p, 63, 250, naturals=["那蚌", "小己保", "龙坪"], tag="nabang"),
        Group(p, 202, 793),
        Group(p, 25, 95, status=S.REMOVED),
    ]
    # 新华乡: 576 户 1960 人 (≥ the 2017 target of 538 户 1700 人).
    x = "新华乡"
    g += [
        Group(x, *site["小丙间安置点"], site="小丙间安置点"),
        Group(x, *site["把度安置点"], site="把度安置点"),
        Group(x, 133, 440, tag="livestock"),
        Group(x, 368, 1212),
    ]
    g += [
        Group("元马镇", 48, 150),
        Group("黄瓜园镇", 62, 200),
        Group("羊街镇", 60, 200, status=S.EXITED),
        Group("羊街镇", 8, 30, status=S.RETURNED),
        Group("羊街镇", 30, 122, site="甘塘片区搬迁新村"),
        Group("羊街镇", 622, 2168),
        Group("老城乡", 30, 100, status=S.EXITED),
        Group("老城乡", 30, 122, site="甘塘片区搬迁新村"),
        Group("老城乡", 550, 1928),
        Group("物茂乡", 50, 170, status=S.EXITED),
        Group("物茂乡", 5, 18, status=S.RETURNED),
        Group("物茂乡", *site["花园安置点"], site="花园安置点"),
        Group("物茂乡", 415, 1387),
        Group("江边乡", 40, 140, status=S.EXITED),
        Group("江边乡", *site["阿拉益安置点"], site="阿拉益安置点"),
        Group("江边乡", *site["小龙潭安置点"], site="小龙潭安置点"),
        Group("江边乡", 495, 1743),
        Group("凉山乡", 30, 105, status=S.EXITED),
        Group("凉山乡", *site["公路梁子安置点"], site="公路梁子安置点"),
        Group("凉山乡", 522, 1845),
    ]
    return g


CAUSE_WEIGHTS = {
    choices.Cause.CAPITAL: 25,
    choices.Cause.SKILLS: 18,
    choices.Cause.ILLNESS: 14,
    choices.Cause.LABOUR: 8,
    choices.Cause.DISABILITY: 6,
    choices.Cause.SCHOOLING: 6,
    choices.Cause.TRANSPORT: 6,
    choices.Cause.WATER: 5,
    choices.Cause.LAND: 4,
    choices.Cause.MOTIVATION: 4,
    choices.Cause.DISASTER: 2,
    choices.Cause.MARRIAGE: 1,
    choices.Cause.OTHER: 1,
}


def _bulk(model, rows: list, log: Callable[[str], None] | None = None, label: str = "") -> list:
    created = model.objects.bulk_create(rows, batch_size=BATCH)
    if log and label:
        log(f"  {label}: {len(created)} 条")
    return created


def _yuan(value: float) -> Decimal:
    return Decimal(int(value))


class Builder:
    def __init__(self, log: Callable[[str], None]):
        self.log = log
        self.rng = random.Random(SEED)
        self.ids = people.IdNumbers(self.rng)

    # ---------------------------------------------------------------- geography
    def geography(self) -> None:
        rng = self.rng
        self.county = County.objects.create(
            name=geography.COUNTY_NAME,
            region_code=geography.REGION_CODE,
            prefecture=geography.PREFECTURE,
            is_poverty_county=False,
        )
        self.townships = {
            spec.name: Township(
                county=self.county,
                name=spec.name,
                code=spec.code,
                is_poor=spec.is_poor,
                planned_exit_year=spec.planned_exit_year,
            )
            for spec in geography.TOWNSHIPS
        }
        _bulk(Township, list(self.townships.values()))
        self.specs = {spec.name: spec for spec in geography.TOWNSHIPS}
        plans = geography.plan_geography(rng)
        self.villages: dict[tuple[str, str], AdministrativeVillage] = {}
        for plan in plans:
            self.villages[(plan.township, plan.name)] = AdministrativeVillage(
                township=self.townships[plan.township],
                name=plan.name,
                code=plan.code,
                is_poor=plan.is_poor,
                planned_exit_year=plan.planned_exit_year,
            )
        _bulk(AdministrativeVillage, list(self.villages.values()))
        naturals = []
        for plan in plans:
            village = self.villages[(plan.township, plan.name)]
            naturals += [NaturalVillage(village=village, **nv) for nv in plan.natural]
        self.naturals = _bulk(NaturalVillage, naturals)
        self.naturals_by_township: dict[str, list[NaturalVillage]] = defaultdict(list)
        for nv in self.naturals:
            self.naturals_by_township[nv.village.township.name].append(nv)
        self.log(
            f"地理：1 个县，{len(self.townships)} 个乡镇，{len(self.villages)} 个行政村，"
            f"{len(self.naturals)} 个自然村"
        )

    def _natural_weight(self, nv: NaturalVillage) -> float:
        village = nv.village
        weight = 1.0
        if village.is_poor:
            key = (village.township.name, village.name)
            weight = 0.6 if key in geography.EXIT_2016 else 3.0
        if nv.is_poor:
            weight *= 2
        return weight

    # ---------------------------------------------------------------- households and members
    def households(self) -> None:
        rng = self.rng
        pinned = {"那蚌", "小己保", "龙坪"}
        jy_pool = [
            nv for nv in self.naturals_by_township["姜驿乡"] if nv.village.name not in ("贡茶村", "法帕村")
        ]
        # 做好10个自然村460户1595人易地扶贫搬迁: the relocation households come from 10 natural villages.
        self.jy_relocation_naturals = rng.sample(jy_pool, 10)
        serials: Counter = Counter()
        self.drafts: list[HouseholdDraft] = []
        for group in household_groups():
            pool = self.naturals_by_township[group.township]
            if group.tag == "jy_relocation":
                pool = self.jy_relocation_naturals
            elif group.naturals:
                pool = [nv for nv in pool if nv.name in group.naturals]
            elif group.villages:
                pool = [nv for nv in pool if nv.village.name in group.villages]
            else:
                pool = [nv for nv in pool if nv.name not in pinned]
            weights = [self._natural_weight(nv) for nv in pool]
            spec = self.specs[group.township]
            for size in people.split_sizes(rng, group.households, group.persons):
                nv = rng.choices(pool, weights)[0]
                serials[nv.village.code] += 1
                self.drafts.append(self._draft(group, nv, size, serials[nv.village.code], spec.yi_share))
        Household.objects.bulk_create([d.obj for d in self.drafts], batch_size=BATCH)
        self.log(f"建档立卡户：{len(self.drafts)} 户（含已清退）")

        members = []
        for draft in self.drafts:
            for member in draft.members:
                member.household = draft.obj
            members += draft.members
        _bulk(Member, members)
        current = sum(1 for m in members if not m.left_reason)
        self.log(f"家庭成员：{len(members)} 人（在册 {current} 人）")

    def _draft(
        self, group: Group, nv: NaturalVillage, size: int, serial: int, yi_share: float
    ) -> HouseholdDraft:
        rng = self.rng
        family = people.compose_family(rng, size, yi_share)
        head = family[0]
        cause = rng.choices(list(CAUSE_WEIGHTS), list(CAUSE_WEIGHTS.values()))[0]
        others = rng.sample([c for c in CAUSE_WEIGHTS if c != cause], rng.choice([0, 1, 1, 2]))
        if size == 1 and head.age >= 60:
            attribute = choices.Attribute.EXTREME if rng.random() < 0.5 else choices.Attribute.LOW_INCOME
        else:
            attribute = rng.choices(
                [choices.Attribute.GENERAL, choices.Attribute.LOW_INCOME, choices.Attribute.EXTREME],
                [72, 25, 3],
            )[0]
        adults = [i for i, p in enumerate(family) if p.age >= 18]
        ill = rng.choice(adults) if cause == choices.Cause.ILLNESS and adults else None
        disabled = rng.choice(adults) if cause == choices.Cause.DISABILITY and adults else None
        members = []
        for i, person in enumerate(family):
            members.append(self._member(person, ill == i, disabled == i))
        members += self._left_members(family)
        status = group.status
        obj = Household(
            household_number=f"{nv.village.code}{serial:04d}",
            natural_village=nv,
            village_id=nv.village_id,
            township_id=nv.village.township_id,
            attribute=attribute,
            main_cause=cause,
            other_causes=list(others),
            identified_year=2014 if rng.random() < 0.85 else 2015,
            phone=people.phone_number(rng) if rng.random() < 0.9 else "",
            status=status,
            exit_year=2015 if status == S.EXITED else None,
            removed_reason="不符合建档立卡条件，2016年清理" if status == S.REMOVED else "",
            head_name=members[0].name,
            head_initials=pinyin_initials(members[0].name),
        )
        return HouseholdDraft(obj=obj, group=group, persons=family, members=members)

    def _member(self, person: people.Person, ill: bool, disabled: bool, **extra) -> Member:
        rng = self.rng
        born = people.birth_date(rng, person.age)
        id_number = self.ids.make(born, person.sex)
        attrs = people.member_attributes(rng, person, ill, disabled)
        certificate = ""
        if choices.Health.DISABLED in attrs["health"]:
            # 残疾证号 = ID number + category digit + grade digit
            certificate = f"{id_number}{rng.randint(1, 7)}{rng.randint(1, 4)}"
        return Member(
            name=person.surname + people.given_name(rng, person.sex, person.age),
            id_number=id_number,
            disability_certificate=certificate,
            relation=person.relation,
            sex=person.sex,
            ethnicity=person.ethnicity,
            **attrs,
            **extra,
        )

    def _left_members(self, family: list[people.Person]) -> list[Member]:
        """A few members who left (婚出, 死亡): kept on record, not counted."""
        rng = self.rng
        head = family[0]
        x = rng.random()
        if x < 0.03 and head.age >= 45:
            age = rng.randint(20, min(30, head.age - 20))
            person = people.Person(
                choices.Relation.DAUGHTER, choices.Sex.FEMALE, age, head.surname, head.ethnicity
            )
            when = datetime.date(2015, rng.randint(1, 12), rng.randint(1, 28))
            return [
                self._member(person, False, False, left_reason=choices.LeaveReason.MARRIED_OUT, left_on=when)
            ]
        if x < 0.05 and head.age <= 50 and not any(p.relation == choices.Relation.FATHER for p in family):
            person = people.Person(
                choices.Relation.FATHER,
                choices.Sex.MALE,
                head.age + rng.randint(24, 32),
                head.surname,
                head.ethnicity,
            )
            when = datetime.date(2015, rng.randint(1, 12), rng.randint(1, 28))
            return [self._member(person, False, False, left_reason=choices.LeaveReason.DEATH, left_on=when)]
        return []

    # ---------------------------------------------------------------- assessments, plans, measures
    def assessments(self) -> None:
        rng = self.rng
        rows = []
        for draft in self.drafts:
            if not draft.counted:
                continue
            size = len(draft.persons)
            status = draft.obj.status
            for year in (2015, 2016):
                if status == S.EXITED or (status == S.RETURNED and year == 2015):
                    above, secure = True, True
                elif status == S.RETURNED:
                    above, secure = False, False
                else:
                    above = rng.random() < (0.08 if year == 2015 else 0.22)
                    secure = False
                rows.append(self._assessment(draft.obj, year, size, above, secure))
        _bulk(Assessment, rows)
        self.log(f"年度收入与保障情况：{len(rows)} 条（2015、2016 年）")

    def _assessment(
        self, household: Household, year: int, size: int, above: bool, secure: bool
    ) -> Assessment:
        rng = self.rng
        line = float(LINES[year])
        # a margin of at least 40 yuan keeps whole-yuan rounding on the intended side of the line
        per_capita = rng.uniform(line + 40, line + 1800) if above else rng.uniform(1300, line - 40)
        net = per_capita * size
        expense = _yuan(net * rng.uniform(0.08, 0.3))
        transfer_share = 0.35 if household.attribute != choices.Attribute.GENERAL else rng.uniform(0.05, 0.2)
        gross = Decimal(f"{net:.2f}") + expense
        transfer = _yuan(float(gross) * transfer_share)
        prop = _yuan(float(gross) * rng.uniform(0, 0.03))
        wage = _yuan(float(gross - transfer - prop) * rng.uniform(0.2, 0.7))
        operating = gross - transfer - prop - wage
        operating = operating.quantize(Decimal("1"), rounding=ROUND_DOWN)
        net_total = wage + operating + prop + transfer - expense
        flags = {}
        for name, p in (
            ("food_secure", 0.98),
            ("clothing_secure", 0.99),
            ("education_secure", 0.95),
            ("medical_secure", 0.94),
            ("housing_secure", 0.72 if year == 2015 else 0.8),
            ("water_secure", 0.8 if year == 2015 else 0.86),
        ):
            flags[name] = secure or rng.random() < p
        return Assessment(
            household=household,
            year=year,
            wage_income=wage,
            operating_income=operating,
            property_income=prop,
            transfer_income=transfer,
            operating_expense=expense,
            member_count=size,
            per_capita_net_income=(net_total / size).quantize(Decimal("0.01")),
            **flags,
        )

    def plans_and_measures(self) -> None:
        rng = self.rng
        plans, measures = [], []
        for draft in self.drafts:
            if not draft.counted:
                continue
            h = draft.obj
            plans.append(
                HelpPlan(
                    household=h,
                    year=2016,
                    cause_analysis=texts.CAUSE_ANALYSIS[h.main_cause],
                    plan=rng.choice(texts.PLANS),
                )
            )
            categories = list(draft.group.measures)
            if draft.group.site and M.RELOCATION not in categories:
                categories.append(M.RELOCATION)
            if draft.group.tag == "livestock":
                categories.append(M.PRODUCTION)
            if draft.group.township != "姜驿乡" and not categories and rng.random() < 0.08:
                categories.append(rng.choice([M.HEALTH, M.HOUSING, M.EMPLOYMENT, M.TRAINING]))
            for category in categories:
                measures.append(
                    AssistanceMeasure(
                        household=h,
                        year=2016,
                        category=category,
                        description=rng.choice(texts.MEASURES[category]),
                        amount=Decimal(rng.choice([500, 800, 1000, 1500, 2000, 3000, 5000])),
                    )
                )
        _bulk(HelpPlan, plans)
        self.measures = _bulk(AssistanceMeasure, measures)
        self.log(f"一户一策：{len(plans)} 份；帮扶措施：{len(measures)} 条")

    # ---------------------------------------------------------------- populations and indicators
    def populations(self) -> None:
        rng = self.rng
        poor = Counter()
        counted = Counter()
        for draft in self.drafts:
            if draft.counted:
                counted[draft.obj.village_id] += len(draft.persons)
                if draft.obj.status in choices.POOR_STATUSES:
                    poor[draft.obj.village_id] += len(draft.persons)
        for (township, name), village in self.villages.items():
            typical = rng.randint(1500, 4200)
            n = poor[village.id]
            if (township, name) in geography.EXIT_2016:
                # just above the 3% line, so these villages can exit in 2016 after a few households do
                population = int(n / rng.uniform(0.031, 0.036))
            elif village.is_poor or township == "姜驿乡":
                population = min(typical, int(n / rng.uniform(0.12, 0.3)))
            else:
                population = max(typical, int(n / rng.uniform(0.06, 0.15)))
            village.registered_rural_population = max(population, counted[village.id] + 200)
        AdministrativeVillage.objects.bulk_update(self.villages.values(), ["registered_rural_population"])
        totals = Counter()
        for (township, _), village in self.villages.items():
            totals[township] += village.registered_rural_population
        for name, township in self.townships.items():
            township.registered_rural_population = totals[name]
        Township.objects.bulk_update(self.townships.values(), ["registered_rural_population"])
        self.county.registered_rural_population = sum(totals.values())
        self.county.save(update_fields=["registered_rural_population"])
        self.log(f"户籍农业人口：全县 {self.county.registered_rural_population} 人")

        indicators = list(ExitIndicator.objects.filter(level=ExitIndicator.Level.VILLAGE, active=True))
        rows = []
        for (township, name), village in self.villages.items():
            if not village.is_poor:
                continue
            early = (township, name) in geography.EXIT_2016
            for indicator in indicators:
                if indicator.code == "incidence":
                    met = False
                else:
                    met = rng.random() < (0.9 if early else 0.5)
                rows.append(
                    VillageIndicatorStatus(
                        village=village, indicator=indicator, met=met, note="已达标" if met else "正在实施"
                    )
                )
        _bulk(VillageIndicatorStatus, rows)
        self.log(f"贫困村出列指标：{len(rows)} 条")

    # ---------------------------------------------------------------- units, cadres, pairings, revisits
    def responsibility(self) -> None:
        rng = self.rng
        per_township = units.township_units()
        existing = {
            u.name: u
            for u in WorkUnit.objects.filter(name__in=[n for v in per_township.values() for n, _ in v])
        }
        unit_objs: dict[str, list[WorkUnit]] = {}
        new_units = []
        for township, names in per_township.items():
            unit_objs[township] = []
            for name, level in names:
                unit = existing.get(name) or WorkUnit(
                    name=name,
                    level=level,
                    leader=people.surname_for(rng, "汉族") + people.given_name(rng, choices.Sex.MALE, 48),
                    phone=f"0878-82{rng.randrange(10**5):05d}",
                )
                if unit.pk is None:
                    new_units.append(unit)
                unit_objs[township].append(unit)
        _bulk(WorkUnit, new_units)

        counted = defaultdict(list)
        for draft in self.drafts:
            if draft.counted:
                counted[draft.group.township].append(draft)
        # 全县102个单位3437名干部; 新华乡: 323名干部挂村包户. Others in proportion to their households.
        cadre_counts = {"新华乡": 323}
        rest = {t: len(d) for t, d in counted.items() if t != "新华乡"}
        share = 3437 - 323
        total = sum(rest.values())
        raw = {t: share * n / total for t, n in rest.items()}
        cadre_counts.update({t: int(v) for t, v in raw.items()})
        for t in sorted(raw, key=lambda t: raw[t] - int(raw[t]), reverse=True)[
            : share - sum(int(v) for v in raw.values())
        ]:
            cadre_counts[t] += 1

        cadres_by_township: dict[str, list[Cadre]] = {}
        all_cadres = []
        for township, count in cadre_counts.items():
            township_units = unit_objs[township]
            weights = [rng.uniform(0.5, 3) for _ in township_units]
            per_unit = [1] * len(township_units)
            for _ in range(count - len(township_units)):
                per_unit[rng.choices(range(len(township_units)), weights)[0]] += 1
            cadres = []
            for unit, n in zip(township_units, per_unit, strict=True):
                for _ in range(n):
                    sex = choices.Sex.MALE if rng.random() < 0.7 else choices.Sex.FEMALE
                    age = rng.randint(25, 55)
                    cadres.append(
                        Cadre(
                            name=people.surname_for(rng, "汉族") + people.given_name(rng, sex, age),
                            unit=unit,
                            post=rng.choice(texts.CADRE_POSTS),
                            phone=people.phone_number(rng),
                        )
                    )
            cadres_by_township[township] = cadres
            all_cadres += cadres
        _bulk(Cadre, all_cadres)
        self.log(f"挂联单位：{sum(len(v) for v in unit_objs.values())} 个；干部：{len(all_cadres)} 名")

        pairings, links = [], set()
        self.paired: dict[int, Cadre] = {}
        for township, drafts in counted.items():
            drafts.sort(key=lambda d: d.obj.household_number)
            cadres = cadres_by_township[township]
            base, extra = divmod(len(drafts), len(cadres))
            loads = [base + 1] * extra + [base] * (len(cadres) - extra)
            rng.shuffle(loads)
            i = 0
            for cadre, load in zip(cadres, loads, strict=True):
                for draft in drafts[i : i + load]:
                    pairings.append(
                        Pairing(
                            cadre=cadre,
                            household=draft.obj,
                            started_on=datetime.date(2016, 1, rng.randint(4, 9)),
                        )
                    )
                    self.paired[draft.obj.pk] = cadre
                    links.add((cadre.unit_id, draft.obj.village_id))
                i += load
        # 单位挂村 follows the pairings; villages without registered households get their township government.
        linked_villages = {v for _, v in links}
        for (township, _), village in self.villages.items():
            if village.id not in linked_villages:
                links.add((unit_objs[township][0].id, village.id))
        _bulk(Pairing, pairings)
        _bulk(
            WorkUnitVillage,
            [
                WorkUnitVillage(unit_id=u, village_id=v, started_on=datetime.date(2016, 1, 1))
                for u, v in sorted(links)
            ],
        )
        self.log(f"结对帮扶：{len(pairings)} 户；单位挂村：{len(links)} 条")

        # 2016's four rounds of 转走访, numbered in order: first and last day as (month, day).
        round_days = (((1, 10), (2, 29)), ((3, 1), (3, 31)), ((4, 1), (4, 30)), ((5, 1), (5, 31)))
        rounds = [
            RevisitRound(
                year=2016,
                number=number,
                name=f"2016年第{number}轮",
                starts_on=datetime.date(2016, *first),
                ends_on=datetime.date(2016, *last),
            )
            for number, (first, last) in enumerate(round_days, start=1)
        ]
        _bulk(RevisitRound, rounds)
        revisits = []
        for draft in self.drafts:
            if not draft.counted:
                continue
            h = draft.obj
            nv = h.natural_village
            for rnd in rounds:
                home = rng.random() < 0.85
                span = (rnd.ends_on - rnd.starts_on).days
                visited = rnd.starts_on + datetime.timedelta(days=rng.randint(0, span))
                situation = rng.choice(texts.SITUATIONS).format(n=len(draft.persons))
                revisits.append(
                    Revisit(
                        household=h,
                        cadre=self.paired[h.pk],
                        round=rnd,
                        visited_on=visited,
                        kind=Revisit.Kind.HOME if home else Revisit.Kind.PHONE,
                        situation=situation,
                        problems=rng.choice(texts.PROBLEMS),
                        help_given=rng.choice(texts.HELP_GIVEN),
                        client_uuid=uuid.UUID(int=rng.getrandbits(128), version=4),
                        latitude=(nv.latitude + Decimal(f"{rng.uniform(-0.003, 0.003):.6f}"))
                        if home
                        else None,
                        longitude=(nv.longitude + Decimal(f"{rng.uniform(-0.003, 0.003):.6f}"))
                        if home
                        else None,
                        location_accuracy=round(rng.uniform(8, 60), 1) if home else None,
                    )
                )
        _bulk(Revisit, revisits)
        self.log(f"回访：{len(rounds)} 轮，{len(revisits)} 次")

    # ---------------------------------------------------------------- projects, relocation, training, targets
    def _project(self, **kw) -> Project:
        return Project.objects.create(**kw)

    def projects(self) -> None:
        rng = self.rng
        P = Project.Category
        t = self.townships
        v = self.villages
        jiangyi = self._project(
            name="姜驿乡扶贫整乡推进项目",
            category=P.WHOLE_TOWNSHIP,
            township=t["姜驿乡"],
            year=2015,
            approved_on=datetime.date(2015, 7, 20),
            planned_investment=Decimal("205000000"),
            state=Project.State.BUILDING,
            planned_households=1436,
            planned_persons=5000,
            description="突出产业发展、基础设施、人居环境、科技培训、社会事业、生态建设、基层党组织建设七大重点。",
        )
        self._funding(
            jiangyi,
            [
                ("中央财政专项扶贫资金", 52000000),
                ("省级财政专项扶贫资金", 38000000),
                ("州级配套资金", 15000000),
                ("县级统筹整合涉农资金", 30000000),
                ("行业部门项目资金", 45000000),
                ("金融扶贫信贷资金", 25000000),
            ],
        )
        # 深入全乡1436户5000人建档立卡贫困户: the township's registered households are its beneficiaries.
        jiangyi.beneficiaries.set(
            [d.obj for d in self.drafts if d.counted and d.obj.township_id == t["姜驿乡"].id]
        )
        ProgressEntry.objects.create(
            project=jiangyi,
            recorded_on=datetime.date(2016, 5, 31),
            invested_to_date=Decimal("80918700"),
            note="自2015年7月批复实施以来累计完成投资",
        )
        # 实施道路、水利、基本农田、现代通信网络、危房改造、教育、卫生、文体、生态建设等项目166个
        sub_counts = [
            (P.ROAD, 38),
            (P.IRRIGATION, 30),
            (P.FARMLAND, 18),
            (P.TELECOM, 8),
            (P.HOUSING, 40),
            (P.EDUCATION, 10),
            (P.HEALTH, 8),
            (P.CULTURE, 9),
            (P.ECOLOGY, 5),
        ]
        jy_villages = [vv for (tn, _), vv in v.items() if tn == "姜驿乡"]
        subs = []
        for category, count in sub_counts:
            label = P(category).label
            for i in range(1, count + 1):
                village = rng.choice(jy_villages)
                subs.append(
                    Project(
                        name=f"姜驿乡{village.name}{label}项目（{i}）",
                        category=category,
                        parent=jiangyi,
                        township=t["姜驿乡"],
                        village=village,
                        year=rng.choice([2015, 2016]),
                        approved_on=datetime.date(2015, 7, 20),
                        planned_investment=Decimal(rng.randrange(200, 1800) * 1000),
                        state=rng.choice(
                            [
                                Project.State.COMPLETED,
                                Project.State.BUILDING,
                                Project.State.BUILDING,
                                Project.State.ACCEPTED,
                            ]
                        ),
                    )
                )
        _bulk(Project, subs)

        poor_naturals = [nv for nv in self.naturals if nv.is_poor]
        whole_village = self._project(
            name="元谋县2016年扶贫整村推进项目",
            category=P.WHOLE_VILLAGE,
            year=2016,
            approved_on=datetime.date(2016, 3, 15),
            planned_investment=Decimal("15173000"),
            state=Project.State.BUILDING,
            planned_households=866,
            planned_persons=3344,
            description="夯实11个贫困自然村基础设施，增强866户3344人致富后劲。",
        )
        whole_village.natural_villages.set(poor_naturals)
        poor_nv_ids = {nv.id for nv in poor_naturals}
        whole_village.beneficiaries.set(
            [d.obj for d in self.drafts if d.counted and d.obj.natural_village_id in poor_nv_ids]
        )
        self._funding(
            whole_village,
            [("中央财政专项扶贫资金", 9000000), ("省级财政专项扶贫资金", 4173000), ("县级配套资金", 2000000)],
        )

        paidi = self._project(
            name="怕地村易地扶贫搬迁暨美丽宜居乡村建设项目",
            category=P.RELOCATION,
            township=t["平田乡"],
            village=v[("平田乡", "怕地村")],
            year=2016,
            approved_on=datetime.date(2016, 4, 8),
            planned_investment=Decimal("21125000"),
            state=Project.State.BUILDING,
            planned_households=56,
            planned_persons=226,
            description="怕地村56户易地扶贫搬迁暨美丽宜居乡村建设，占地44.3亩。",
        )
        paidi.beneficiaries.set([d.obj for d in self.drafts if d.group.tag == "paidi"])
        self._funding(
            paidi,
            [
                ("易地扶贫搬迁中央预算内投资", 4480000),
                ("省级易地扶贫搬迁融资资金", 11200000),
                ("建档立卡户自筹", 560000),
                ("美丽宜居乡村建设资金", 4885000),
            ],
        )
        nabang_nvs = [
            nv
            for nv in self.naturals
            if nv.name in ("那蚌", "小己保", "龙坪") and nv.village.township.name == "平田乡"
        ]
        nabang = self._project(
            name="平田乡那蚌、小己保、龙坪扶贫整村推进项目",
            category=P.WHOLE_VILLAGE,
            township=t["平田乡"],
            year=2016,
            planned_investment=Decimal("1200000"),
            state=Project.State.BUILDING,
            planned_households=63,
            description="夯实项目村水、电、路等基础设施，扶持带动63户群众增收致富。",
        )
        nabang.natural_villages.set(nabang_nvs)
        nabang.beneficiaries.set([d.obj for d in self.drafts if d.group.tag == "nabang"])
        water = self._project(
            name="平田乡集镇供水二期水厂建设项目",
            category=P.DRINKING_WATER,
            township=t["平田乡"],
            village=v[("平田乡", "平田村")],
            year=2016,
            planned_investment=Decimal("2679500"),
            state=Project.State.BUILDING,
            description="解决集镇区域及周边26个村组人畜饮水困难。",
        )
        pt_nvs = sorted(self.naturals_by_township["平田乡"], key=lambda nv: nv.code)
        water.natural_villages.set(rng.sample(pt_nvs, 26))

        xinhua = t["新华乡"]
        self._project(
            name="新华乡香根草种植项目",
            category=P.ECOLOGY,
            township=xinhua,
            year=2016,
            planned_investment=Decimal("600000"),
            state=Project.State.BUILDING,
            description="投入60万元种植香根草200亩。",
        )
        livestock = self._project(
            name="新华乡贫困户大牲畜养殖扶持项目",
            category=P.INDUSTRY,
            township=xinhua,
            year=2016,
            planned_investment=Decimal("700000"),
            state=Project.State.BUILDING,
            planned_households=133,
            description="扶持133户贫困户发展大牲畜养殖250头。",
        )
        livestock_households = [d.obj for d in self.drafts if d.group.tag == "livestock"]
        livestock.beneficiaries.set(livestock_households)
        AssistanceMeasure.objects.filter(household__in=livestock_households, category=M.PRODUCTION).update(
            project=livestock
        )

        # 老城乡: 在图上规划16个到村到户实施项目 on 波亨 and 老者格.
        laocheng = [
            (P.ROAD, "通组道路硬化"),
            (P.DRINKING_WATER, "人畜饮水管道"),
            (P.HOUSING, "农村危房改造"),
            (P.INDUSTRY, "核桃提质增效"),
            (P.INDUSTRY, "黑山羊养殖"),
            (P.CULTURE, "村级活动场所建设"),
            (P.IRRIGATION, "三面光沟渠"),
            (P.POWER, "农网改造"),
        ]
        for village_name in ("波亨村", "老者格村"):
            village = v[("老城乡", village_name)]
            village_households = [d.obj for d in self.drafts if d.counted and d.obj.village_id == village.id]
            for category, label in laocheng:
                project = self._project(
                    name=f"老城乡{village_name}{label}项目",
                    category=category,
                    township=t["老城乡"],
                    village=village,
                    year=2016,
                    planned_investment=Decimal(rng.randrange(150, 1500) * 1000),
                    state=rng.choice(
                        [Project.State.PLANNED, Project.State.BUILDING, Project.State.COMPLETED]
                    ),
                )
                if category in (P.HOUSING, P.INDUSTRY):
                    project.beneficiaries.set(
                        rng.sample(village_households, min(20, len(village_households)))
                    )
        self.log(f"项目：{Project.objects.count()} 个")

    def _funding(self, project: Project, parts: list[tuple[str, int]]) -> None:
        assert sum(a for _, a in parts) == project.planned_investment, project.name
        _bulk(FundingSource, [FundingSource(project=project, source=s, amount=Decimal(a)) for s, a in parts])

    def relocation(self) -> None:
        rng = self.rng
        sites = {}
        for name, township, village, ph, pp, _hh, _persons in SITES:
            moved = name in MOVED_IN_SITES
            sites[name] = RelocationSite(
                name=name,
                township=self.townships[township],
                village=self.villages[(township, village)] if village else None,
                planned_households=ph,
                planned_persons=pp,
                build_state=RelocationSite.BuildState.MOVED_IN
                if moved
                else RelocationSite.BuildState.BUILDING,
                year=2016,
            )
        _bulk(RelocationSite, list(sites.values()))
        rows = []
        for draft in self.drafts:
            if not draft.group.site:
                continue
            persons = len(draft.persons)
            area = min(Decimal(25 * persons), Decimal(f"{persons * rng.uniform(18, 25):.2f}"))
            moved = draft.group.site in MOVED_IN_SITES and rng.random() < 0.6
            rows.append(
                Relocation(
                    household=draft.obj,
                    from_natural_village=draft.obj.natural_village,
                    site=sites[draft.group.site],
                    kind=Relocation.Kind.REGISTERED,
                    persons=persons,
                    housing_area=area,
                    moved_in_on=datetime.date(2016, rng.randint(7, 12), rng.randint(1, 28))
                    if moved
                    else None,
                    old_house_demolished=moved,
                )
            )
        _bulk(Relocation, rows)
        self.log(f"易地扶贫搬迁：{len(sites)} 个安置点，{len(rows)} 户 {sum(r.persons for r in rows)} 人")

    def trainings_and_targets(self) -> None:
        K = Training.Kind
        _bulk(
            Training,
            [
                Training(
                    name="2016年农村劳动力转移培训",
                    kind=K.TRANSFER,
                    year=2016,
                    planned_participants=800,
                    planned_investment=Decimal("400000"),
                ),
                Training(
                    name="2016年引导性培训",
                    kind=K.GUIDANCE,
                    year=2016,
                    planned_participants=200,
                    planned_investment=Decimal("60000"),
                ),
                Training(
                    name="2016年带动性技能培训",
                    kind=K.SKILLS,
                    year=2016,
                    planned_participants=1200,
                    planned_investment=Decimal("400000"),
                ),
            ],
        )
        c, t = self.county, self.townships
        rows = [
            Target(
                county=c, year=2016, persons=4500, villages_to_exit=3, note="乐甫、雷弄、冷水箐3个贫困村出列"
            ),
            Target(
                county=c,
                year=2018,
                persons=17000,
                villages_to_exit=12,
                townships_to_exit=1,
                income_goal=Decimal("14000"),
            ),
            Target(county=c, township=t["元马镇"], year=2016, note="基本消除贫困人口"),
            Target(county=c, township=t["黄瓜园镇"], year=2016, note="基本消除贫困人口"),
            Target(county=c, township=t["平田乡"], year=2016, persons=413),
            Target(
                county=c,
                township=t["平田乡"],
                year=2018,
                households=444,
                persons=1769,
                villages_to_exit=2,
                income_goal=Decimal("13000"),
            ),
            Target(county=c, township=t["平田乡"], year=2020, income_goal=Decimal("15200")),
            Target(county=c, township=t["新华乡"], year=2017, households=538, persons=1700),
            Target(county=c, township=t["姜驿乡"], year=2018, townships_to_exit=1, note="减贫摘帽"),
        ]
        for category, households, persons in (
            (M.PRODUCTION, 841, 2778),
            (M.RELOCATION, 460, 1595),
            (M.EDUCATION, 91, 341),
            (M.ECOLOGICAL, 115, 443),
            (M.SOCIAL_SECURITY, 101, 309),
        ):
            rows.append(
                Target(
                    county=c,
                    township=t["姜驿乡"],
                    year=2018,
                    category=category,
                    households=households,
                    persons=persons,
                )
            )
        _bulk(Target, rows)
        self.log(f"培训：3 项；目标：{len(rows)} 条")


def load(log: Callable[[str], None]) -> bool:
    """Load the demo county; False (and nothing written) if it is already there."""
    county = County.objects.filter(region_code=geography.REGION_CODE).first()
    if county and Household.objects.filter(township__county=county).exists():
        return False
    if county and county.townships.exists():
        raise DemoExists("元谋县已有乡镇数据但没有建档立卡户，请先清空数据库再加载演示数据。")
    with transaction.atomic():
        if county:
            county.delete()
        builder = Builder(log)
        builder.geography()
        builder.households()
        builder.assessments()
        builder.plans_and_measures()
        builder.populations()
        builder.responsibility()
        builder.projects()
        builder.relocation()
        builder.trainings_and_targets()
        run = eligibility_recompute(trigger=EligibilityRun.Trigger.MANUAL)
        log(f"脱贫条件已判定：{run.households_checked} 户，其中符合 {run.became_eligible} 户")
        load_monitoring(geography.REGION_CODE, log)
        load_current(geography.REGION_CODE, log)
        refreshed = village_figures_refresh()
        log(f"行政村统计已刷新：{refreshed} 个")
        _summary(log)
    return True


def _summary(log: Callable[[str], None]) -> None:
    """The headline figures, counted back from the database."""
    figures = VillageFigures.objects.aggregate(
        households=Sum("households"),
        persons=Sum("persons"),
        poor_households=Sum("poor_households"),
        poor_persons=Sum("poor_persons"),
        exited_households=Sum("exited_households"),
        exited_persons=Sum("exited_persons"),
    )
    log("—— 汇总 ——")
    log(
        f"建档立卡：{figures['households']} 户 {figures['persons']} 人；"
        f"未脱贫（含返贫）{figures['poor_households']} 户 {figures['poor_persons']} 人；"
        f"已脱贫 {figures['exited_households']} 户 {figures['exited_persons']} 人"
    )
    log(
        f"挂联单位 {WorkUnit.objects.count()} 个，干部 {Cadre.objects.count()} 名，"
        f"回访 {Revisit.objects.count()} 次；项目 {Project.objects.count()} 个，"
        f"搬迁 {Relocation.objects.count()} 户"
    )
    log("所有人员均为随机生成的虚构人物。")
