"""Writes to projects, relocations, trainings and targets. Pages, API, admin and import go through these.

Every write is checked against the access rule: township officials change what is in their township, the
county admin everything, inspectors nothing. A refusal is a ValidationError naming the field, in Chinese.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model
from django.utils.translation import gettext as _

from core.access import Access
from core.services import refuse_if_held
from households.choices import Status
from households.models import Household, Member
from projects.models import ProgressEntry, Project, Relocation, RelocationSite, Target, Training
from villages.models import AdministrativeVillage, NaturalVillage, Township

AREA_PER_PERSON = 25  # 易地扶贫搬迁: 建档立卡搬迁户 at most 25 m² of housing per person

PROJECT_FIELDS = (
    "name",
    "category",
    "parent",
    "township",
    "village",
    "year",
    "approved_on",
    "started_on",
    "ended_on",
    "planned_investment",
    "state",
    "planned_households",
    "planned_persons",
    "description",
)


def _refuse_role(access: Access, model: type[Model]) -> None:
    if not access.may_change_model(model):
        raise ValidationError(
            _("您的角色不能修改{verbose_name}。").format(verbose_name=model._meta.verbose_name), code="role"
        )


def _changeable(user, obj: Model) -> Model:
    """The record re-read (locked) inside the user's scope, 404 outside, if the role may change it."""
    access = Access.for_user(user)
    obj = access.get_or_404(type(obj)._default_manager.select_for_update(), pk=obj.pk)
    _refuse_role(access, type(obj))
    if not access.can_change(obj):
        raise ValidationError(
            _("您不能修改这条{value}记录。").format(value=type(obj)._meta.verbose_name), code="scope"
        )
    return obj


# -- projects ------------------------------------------------------------------------------------------


def _project_check(project: Project, access: Access) -> None:
    """Place, parent and dates of a project as it is about to be saved."""
    errors: dict[str, str] = {}
    if project.village_id:
        village = project.village
        if project.township_id is None:
            project.township_id = village.township_id
        elif village.township_id != project.township_id:
            errors["village"] = _("行政村“{name}”不属于所选乡镇。").format(name=village.name)
    if project.parent_id:
        parent = project.parent
        if parent.pk == project.pk:
            errors["parent"] = _("上级项目不能是项目本身。")
        elif parent.parent_id:
            errors["parent"] = _("“{name}”本身是子项目，不能再作为上级项目。").format(name=parent.name)
        elif parent.township_id and parent.township_id != project.township_id:
            errors["parent"] = _("子项目须与上级项目“{name}”在同一乡镇。").format(name=parent.name)
    if project.started_on and project.ended_on and project.ended_on < project.started_on:
        errors["ended_on"] = _("完工日期 {ended_on} 早于开工日期 {started_on}。").format(
            ended_on=f"{project.ended_on:%Y-%m-%d}", started_on=f"{project.started_on:%Y-%m-%d}"
        )
    if project.planned_investment is not None and project.planned_investment < 0:
        errors["planned_investment"] = _("计划投资不能为负数。")
    if not 2000 <= (project.year or 0) <= 2100:
        errors["year"] = _("年度应为四位数字的年份。")
    if errors:
        raise ValidationError(errors)
    if project.township_id is None and not access.can_change_in(Project):
        raise ValidationError({"township": _("只有县扶贫办可以登记县级项目：请选择乡镇。")})
    if project.township_id is not None and not access.can_change_in(Project, township_id=project.township_id):
        raise ValidationError({"township": _("只能在您管辖的乡镇登记项目。")})


@transaction.atomic
def project_create(
    *,
    user,
    name: str,
    category: str,
    year: int,
    township: Township | None = None,
    village: AdministrativeVillage | None = None,
    parent: Project | None = None,
    planned_investment: Decimal = Decimal("0"),
    planned_households: int = 0,
    planned_persons: int = 0,
    approved_on: datetime.date | None = None,
    started_on: datetime.date | None = None,
    ended_on: datetime.date | None = None,
    state: str = Project.State.PLANNED,
    description: str = "",
    natural_villages: Iterable[NaturalVillage] = (),
) -> Project:
    access = Access.for_user(user)
    _refuse_role(access, Project)
    project = Project(
        name=name,
        category=category,
        year=year,
        township=township,
        village=village,
        parent=parent,
        planned_investment=planned_investment,
        planned_households=planned_households,
        planned_persons=planned_persons,
        approved_on=approved_on,
        started_on=started_on,
        ended_on=ended_on,
        state=state,
        description=description,
    )
    _project_check(project, access)
    project.full_clean()
    project.save()
    if natural_villages:
        project.natural_villages.set(natural_villages)
    return project


@transaction.atomic
def project_update(*, project: Project, user, natural_villages=None, **changes) -> Project:
    access = Access.for_user(user)
    project = _changeable(user, project)
    unknown = set(changes) - set(PROJECT_FIELDS)
    if unknown:
        raise ValidationError({f: _("该字段不能在此修改。") for f in sorted(unknown)})
    for field, value in changes.items():
        setattr(project, field, value)
    _project_check(project, access)
    project.full_clean()
    project.save()
    if natural_villages is not None:
        project.natural_villages.set(natural_villages)
    return project


@transaction.atomic
def project_delete(*, project: Project, user) -> None:
    """Only a project with nothing recorded on it: one with progress or beneficiaries is closed instead."""
    project = _changeable(user, project)
    reasons = []
    if project.progress.exists():
        reasons.append(_("已有进度填报"))
    if project.beneficiaries.exists():
        reasons.append(_("已有受益户"))
    if project.subprojects.exists():
        reasons.append(_("有子项目"))
    if reasons:
        raise ValidationError(
            _("项目“{name}”{reasons}，不能删除；可以将其关闭（状态改为已关闭）。").format(
                name=project.name, reasons=_("、").join(reasons)
            ),
            code="has_records",
        )
    project.delete()


@transaction.atomic
def project_close(*, project: Project, user) -> Project:
    project = _changeable(user, project)
    project.state = Project.State.CLOSED
    project.save(update_fields=["state"])
    return project


@transaction.atomic
def progress_add(
    *,
    project: Project,
    user,
    recorded_on: datetime.date,
    invested_to_date: Decimal,
    percent_complete: int | None = None,
    note: str = "",
    over_plan_reason: str = "",
    photo=None,
) -> ProgressEntry:
    """A progress entry: invested to date as of a date. Above the planned investment it needs a reason."""
    project = _changeable(user, project)
    errors: dict[str, str] = {}
    if invested_to_date is None or invested_to_date < 0:
        errors["invested_to_date"] = _("累计完成投资不能为负数。")
    if percent_complete is not None and not 0 <= percent_complete <= 100:
        errors["percent_complete"] = _("形象进度应在 0–100 之间，填写的是 {percent_complete}。").format(
            percent_complete=percent_complete
        )
    start = project.started_on or project.approved_on
    if recorded_on and start and recorded_on < start:
        errors["recorded_on"] = (
            _("填报日期 {recorded_on} 早于项目开工日期 {start}。")
            if project.started_on
            else _("填报日期 {recorded_on} 早于项目批复日期 {start}。")
        ).format(recorded_on=f"{recorded_on:%Y-%m-%d}", start=f"{start:%Y-%m-%d}")
    over = (
        "invested_to_date" not in errors
        and project.planned_investment
        and invested_to_date > project.planned_investment
    )
    if over and not over_plan_reason.strip():
        errors["over_plan_reason"] = _(
            "累计完成投资 {invested:,.2f} 元超过计划投资 {planned:,.2f} 元：请填写超计划投资说明以确认。"
        ).format(invested=invested_to_date, planned=project.planned_investment)
    if errors:
        raise ValidationError(errors)
    entry = ProgressEntry(
        project=project,
        recorded_on=recorded_on,
        invested_to_date=invested_to_date,
        percent_complete=percent_complete,
        note=note,
        over_plan_reason=over_plan_reason.strip() if over else "",
    )
    if photo:
        entry.photo = photo
    entry.full_clean()
    entry.save()
    return entry


def _beneficiary_problems(
    project: Project, households: list[Household], access: Access
) -> tuple[list[Household], list[str], dict[str, list[str]]]:
    """(households to add, warnings, errors) for adding ``households`` as beneficiaries."""
    ok, warnings, errors = [], [], []
    for h in households:
        if h.status == Status.REMOVED:
            errors.append(
                _("户 {household_number} 已清退，不能作为受益户。").format(
                    household_number=h.household_number
                )
            )
            continue
        if project.township_id and h.township_id != project.township_id:
            if not access.can_change_in(Project):  # only the county admin adds across townships
                errors.append(
                    _("户 {household_number} 不在项目所在乡镇，不能作为受益户。").format(
                        household_number=h.household_number
                    )
                )
                continue
            warnings.append(
                _("户 {household_number} 不在项目所在乡镇（{township}），已按县级安排添加。").format(
                    household_number=h.household_number, township=project.township
                )
            )
        ok.append(h)
    return ok, warnings, {"households": errors} if errors else {}


@transaction.atomic
def beneficiaries_add(*, project: Project, user, households: Iterable[Household]) -> list[str]:
    """Add beneficiary households (each visible to the user). Answers the warnings to show."""
    access = Access.for_user(user)
    project = _changeable(user, project)
    ids = [h.pk for h in households]
    found = list(access.visible(Household.objects.filter(pk__in=ids)).select_related("township"))
    if len(found) != len(set(ids)):
        raise ValidationError({"households": _("有的户未登记，或不在您的管辖范围内。")})
    ok, warnings, errors = _beneficiary_problems(project, found, access)
    if errors:
        raise ValidationError(errors)
    project.beneficiaries.add(*ok)
    return warnings


@transaction.atomic
def beneficiaries_add_from_village(
    *, project: Project, user, village: AdministrativeVillage
) -> tuple[int, list[str]]:
    """Every registered (not 已清退) household of an administrative village the user sees."""
    access = Access.for_user(user)
    households = access.visible(
        Household.objects.filter(village=village).exclude(status__in=(Status.REMOVED, Status.GENERAL))
    )
    households = list(households.only("id", "household_number", "status", "township_id"))
    if not households:
        raise ValidationError(
            {"village": _("行政村“{name}”没有您可以添加的贫困户。").format(name=village.name)}
        )
    warnings = beneficiaries_add(project=project, user=user, households=households)
    return len(households), warnings


@transaction.atomic
def beneficiary_remove(*, project: Project, user, household: Household) -> None:
    project = _changeable(user, project)
    project.beneficiaries.remove(household)


# -- relocation ----------------------------------------------------------------------------------------


SITE_FIELDS = (
    "name",
    "township",
    "village",
    "natural_village",
    "kind",
    "planned_households",
    "planned_persons",
    "build_state",
    "investment",
    "year",
)


def _site_check(site: RelocationSite, access: Access) -> None:
    errors = {}
    if site.village_id and site.village.township_id != site.township_id:
        errors["village"] = _("行政村“{name}”不属于所选乡镇。").format(name=site.village.name)
    if site.natural_village_id and site.natural_village.village.township_id != site.township_id:
        errors["natural_village"] = _("自然村“{name}”不属于所选乡镇。").format(name=site.natural_village.name)
    if errors:
        raise ValidationError(errors)
    if not access.can_change_in(RelocationSite, township_id=site.township_id):
        raise ValidationError({"township": _("只能在您管辖的乡镇登记安置点。")})


@transaction.atomic
def relocation_site_create(*, user, **values) -> RelocationSite:
    access = Access.for_user(user)
    _refuse_role(access, RelocationSite)
    unknown = set(values) - set(SITE_FIELDS)
    if unknown:
        raise ValidationError({f: _("该字段不能在此填写。") for f in sorted(unknown)})
    site = RelocationSite(**values)
    _site_check(site, access)
    site.full_clean()
    site.save()
    return site


@transaction.atomic
def relocation_site_update(*, site: RelocationSite, user, **changes) -> RelocationSite:
    access = Access.for_user(user)
    site = _changeable(user, site)
    unknown = set(changes) - set(SITE_FIELDS)
    if unknown:
        raise ValidationError({f: _("该字段不能在此修改。") for f in sorted(unknown)})
    for field, value in changes.items():
        setattr(site, field, value)
    _site_check(site, access)
    site.full_clean()
    site.save()
    return site


def _move_check(relocation: Relocation, access: Access) -> None:
    errors = {}
    household, site = relocation.household, relocation.site
    if household.status == Status.REMOVED:
        errors["household"] = _("户 {household_number} 已清退，不能登记搬迁。").format(
            household_number=household.household_number
        )
    if site.township.county_id != household.township.county_id:
        errors["site"] = _("安置点“{name}”不在该户所在的县，不能跨县搬迁。").format(name=site.name)
    elif not access.can_change_in(Relocation, township_id=site.township_id):
        errors["site"] = _("安置点“{name}”不在您管辖的乡镇。").format(name=site.name)
    if not relocation.persons or relocation.persons < 1:
        errors["persons"] = _("搬迁人数必须大于 0。")
    elif (
        relocation.kind == Relocation.Kind.REGISTERED
        and relocation.housing_area is not None
        and relocation.housing_area > relocation.persons * AREA_PER_PERSON
    ):
        errors["housing_area"] = _(
            "建档立卡搬迁户人均住房面积不得超过 {limit} 平方米："
            "{area} 平方米 ÷ {persons} 人 = {per_person:.2f} 平方米/人。"
        ).format(
            limit=AREA_PER_PERSON,
            area=relocation.housing_area,
            persons=relocation.persons,
            per_person=relocation.housing_area / relocation.persons,
        )
    if relocation.housing_area is not None and relocation.housing_area < 0:
        errors["housing_area"] = _("住房面积不能为负数。")
    if errors:
        raise ValidationError(errors)


def _settle(relocation: Relocation) -> None:
    """After moving in, the household lives at the site: its address (and so who may see it) follows."""
    site = relocation.site
    nv = site.natural_village
    if relocation.moved_in_on is None or nv is None:
        return
    household = relocation.household
    if household.natural_village_id == nv.pk:
        return
    household.natural_village = nv
    household.village_id = nv.village_id
    household.township_id = site.township_id
    household.save()


@transaction.atomic
def relocation_record(
    *,
    user,
    household: Household,
    site: RelocationSite,
    kind: str = Relocation.Kind.REGISTERED,
    persons: int,
    housing_area: Decimal,
    moved_in_on: datetime.date | None = None,
    old_house_demolished: bool = False,
    from_natural_village: NaturalVillage | None = None,
) -> Relocation:
    """A move of its own: earlier moves of the household stay as its history."""
    access = Access.for_user(user)
    _refuse_role(access, Relocation)
    household = access.get_or_404(Household.objects.select_for_update(), pk=household.pk)
    if not access.can_change_in(Relocation, household_id=household.pk):
        raise ValidationError(
            {
                "household": _("您不能为户 {household_number} 登记搬迁。").format(
                    household_number=household.household_number
                )
            }
        )
    site = access.get_or_404(RelocationSite.objects.select_related("township", "natural_village"), pk=site.pk)
    relocation = Relocation(
        household=household,
        site=site,
        kind=kind,
        persons=persons,
        housing_area=housing_area,
        moved_in_on=moved_in_on,
        old_house_demolished=old_house_demolished,
        from_natural_village=from_natural_village or household.natural_village,
    )
    _move_check(relocation, access)
    relocation.full_clean()
    relocation.save()
    _settle(relocation)
    return relocation


@transaction.atomic
def relocation_update(*, relocation: Relocation, user, **changes) -> Relocation:
    access = Access.for_user(user)
    relocation = _changeable(user, relocation)
    allowed = {"site", "kind", "persons", "housing_area", "moved_in_on", "old_house_demolished"}
    unknown = set(changes) - allowed
    if unknown:
        raise ValidationError({f: _("该字段不能在此修改。") for f in sorted(unknown)})
    for field, value in changes.items():
        setattr(relocation, field, value)
    _move_check(relocation, access)
    relocation.full_clean()
    relocation.save()
    _settle(relocation)
    return relocation


# -- training and targets ------------------------------------------------------------------------------

TRAINING_FIELDS = (
    "name",
    "kind",
    "year",
    "township",
    "planned_participants",
    "actual_participants",
    "planned_investment",
)


def _training_check(training: Training, access: Access) -> None:
    if training.township_id is None and not access.can_change_in(Training):
        raise ValidationError({"township": _("只有县扶贫办可以登记县级培训：请选择乡镇。")})
    if training.township_id and not access.can_change_in(Training, township_id=training.township_id):
        raise ValidationError({"township": _("只能在您管辖的乡镇登记培训。")})


@transaction.atomic
def training_create(*, user, **values) -> Training:
    access = Access.for_user(user)
    _refuse_role(access, Training)
    unknown = set(values) - set(TRAINING_FIELDS)
    if unknown:
        raise ValidationError({f: _("该字段不能在此填写。") for f in sorted(unknown)})
    training = Training(**values)
    _training_check(training, access)
    training.full_clean()
    training.save()
    return training


@transaction.atomic
def training_update(*, training: Training, user, **changes) -> Training:
    access = Access.for_user(user)
    training = _changeable(user, training)
    unknown = set(changes) - set(TRAINING_FIELDS)
    if unknown:
        raise ValidationError({f: _("该字段不能在此修改。") for f in sorted(unknown)})
    for field, value in changes.items():
        setattr(training, field, value)
    _training_check(training, access)
    training.full_clean()
    training.save()
    return training


@transaction.atomic
def training_participants_add(*, training: Training, user, members: Iterable[Member]) -> int:
    """Participants are registered members the user sees, current, of households not 已清退."""
    access = Access.for_user(user)
    training = _changeable(user, training)
    ids = {m.pk for m in members}
    found = list(
        access.visible(Member.objects.filter(pk__in=ids))
        .select_related("household")
        .only(
            "id",
            "name",
            "left_reason",
            "household__status",
            "household__household_number",
            "household__township_id",
        )
    )
    if len(found) != len(ids):
        raise ValidationError({"members": _("有的人员未登记，或不在您的管辖范围内。")})
    errors = []
    for m in found:
        if m.household.status == Status.REMOVED:
            errors.append(
                _("{name}（户 {household_number}）所在户已清退，不能参训。").format(
                    name=m.name, household_number=m.household.household_number
                )
            )
        elif m.left_reason:
            errors.append(
                _("{name} 已不是户 {household_number} 的现有成员。").format(
                    name=m.name, household_number=m.household.household_number
                )
            )
        elif training.township_id and m.household.township_id != training.township_id:
            errors.append(_("{name} 不在培训所在乡镇。").format(name=m.name))
    if errors:
        raise ValidationError({"members": errors})
    training.participants.add(*found)
    return len(found)


@transaction.atomic
def training_participant_remove(*, training: Training, user, member: Member) -> None:
    training = _changeable(user, training)
    training.participants.remove(member)


TARGET_FIELDS = (
    "county",
    "township",
    "year",
    "category",
    "persons",
    "households",
    "villages_to_exit",
    "townships_to_exit",
    "income_goal",
    "note",
)


@transaction.atomic
def target_save(*, user, target: Target | None = None, **values) -> Target:
    """Targets are set by the county (no other role changes them); progress is never typed in."""
    access = Access.for_user(user)
    _refuse_role(access, Target)
    unknown = set(values) - set(TARGET_FIELDS)
    if unknown:
        raise ValidationError({f: _("该字段不能在此填写。") for f in sorted(unknown)})
    if target is not None:
        target = _changeable(user, target)
    else:
        target = Target()
    for field, value in values.items():
        setattr(target, field, value)
    if target.township_id and target.county_id and target.township.county_id != target.county_id:
        raise ValidationError({"township": _("乡镇不属于所选县。")})
    target.full_clean()
    target.save()
    return target


# -- deleting sites and trainings, and the admin's target forms -----------------------------------------


@transaction.atomic
def relocation_site_delete(*, user, site: RelocationSite) -> None:
    """Only a site entered by mistake: one with moves recorded stays."""
    site = _changeable(user, site)
    refuse_if_held(site, {_("户搬迁记录"): site.relocations.count()})
    site.delete()


@transaction.atomic
def training_delete(*, user, training: Training) -> None:
    training = _changeable(user, training)
    refuse_if_held(training, {_("名参训人员"): training.participants.count()})
    training.delete()


def target_create(*, user, **values) -> Target:
    return target_save(user=user, **values)


def target_update(*, user, target: Target, **changes) -> Target:
    return target_save(user=user, target=target, **changes)


@transaction.atomic
def target_delete(*, user, target: Target) -> None:
    target = _changeable(user, target)
    target.delete()
