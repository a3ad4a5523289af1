"""Writes to households and members. Pages, API, import and jobs all go through these."""

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from households import choices
from households.models import (
    Assessment,
    AssistanceMeasure,
    EligibilityRun,
    HelpPlan,
    Household,
    Member,
    PovertyLine,
)
from villages.models import NaturalVillage, VillageFigures


def pinyin_initials(name: str) -> str:
    """张三 -> zs (used to search households by the head's name).

    pypinyin is imported here, not at the top: its dictionaries hold about 55 MB, which every web process
    and worker would otherwise carry whether or not it ever writes a name.
    """
    from pypinyin import Style, lazy_pinyin

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
    disability_certificate: str = ""


def _save(obj: Household | Member, **kwargs) -> None:
    """Model.save() only saves: the invariants (ID check digit, sex against the ID, one 户主, an exited
    household's year, ...) are checked here, before any write, so a bad record fails with a clear message."""
    obj.full_clean()
    obj.save(**kwargs)


def _check_one_head(members: Iterable[MemberData]) -> None:
    heads = [m for m in members if m.relation == choices.Relation.HEAD]
    if len(heads) != 1:
        raise ValidationError(
            _("一户必须有且只有一名户主，现有 {count} 名。").format(count=len(heads)), code="head_count"
        )


def _check_number_kind(household_number: str, status: str) -> None:
    """一般农户 numbers begin with GENERAL_NUMBER_PREFIX; 建档立卡 numbers never do."""
    prefix = choices.GENERAL_NUMBER_PREFIX
    general = status == choices.Status.GENERAL
    if general and not household_number.upper().startswith(prefix):
        raise ValidationError(
            {
                "household_number": _(
                    "一般农户不能使用建档立卡户编号 {household_number}：一般农户的户编号以“{prefix}”开头。"
                ).format(household_number=household_number, prefix=prefix)
            }
        )
    if not general and household_number.upper().startswith(prefix):
        raise ValidationError(
            {
                "household_number": _(
                    "户编号 {household_number} 以“{prefix}”开头，是一般农户编号，不能用于建档立卡户。"
                ).format(household_number=household_number, prefix=prefix)
            }
        )


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
    user=None,
) -> Household:
    """Register a poor household with its members; exactly one of them is 户主.

    With a user (pages, API), the natural village must lie in a scope where that user registers households.
    """
    if user is not None:
        from core.access import Access

        village = natural_village.village
        if not Access.for_user(user).can_change_in(
            Household, township_id=village.township_id, village_id=village.pk
        ):
            raise ValidationError({"natural_village": _("只能在您管辖范围内的自然村登记贫困户。")})
    _check_one_head(members)
    household_number = household_number.strip()
    _check_number_kind(household_number, status)
    if Household.objects.filter(household_number=household_number).exists():
        # The same words whoever holds the number: out of scope must not reveal where (DESIGN.md §4).
        raise ValidationError(
            {
                "household_number": _("户编号 {household_number} 已存在。").format(
                    household_number=household_number
                )
            }
        )
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
    _save(household)
    for data in members:
        _save(Member(household=household, **data.__dict__))
    return household


def eligibility_recompute_enqueue(*, trigger: str, user=None):
    """Queue a whole-registry recompute after the current transaction commits; answers the Job."""
    from core.jobs import job_enqueue

    return job_enqueue(
        kind="eligibility_recompute",
        task="households.tasks.eligibility_recompute_task",
        params={"trigger": trigger},
        created_by=user,
    )


def figures_refresh_enqueue(*, user=None):
    """Queue a refresh of the summary table (VillageFigures) the dashboards read at province scale, after
    an import, an approval or a recompute. One queued refresh is enough: none is added while one waits."""
    from core.jobs import job_enqueue
    from core.models import Job

    if Job.objects.filter(kind="figures_refresh", state=Job.State.QUEUED).exists():
        return None
    return job_enqueue(kind="figures_refresh", task="households.tasks.figures_refresh", created_by=user)


def _may_set_poverty_lines(user) -> None:
    from core.access import Access

    if user is not None and not Access.for_user(user).may_change_model(PovertyLine):
        raise ValidationError(_("只有县扶贫办管理员可以设定扶贫标准。"))


@dataclass(frozen=True)
class PovertyLineChange:
    """What ``poverty_line_set`` did: the line, whether it is new, and the recompute it queued (None when
    nothing that decides eligibility changed)."""

    line: PovertyLine
    created: bool
    job: object | None  # core.models.Job


@transaction.atomic
def poverty_line_set(
    *, year: int, amount, region_code: str = "", note: str | None = None, user=None
) -> PovertyLineChange:
    """Set a year's poverty line (county admins); every decision is then recomputed by a job."""
    from decimal import Decimal, InvalidOperation

    _may_set_poverty_lines(user)
    try:
        amount = Decimal(str(amount))
    except InvalidOperation:
        raise ValidationError({"amount": _("扶贫标准金额无效: {amount}").format(amount=amount)}) from None
    if amount <= 0:
        raise ValidationError({"amount": _("扶贫标准必须大于 0 元。")})
    if not 2010 <= int(year) <= 2100:
        raise ValidationError({"year": _("年度无效: {year}").format(year=year)})
    line, created = PovertyLine.objects.select_for_update().get_or_create(
        year=year, region_code=region_code, defaults={"amount": amount, "note": note or ""}
    )
    changed = created or line.amount != amount
    if not created:
        fields = []
        if line.amount != amount:
            line.amount = amount
            fields.append("amount")
        if note is not None and line.note != note:
            line.note = note
            fields.append("note")
        if fields:
            line.full_clean()
            line.save(update_fields=fields)
    job = (
        eligibility_recompute_enqueue(trigger=EligibilityRun.Trigger.POVERTY_LINE, user=user)
        if changed
        else None
    )
    return PovertyLineChange(line=line, created=created, job=job)


@transaction.atomic
def poverty_line_delete(*, line: PovertyLine, user=None):
    """Remove a line (a year then falls back to the national line, or has none); answers the recompute job."""
    _may_set_poverty_lines(user)
    PovertyLine.objects.filter(pk=line.pk).delete()
    return eligibility_recompute_enqueue(trigger=EligibilityRun.Trigger.POVERTY_LINE, user=user)


# -- changes to a household, each checked against the access rule ----------------------------------------


def _changeable(user, model, obj):
    """The record, re-read inside the user's scope (404 outside), if the role may change it."""
    from core.access import Access

    access = Access.for_user(user)
    obj = access.get_or_404(type(obj)._default_manager.select_for_update(), pk=obj.pk)
    if not access.may_change_model(model):
        raise ValidationError(
            _("您的角色不能修改{verbose_name}。").format(verbose_name=model._meta.verbose_name)
        )
    return obj


def _current_members(household: Household):
    return household.members.filter(left_reason="")


def household_decision_refresh(household: Household) -> None:
    """Re-evaluate one household's latest assessed year now (the nightly job would reach the same answer)."""
    from households.eligibility import RULE_VERSION, evaluate, poverty_line_for

    latest = household.assessments.order_by("-year").first()
    if latest is None:
        return
    members = _current_members(household).count()
    line = poverty_line_for(year=latest.year, region_code=household.township.county.region_code)
    d = evaluate(latest, members=members, line=line)
    latest.member_count, latest.per_capita_net_income, latest.poverty_line = (
        members,
        d.per_capita_net_income,
        line,
    )
    latest.eligible, latest.eligibility_reasons, latest.rule_version = d.eligible, d.reasons, RULE_VERSION
    latest.decided_at = timezone.now()
    latest.save()
    household.eligible, household.eligibility_reasons, household.eligibility_year = (
        d.eligible,
        d.reasons,
        latest.year,
    )
    household.needs_return_review = bool(
        household.status == choices.Status.EXITED
        and household.exit_year
        and latest.year > household.exit_year
        and not d.eligible
    )
    household.save(
        update_fields=["eligible", "eligibility_reasons", "eligibility_year", "needs_return_review"]
    )


# Each amount with its name in messages (the model's verbose_name: 工资性收入, ...).
INCOME_FIELDS = {name: Assessment._meta.get_field(name).verbose_name for name in Assessment.INCOME_FIELDS}


@transaction.atomic
def assessment_record(*, household: Household, year: int, user, **values) -> Assessment:
    """Record (or correct) a year's income and guarantees; the household's decision is updated at once."""
    from decimal import Decimal, InvalidOperation

    from households.eligibility import poverty_line_for

    household = _changeable(user, Assessment, household)
    errors = {}
    for name, label in INCOME_FIELDS.items():
        raw = values.get(name, 0)
        try:
            amount = Decimal(str(raw if raw not in (None, "") else 0))
        except InvalidOperation:
            errors[name] = _("{label}应为数字，实为“{raw}”。").format(label=label, raw=raw)
            continue
        if amount < 0:
            errors[name] = _("{label}不能为负数（{amount} 元）。").format(label=label, amount=amount)
        values[name] = amount
    if not _current_members(household).exists():
        errors["household"] = _("该户没有在册家庭成员，无法计算人均纯收入，不能填报收入。")
    if poverty_line_for(year=year, region_code=household.township.county.region_code) is None:
        errors["year"] = _("{year} 年尚未设定扶贫标准，请先由县扶贫办设定后再填报。").format(year=year)
    if errors:
        raise ValidationError(errors)
    fields = {
        **{f: values[f] for f in INCOME_FIELDS},
        **{f: bool(values.get(f, False)) for f in Assessment.SECURITY_FIELDS},
    }
    assessment, _created = Assessment.objects.update_or_create(
        household=household, year=year, defaults=fields
    )
    household_decision_refresh(household)
    assessment.refresh_from_db()
    return assessment


@transaction.atomic
def member_leave(*, member: Member, reason: str, on, user, new_head: Member | None = None) -> Member:
    """A member leaves (死亡 / 婚出 / 迁出 / 其他): kept on record, no longer counted.

    When the 户主 leaves and others remain, the new 户主 is named in the same change.
    """
    member = _changeable(user, Member, member)
    if member.left_reason:
        raise ValidationError(
            _("{member} 已于 {left_on} 减少（{left_reason}）。").format(
                member=member.name, left_on=member.left_on, left_reason=member.get_left_reason_display()
            )
        )
    if reason not in choices.LeaveReason.values:
        raise ValidationError({"reason": _("减少原因无效: {reason}").format(reason=reason)})
    household = member.household
    others = _current_members(household).exclude(pk=member.pk)
    if member.relation == choices.Relation.HEAD and others.exists():
        if new_head is None or not others.filter(pk=new_head.pk).exists():
            raise ValidationError({"new_head": _("户主减少后须从在册成员中指定新户主。")})
    member.left_reason, member.left_on = reason, on
    _save(member)
    if new_head is not None and member.relation == choices.Relation.HEAD:
        _make_head(household, new_head)
    household_decision_refresh(household)
    return member


def _make_head(
    household: Household, new_head: Member, old_head_relation: str = choices.Relation.OTHER
) -> None:
    old = _current_members(household).filter(relation=choices.Relation.HEAD).exclude(pk=new_head.pk).first()
    if old is not None:
        old.relation = old_head_relation
        _save(old)
    new_head = Member.objects.get(pk=new_head.pk)
    new_head.relation = choices.Relation.HEAD
    _save(new_head)
    household.head_name, household.head_initials = new_head.name, pinyin_initials(new_head.name)
    _save(household)


@transaction.atomic
def head_change(
    *, household: Household, new_head: Member, user, old_head_relation: str = choices.Relation.SPOUSE
) -> Household:
    """户主变更: the new head must be a current member; the old head takes the given relation."""
    household = _changeable(user, Household, household)
    if not _current_members(household).filter(pk=new_head.pk).exists():
        raise ValidationError(
            {"new_head": _("{new_head} 不是该户的在册成员。").format(new_head=new_head.name)}
        )
    if old_head_relation == choices.Relation.HEAD:
        raise ValidationError({"old_head_relation": _("原户主的新关系不能是户主。")})
    _make_head(household, new_head, old_head_relation)
    return household


@transaction.atomic
def household_split(
    *, household: Household, members: list[Member], new_head: Member, household_number: str, user
) -> Household:
    """分户: the listed members move to a new household headed by new_head; each keeps their history."""
    household = _changeable(user, Household, household)
    moving = list(_current_members(household).filter(pk__in=[m.pk for m in members]))
    if len(moving) != len(members):
        raise ValidationError({"members": _("分出的成员必须都是该户的在册成员。")})
    if new_head.pk not in {m.pk for m in moving}:
        raise ValidationError({"new_head": _("新户的户主必须在分出的成员中。")})
    remaining = _current_members(household).exclude(pk__in=[m.pk for m in moving])
    if not remaining.exists():
        raise ValidationError({"members": _("原户至少要保留一名成员。")})
    if any(m.relation == choices.Relation.HEAD for m in moving):
        raise ValidationError({"members": _("原户主不能分出；请先变更户主。")})
    new = Household(
        household_number=household_number,
        natural_village=household.natural_village,
        village=household.village,
        township=household.township,
        attribute=household.attribute,
        main_cause=household.main_cause,
        other_causes=household.other_causes,
        identified_year=household.identified_year,
        phone="",
        status=household.status,
        exit_year=household.exit_year,
        head_name=new_head.name,
        head_initials=pinyin_initials(new_head.name),
    )
    _save(new)
    for m in moving:
        m.household = new
        m.relation = choices.Relation.HEAD if m.pk == new_head.pk else choices.Relation.OTHER
        _save(m)
    household_decision_refresh(household)
    return new


@transaction.atomic
def household_merge(
    *, target: Household, source: Household, user, relation: str = choices.Relation.OTHER
) -> Household:
    """合户: source's current members join target (its head as `relation`); source is kept, as 已清退."""
    target = _changeable(user, Household, target)
    source = _changeable(user, Household, source)
    if target.pk == source.pk:
        raise ValidationError(_("不能与本户合户。"))
    if relation == choices.Relation.HEAD:
        raise ValidationError({"relation": _("并入成员与新户主的关系不能是户主。")})
    for m in _current_members(source):
        m.household = target
        if m.relation == choices.Relation.HEAD:
            m.relation = relation
        _save(m)
    source.status, source.removed_reason = choices.Status.REMOVED, f"合户并入 {target.household_number}"
    _save(source)
    household_decision_refresh(target)
    return target


@transaction.atomic
def household_return_confirm(*, household: Household, user, confirm: bool = True) -> Household:
    """A township official confirms (or dismisses) 返贫 for an exited household flagged by a failed assessment."""
    from core.access import Access

    household = _changeable(user, Household, household)
    if not Access.for_user(user).may_confirm_return:
        raise ValidationError(_("返贫由乡镇干部核实确认。"))
    if household.status != choices.Status.EXITED or not household.needs_return_review:
        raise ValidationError(_("该户不在待返贫核实名单中。"))
    if confirm:
        household.status = choices.Status.RETURNED
    household.needs_return_review = False
    _save(household)
    return household


HOUSEHOLD_EDITABLE = (
    "attribute",
    "main_cause",
    "other_causes",
    "identified_year",
    "phone",
    "natural_village",
)


@transaction.atomic
def household_update(*, household: Household, user, **changes) -> Household:
    """Edit a household's own fields. Status moves only through the exit procedure, 返贫 and removal."""
    from core.access import Access

    household = _changeable(user, Household, household)
    unknown = set(changes) - set(HOUSEHOLD_EDITABLE)
    if unknown:
        raise ValidationError({f: _("该字段不能在此修改。") for f in sorted(unknown)})
    natural_village = changes.pop("natural_village", None)
    if natural_village is not None and natural_village.pk != household.natural_village_id:
        village = natural_village.village
        if not Access.for_user(user).can_change_in(
            Household, township_id=village.township_id, village_id=village.pk
        ):
            raise ValidationError({"natural_village": _("只能把贫困户调整到您管辖范围内的自然村。")})
        household.natural_village, household.village_id, household.township_id = (
            natural_village,
            village.pk,
            village.township_id,
        )
    for name, value in changes.items():
        setattr(household, name, value)
    _save(household)
    return household


@transaction.atomic
def household_remove(*, household: Household, user, reason: str) -> Household:
    """已清退: wrongly registered; the record stays and counts nowhere."""
    household = _changeable(user, Household, household)
    if not reason.strip():
        raise ValidationError({"reason": _("请填写清退原因。")})
    household.status, household.removed_reason = choices.Status.REMOVED, reason.strip()
    _save(household)
    return household


@transaction.atomic
def member_add(*, household: Household, user, data: MemberData) -> Member:
    """A new current member (birth, marriage in, moving in). A second 户主 is refused by the model."""
    household = _changeable(user, Member, household)
    member = Member(household=household, **data.__dict__)
    _save(member)
    household_decision_refresh(household)
    return member


MEMBER_EDITABLE = Member.EDITABLE_FIELDS


@transaction.atomic
def member_update(*, member: Member, user, **changes) -> Member:
    """Correct a member's details; relation to 户主 changes through head_change, leaving through member_leave."""
    member = _changeable(user, Member, member)
    unknown = set(changes) - set(MEMBER_EDITABLE)
    if unknown:
        raise ValidationError({f: _("该字段不能在此修改。") for f in sorted(unknown)})
    for name, value in changes.items():
        setattr(member, name, value)
    _save(member)
    if member.relation == choices.Relation.HEAD:
        household = member.household
        household.head_name, household.head_initials = member.name, pinyin_initials(member.name)
        _save(household)
    return member


# -- the household page's edit form, as one change ---------------------------------------------------------


@dataclass
class MemberEdit:
    """One row of the edit form: corrections to a current member, or (member None) a new member."""

    member: Member | None
    changes: dict


class HouseholdEditRefused(ValidationError):
    """Why ``household_edit`` wrote nothing, by part: the household's own fields, each member row (by its
    position in the list given), and the head change."""

    def __init__(
        self,
        *,
        household: ValidationError | None = None,
        members: dict[int, ValidationError] | None = None,
        head: ValidationError | None = None,
    ) -> None:
        self.household, self.members, self.head = household, members or {}, head
        parts = [household, *self.members.values(), head]
        super().__init__([m for part in parts if part is not None for m in part.messages])


@transaction.atomic
def household_edit(
    *,
    household: Household,
    user,
    changes: dict | None = None,
    members: list[MemberEdit] = (),
    new_head: Member | None = None,
    old_head_relation: str = choices.Relation.SPOUSE,
) -> Household:
    """Save the household page's edit form as one change: the household's fields, corrections to its
    members, new members and a new 户主, each through its own service.

    All or nothing: every part is tried so that every refusal can be shown beside its row, and if any is
    refused nothing is written (``HouseholdEditRefused``).
    """
    refused: dict = {"members": {}}
    if changes:
        try:
            household_update(household=household, user=user, **changes)
        except ValidationError as exc:
            refused["household"] = exc
    for index, edit in enumerate(members):
        try:
            if edit.member is None:
                member_add(household=household, user=user, data=MemberData(**edit.changes))
            elif edit.changes:
                member_update(member=edit.member, user=user, **edit.changes)
        except ValidationError as exc:
            refused["members"][index] = exc
    if new_head is not None:
        try:
            head_change(
                household=household, new_head=new_head, user=user, old_head_relation=old_head_relation
            )
        except ValidationError as exc:
            refused["head"] = exc
    if refused.get("household") or refused["members"] or refused.get("head"):
        raise HouseholdEditRefused(**refused)  # leaving the transaction undoes the parts that were written
    household.refresh_from_db()
    return household


# -- pre-aggregated figures per village --------------------------------------------------------------


@transaction.atomic
def village_figures_refresh() -> int:
    """Recount every village's households and persons in one set-based statement per table.

    Persons are current members (not left). 已清退 households count nowhere. Returns the villages refreshed.
    """
    figures = VillageFigures._meta.db_table
    poor = ", ".join(f"'{s}'" for s in choices.POOR_STATUSES)
    counted = ", ".join(f"'{s}'" for s in (*choices.POOR_STATUSES, choices.Status.EXITED))
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {figures}")
        cursor.execute(
            f"""
            INSERT INTO {figures} (village_id, households, persons, poor_households, poor_persons,
                                   exited_households, exited_persons, refreshed_at)
            SELECT v.id,
                   COUNT(h.id) FILTER (WHERE h.status IN ({counted})),
                   COALESCE(SUM(h.size) FILTER (WHERE h.status IN ({counted})), 0),
                   COUNT(h.id) FILTER (WHERE h.status IN ({poor})),
                   COALESCE(SUM(h.size) FILTER (WHERE h.status IN ({poor})), 0),
                   COUNT(h.id) FILTER (WHERE h.status = '{choices.Status.EXITED}'),
                   COALESCE(SUM(h.size) FILTER (WHERE h.status = '{choices.Status.EXITED}'), 0),
                   CURRENT_TIMESTAMP
            FROM villages_administrativevillage v
            LEFT JOIN (
                SELECT hh.id, hh.village_id, hh.status,
                       (SELECT COUNT(*) FROM households_member m
                         WHERE m.household_id = hh.id AND m.left_reason = '') AS size
                FROM households_household hh
            ) h ON h.village_id = v.id
            GROUP BY v.id
            """
        )
        return cursor.rowcount


# -- 一户一策 and assistance measures (五个一批) ----------------------------------------------------------

MEASURE_FIELDS = ("year", "category", "description", "kind", "quantity", "unit", "amount", "project")


def _household_for_plans(user, household: Household, model) -> Household:
    from core.access import Access

    access = Access.for_user(user)
    household = access.get_or_404(Household.objects.all(), pk=household.pk)
    if not access.can_change_in(model, household_id=household.pk):
        raise ValidationError(
            _("您不能修改户 {household_number} 的{verbose_name}。").format(
                household_number=household.household_number, verbose_name=model._meta.verbose_name
            )
        )
    if household.status == choices.Status.REMOVED:
        raise ValidationError(
            _("户 {household_number} 已清退，不能再制定帮扶计划或措施。").format(
                household_number=household.household_number
            )
        )
    return household


def _measure_check(measure: AssistanceMeasure, user) -> None:
    from core.access import Access

    errors = {}
    if measure.quantity is not None and measure.quantity <= 0:
        errors["quantity"] = _("数量应大于 0。")
    if measure.quantity is not None and not measure.unit:
        errors["unit"] = _("填写了数量时请填写单位（如 头、亩、只）。")
    if measure.amount is not None and measure.amount < 0:
        errors["amount"] = _("金额不能为负数。")
    if measure.project_id and not Access.for_user(user).can_view(measure.project):
        errors["project"] = _("所选项目不存在，或不在您的管辖范围内。")
    if not 2013 <= (measure.year or 0) <= 2100:
        errors["year"] = _("年度应为 2013 年以后的四位数字年份。")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def help_plan_save(
    *, household: Household, user, year: int, cause_analysis: str = "", plan: str = ""
) -> HelpPlan:
    """一户一策: create the household's plan of ``year`` or update it (one per household and year)."""
    household = _household_for_plans(user, household, HelpPlan)
    if not 2013 <= (year or 0) <= 2100:
        raise ValidationError({"year": _("年度应为 2013 年以后的四位数字年份。")})
    help_plan = HelpPlan.objects.select_for_update().filter(household=household, year=year).first()
    if help_plan is None:
        help_plan = HelpPlan(household=household, year=year)
    help_plan.cause_analysis = cause_analysis
    help_plan.plan = plan
    help_plan.full_clean()
    help_plan.save()
    return help_plan


@transaction.atomic
def measure_add(*, household: Household, user, **values) -> AssistanceMeasure:
    """An assistance measure: 五个一批 category, what (kind) and how much (发展生产: 肉牛 2 头), optionally
    the project that funds it."""
    household = _household_for_plans(user, household, AssistanceMeasure)
    unknown = set(values) - set(MEASURE_FIELDS)
    if unknown:
        raise ValidationError({f: _("该字段不能在此填写。") for f in sorted(unknown)})
    measure = AssistanceMeasure(household=household, **values)
    _measure_check(measure, user)
    measure.full_clean()
    measure.save()
    return measure


@transaction.atomic
def measure_update(*, measure: AssistanceMeasure, user, **changes) -> AssistanceMeasure:
    measure = _changeable(user, AssistanceMeasure, measure)
    _household_for_plans(user, measure.household, AssistanceMeasure)
    unknown = set(changes) - set(MEASURE_FIELDS)
    if unknown:
        raise ValidationError({f: _("该字段不能在此修改。") for f in sorted(unknown)})
    for name, value in changes.items():
        setattr(measure, name, value)
    _measure_check(measure, user)
    measure.full_clean()
    measure.save()
    return measure


@transaction.atomic
def measure_delete(*, measure: AssistanceMeasure, user) -> None:
    measure = _changeable(user, AssistanceMeasure, measure)
    measure.delete()
