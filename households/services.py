"""Writes to households and members. Pages, API, import and jobs all go through these."""

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from pypinyin import Style, lazy_pinyin

from households import choices
from households.models import EligibilityRun, Household, Member, PovertyLine
from villages.models import NaturalVillage


def pinyin_initials(name: str) -> str:
    """张三 -> zs (used to search households by the head's name)."""
    return "".join(p[:1] for p in lazy_pinyin(name, style=Style.FIRST_LETTER, errors="ignore")).lower()


@dataclass
class MemberData:
    name: str
    id_number: str
    relation: str
    sex: str
    ethnicity: str = "汉族"
    education: str = ""
    school_status: str = choices.SchoolStatus.NONE
    health: list[str] = field(default_factory=lambda: [choices.Health.HEALTHY])
    labour: str = ""
    migrant_work: str = choices.MigrantWork.NONE
    health_insurance: bool = True
    pension: bool = False


def _check_one_head(members: Iterable[MemberData]) -> None:
    heads = [m for m in members if m.relation == choices.Relation.HEAD]
    if len(heads) != 1:
        raise ValidationError(f"一户必须有且只有一名户主，现有 {len(heads)} 名。", code="head_count")


@transaction.atomic
def household_create(
    *,
    household_number: str,
    natural_village: NaturalVillage,
    attribute: str,
    main_cause: str,
    identified_year: int,
    members: list[MemberData],
    other_causes: list[str] | None = None,
    phone: str = "",
    status: str = choices.Status.POOR,
    exit_year: int | None = None,
) -> Household:
    """Register a poor household with its members; exactly one of them is 户主."""
    _check_one_head(members)
    head = next(m for m in members if m.relation == choices.Relation.HEAD)
    household = Household(
        household_number=household_number,
        natural_village=natural_village,
        village_id=natural_village.village_id,
        township_id=natural_village.village.township_id,
        attribute=attribute,
        main_cause=main_cause,
        other_causes=other_causes or [],
        identified_year=identified_year,
        phone=phone,
        status=status,
        exit_year=exit_year,
        head_name=head.name,
        head_initials=pinyin_initials(head.name),
    )
    household.save()
    for data in members:
        Member(household=household, **data.__dict__).save()
    return household


def eligibility_recompute_enqueue(*, trigger: str, user=None):
    """Queue a whole-registry recompute after the current transaction commits; answers the Job."""
    from households.tasks import eligibility_recompute_task
    from poverty_tracker.jobs import job_enqueue

    return job_enqueue(
        kind="eligibility_recompute",
        task=eligibility_recompute_task,
        params={"trigger": trigger},
        created_by=user,
    )


@transaction.atomic
def poverty_line_set(*, year: int, amount, region_code: str = "", user=None) -> PovertyLine:
    """Set a year's poverty line (county admins); every decision is then recomputed by a job."""
    from decimal import Decimal, InvalidOperation

    try:
        amount = Decimal(str(amount))
    except InvalidOperation:
        raise ValidationError({"amount": f"扶贫标准金额无效: {amount}"}) from None
    if amount <= 0:
        raise ValidationError({"amount": "扶贫标准必须大于 0 元。"})
    if not 2010 <= int(year) <= 2100:
        raise ValidationError({"year": f"年度无效: {year}"})
    line, created = PovertyLine.objects.get_or_create(
        year=year, region_code=region_code, defaults={"amount": amount}
    )
    changed = created or line.amount != amount
    if not created and changed:
        line.amount = amount
        line.save(update_fields=["amount"])
    if changed:
        eligibility_recompute_enqueue(trigger=EligibilityRun.Trigger.POVERTY_LINE, user=user)
    return line
