"""Writes to projects, relocation sites, trainings and targets. Pages, API, admin and import come here.

Thin for now (the projects issue fills it in): each write asks the access rule whether this user changes
this record, or creates one at this place, and validates the record before saving it.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model

from core.access import Access
from core.services import changeable, may_create, refuse_if_held, set_fields, validated_save
from households.models import Household, Member
from projects.models import Project, RelocationSite, Target, Training
from villages.models import NaturalVillage

PROJECT_FIELDS = (
    "name",
    "category",
    "parent",
    "township",
    "village",
    "year",
    "approved_on",
    "planned_investment",
    "state",
    "planned_households",
    "planned_persons",
    "description",
)
SITE_FIELDS = (
    "name",
    "township",
    "village",
    "kind",
    "planned_households",
    "planned_persons",
    "build_state",
    "year",
)
TRAINING_FIELDS = (
    "name",
    "kind",
    "year",
    "township",
    "planned_participants",
    "actual_participants",
    "planned_investment",
)
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


def _place(obj: Model) -> None:
    """A village given without its township takes its township; one given with another is refused."""
    village = getattr(obj, "village", None)
    if village is None:
        return
    if obj.township_id is None:
        obj.township_id = village.township_id
    elif village.township_id != obj.township_id:
        raise ValidationError({"village": f"行政村“{village}”不属于乡镇“{obj.township}”。"})


def _where(obj: Model) -> dict:
    return {"township_id": getattr(obj, "township_id", None), "village_id": getattr(obj, "village_id", None)}


def _create(model: type[Model], user, values: dict, allowed: tuple[str, ...]) -> Model:
    obj = model()
    set_fields(obj, values, allowed)
    _place(obj)
    may_create(user, model, **_where(obj))
    return validated_save(obj)


def _update(obj: Model, user, changes: dict, allowed: tuple[str, ...]) -> Model:
    obj = changeable(user, obj)
    set_fields(obj, changes, allowed)
    _place(obj)
    if not Access.for_user(user).can_change_in(type(obj), **_where(obj)):  # moved out of the user's scope
        raise ValidationError(f"只能把{obj._meta.verbose_name}安排在您管辖范围内。")
    return validated_save(obj)


def _related(obj: Model, user, **related) -> Model:
    """Set the many-to-many fields given (beneficiaries, participants), each checked against the scope."""
    for field, records in related.items():
        if records is not None:
            getattr(obj, field).set(RELATED_IN_SCOPE[field](user, records))
    return obj


def _in_scope(user, model: type[Model], records, *, field: str, label: str) -> list:
    """Related records (beneficiary households, trainees): each in the user's scope, or refused as if
    it did not exist."""
    wanted = {getattr(r, "pk", r) for r in records}
    found = list(Access.for_user(user).visible(model._default_manager.filter(pk__in=wanted)))
    if len(found) != len(wanted):
        missing = "、".join(str(pk) for pk in sorted(wanted - {r.pk for r in found}))
        raise ValidationError({field: f"未找到{label} ID {missing}，或不在您的管辖范围内。"})
    return found


def _beneficiaries(user, households) -> list:
    return _in_scope(user, Household, households, field="beneficiaries", label="受益户")


def _participants(user, members) -> list:
    return _in_scope(user, Member, members, field="participants", label="参训人员")


def _natural_villages(user, natural_villages) -> list:
    return _in_scope(user, NaturalVillage, natural_villages, field="natural_villages", label="自然村")


RELATED_IN_SCOPE = {
    "beneficiaries": _beneficiaries,
    "participants": _participants,
    "natural_villages": _natural_villages,
}


# -- projects --------------------------------------------------------------------------------------------


@transaction.atomic
def project_create(*, user, natural_villages=None, beneficiaries=None, **fields) -> Project:
    project = _create(Project, user, fields, PROJECT_FIELDS)
    return _related(project, user, natural_villages=natural_villages, beneficiaries=beneficiaries)


@transaction.atomic
def project_update(
    *, user, project: Project, natural_villages=None, beneficiaries=None, **changes
) -> Project:
    project = _update(project, user, changes, PROJECT_FIELDS)
    return _related(project, user, natural_villages=natural_villages, beneficiaries=beneficiaries)


@transaction.atomic
def project_delete(*, user, project: Project) -> None:
    """Only a project entered by mistake is deleted: one with progress, beneficiaries or measures stays."""
    project = changeable(user, project)
    refuse_if_held(
        project,
        {
            "条进度记录": project.progress.count(),
            "户受益户": project.beneficiaries.count(),
            "条帮扶措施": project.measures.count(),
            "个子项目": project.subprojects.count(),
        },
    )
    project.delete()  # its funding sources go with it


# -- relocation sites, trainings, targets ----------------------------------------------------------------


@transaction.atomic
def relocation_site_create(*, user, **fields) -> RelocationSite:
    return _create(RelocationSite, user, fields, SITE_FIELDS)


@transaction.atomic
def relocation_site_update(*, user, site: RelocationSite, **changes) -> RelocationSite:
    return _update(site, user, changes, SITE_FIELDS)


@transaction.atomic
def relocation_site_delete(*, user, site: RelocationSite) -> None:
    site = changeable(user, site)
    refuse_if_held(site, {"户搬迁记录": site.relocations.count()})
    site.delete()


@transaction.atomic
def training_create(*, user, participants=None, **fields) -> Training:
    return _related(_create(Training, user, fields, TRAINING_FIELDS), user, participants=participants)


@transaction.atomic
def training_update(*, user, training: Training, participants=None, **changes) -> Training:
    return _related(_update(training, user, changes, TRAINING_FIELDS), user, participants=participants)


@transaction.atomic
def training_delete(*, user, training: Training) -> None:
    training = changeable(user, training)
    refuse_if_held(training, {"名参训人员": training.participants.count()})
    training.delete()


@transaction.atomic
def target_create(*, user, **fields) -> Target:
    return _create(Target, user, fields, TARGET_FIELDS)


@transaction.atomic
def target_update(*, user, target: Target, **changes) -> Target:
    return _update(target, user, changes, TARGET_FIELDS)


@transaction.atomic
def target_delete(*, user, target: Target) -> None:
    target = changeable(user, target)
    target.delete()
