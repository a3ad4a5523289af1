"""The access rule: role × scope (DESIGN.md §4), in one place.

Every page, API viewset, export and job asks an ``Access`` built for the user:

    access = Access.for_user(request.user)
    households = access.visible(Household.objects.all())      # the rows this user may see
    household = access.get_or_404(Household.objects, pk=pk)   # out of scope answers 404, never 403
    access.can_change(household)                              # may this user change this record

Scopes are declared once per model as lookups to its township, village and household; roles that may
change a model are declared once per model too.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Exists, Model, OuterRef, Q, QuerySet
from django.http import Http404

from assignments.models import Role
from households.idnumbers import mask

COUNTY_WIDE = (Role.COUNTY_ADMIN, Role.INSPECTOR)
OFFICIALS_WITH_FULL_IDS = (Role.COUNTY_ADMIN, Role.TOWNSHIP_OFFICIAL, Role.VILLAGE_OFFICIAL)


@dataclass(frozen=True)
class Scope:
    township: str | None = None  # lookup from the model to its township id
    village: str | None = None  # ... to its administrative village id
    household: str | None = None  # ... to its household id
    cadre: str | None = None  # records a cadre made stay readable to that cadre
    public: bool = False  # reference data that every signed-in user reads


def _hh(prefix: str) -> Scope:
    return Scope(township=f"{prefix}__township_id", village=f"{prefix}__village_id", household=f"{prefix}_id")


SCOPES: dict[str, Scope] = {
    "villages.County": Scope(public=True),
    "villages.Township": Scope(township="id"),
    "villages.AdministrativeVillage": Scope(township="township_id", village="id"),
    "villages.NaturalVillage": Scope(township="village__township_id", village="village_id"),
    "villages.VillageIndicatorStatus": Scope(township="village__township_id", village="village_id"),
    "villages.VillageFigures": Scope(township="village__township_id", village="village_id"),
    "villages.ExitIndicator": Scope(public=True),
    "households.PovertyLine": Scope(public=True),
    "households.Household": Scope(township="township_id", village="village_id", household="id"),
    "households.Member": _hh("household"),
    "households.Assessment": _hh("household"),
    "households.HelpPlan": _hh("household"),
    "households.AssistanceMeasure": _hh("household"),
    "households.ExitApplication": _hh("household"),
    "households.ExitStep": _hh("application__household"),
    "households.ExitObjection": _hh("application__household"),
    "households.EligibilityChange": _hh("household"),
    "assignments.Pairing": Scope(**{**_hh("household").__dict__, "cadre": "cadre_id"}),
    "assignments.Revisit": Scope(**{**_hh("household").__dict__, "cadre": "cadre_id"}),
    "assignments.RevisitPhoto": Scope(**{**_hh("revisit__household").__dict__, "cadre": "revisit__cadre_id"}),
    "assignments.RevisitRound": Scope(public=True),
    "projects.Project": Scope(township="township_id", village="village_id"),
    "projects.FundingSource": Scope(township="project__township_id", village="project__village_id"),
    "projects.ProgressEntry": Scope(township="project__township_id", village="project__village_id"),
    "projects.RelocationSite": Scope(township="township_id", village="village_id"),
    "projects.Relocation": _hh("household"),
    "projects.Training": Scope(township="township_id"),
    "projects.Target": Scope(township="township_id"),
}

# Who may change what (inside their scope). county_admin changes everything; inspectors change nothing.
CHANGERS: dict[str, tuple[str, ...]] = {
    "villages.Township": (),
    "villages.AdministrativeVillage": (Role.TOWNSHIP_OFFICIAL,),
    "villages.NaturalVillage": (Role.TOWNSHIP_OFFICIAL,),
    "villages.VillageIndicatorStatus": (Role.TOWNSHIP_OFFICIAL,),
    "households.Household": (Role.TOWNSHIP_OFFICIAL, Role.VILLAGE_OFFICIAL),
    "households.Member": (Role.TOWNSHIP_OFFICIAL, Role.VILLAGE_OFFICIAL),
    "households.Assessment": (Role.TOWNSHIP_OFFICIAL, Role.VILLAGE_OFFICIAL),
    "households.HelpPlan": (Role.TOWNSHIP_OFFICIAL, Role.VILLAGE_OFFICIAL),
    "households.AssistanceMeasure": (Role.TOWNSHIP_OFFICIAL, Role.VILLAGE_OFFICIAL),
    # Which exit step a role may take is decided by the exit procedure's services; here: who takes part.
    "households.ExitApplication": (Role.TOWNSHIP_OFFICIAL, Role.VILLAGE_OFFICIAL),
    "households.ExitObjection": (Role.TOWNSHIP_OFFICIAL, Role.VILLAGE_OFFICIAL),
    "assignments.Pairing": (Role.TOWNSHIP_OFFICIAL,),
    "assignments.Revisit": (Role.CADRE,),
    "assignments.RevisitPhoto": (Role.CADRE,),
    "projects.Project": (Role.TOWNSHIP_OFFICIAL,),
    "projects.FundingSource": (Role.TOWNSHIP_OFFICIAL,),
    "projects.ProgressEntry": (Role.TOWNSHIP_OFFICIAL,),
    "projects.RelocationSite": (Role.TOWNSHIP_OFFICIAL,),
    "projects.Relocation": (Role.TOWNSHIP_OFFICIAL,),
    "projects.Training": (Role.TOWNSHIP_OFFICIAL,),
}


class Access:
    """What one user may see and change."""

    def __init__(self, user) -> None:
        self.user = user
        self.role = getattr(user, "role", None) if user.is_authenticated else None

    @classmethod
    def for_user(cls, user) -> Access:
        cached = getattr(user, "_access", None)
        if cached is None:
            cached = cls(user)
            if user.is_authenticated:
                user._access = cached
        return cached

    # -- reading -------------------------------------------------------------------------------------

    def visible(self, qs: QuerySet) -> QuerySet:
        """The rows of ``qs`` this user may see."""
        label = qs.model._meta.label
        if self.role is None:
            return qs.none()
        if label == "assignments.User":
            return qs if self.role == Role.COUNTY_ADMIN else qs.filter(pk=self.user.pk)
        if label == "poverty_tracker.Job":
            return qs if self.role == Role.COUNTY_ADMIN else qs.filter(created_by=self.user)
        if label == "poverty_tracker.ImportRecord":  # an upload is its uploader's (and the county's)
            return qs if self.role == Role.COUNTY_ADMIN else qs.filter(created_by=self.user)
        if label in ("assignments.WorkUnit", "assignments.Cadre", "assignments.WorkUnitVillage"):
            return self._responsibility(qs, label)
        scope = SCOPES.get(label)
        if scope is None:
            return qs.none()  # a model nobody declared is visible to nobody: fail closed
        if scope.public or self.role in COUNTY_WIDE:
            return qs
        if self.role == Role.TOWNSHIP_OFFICIAL:
            return qs.filter(**{scope.township: self.user.township_id}) if scope.township else qs.none()
        if self.role == Role.VILLAGE_OFFICIAL:
            if scope.village:
                return qs.filter(**{scope.village: self.user.village_id})
            if scope.township:  # township-level records (the township itself, its trainings and targets)
                return qs.filter(**{scope.township: self.user.village.township_id})
            return qs.none()
        if self.role == Role.CADRE:
            return self._cadre(qs, scope)
        return qs.none()

    def _cadre_households(self) -> QuerySet:
        from assignments.models import Pairing

        return Pairing.objects.filter(cadre_id=self.user.cadre_id, ended_on__isnull=True).values(
            "household_id"
        )

    def _cadre(self, qs: QuerySet, scope: Scope) -> QuerySet:
        """A cadre sees their actively paired households; what they recorded stays readable to them."""
        from households.models import Household

        paired = self._cadre_households()
        if scope.household:
            q = Q(**{f"{scope.household}__in": paired})
            if scope.cadre:
                q |= Q(**{scope.cadre: self.user.cadre_id})
            return qs.filter(q)
        households = Household.objects.filter(id__in=paired)
        if scope.village:
            return qs.filter(**{f"{scope.village}__in": households.values("village_id")})
        if scope.township:
            return qs.filter(**{f"{scope.township}__in": households.values("township_id")})
        return qs.none()

    def _responsibility(self, qs: QuerySet, label: str) -> QuerySet:
        """Work units and cadres: county-wide roles see all; others see those that work in their scope."""
        from assignments.models import Pairing, WorkUnitVillage

        if self.role in COUNTY_WIDE:
            return qs
        if self.role == Role.CADRE:
            cadre = self.user.cadre
            if label == "assignments.Cadre":
                return qs.filter(pk=cadre.pk)
            if label == "assignments.WorkUnit":
                return qs.filter(pk=cadre.unit_id)
            return qs.filter(unit_id=cadre.unit_id)
        if self.role == Role.TOWNSHIP_OFFICIAL:
            place = {"township_id": self.user.township_id}
            unit_place = {"village__township_id": self.user.township_id}
        elif self.role == Role.VILLAGE_OFFICIAL:
            place = {"village_id": self.user.village_id}
            unit_place = {"village_id": self.user.village_id}
        else:
            return qs.none()
        if label == "assignments.WorkUnitVillage":
            return qs.filter(**unit_place)
        if label == "assignments.WorkUnit":
            return qs.filter(Exists(WorkUnitVillage.objects.filter(unit_id=OuterRef("pk"), **unit_place)))
        household_place = {f"household__{k}": v for k, v in place.items()}
        return qs.filter(
            Exists(Pairing.objects.filter(cadre_id=OuterRef("pk"), ended_on__isnull=True, **household_place))
        )

    def get_or_404(self, qs, **lookup) -> Model:
        """One record in scope, or 404 (not 403: don't reveal that a record exists)."""
        if isinstance(qs, type) and issubclass(qs, Model):
            qs = qs._default_manager.all()  # a model class, as django.shortcuts.get_object_or_404 takes
        elif not isinstance(qs, QuerySet):
            qs = qs.all()
        try:
            return self.visible(qs).get(**lookup)
        except (qs.model.DoesNotExist, ValueError, TypeError, ValidationError):  # malformed ids too
            raise Http404("未找到该记录，或不在您的管辖范围内。") from None

    def can_view(self, obj: Model) -> bool:
        return self.visible(type(obj)._default_manager.filter(pk=obj.pk)).exists()

    # -- changing ------------------------------------------------------------------------------------

    def may_change_model(self, model: type[Model]) -> bool:
        """Whether this role changes this kind of record at all (scope is checked per record)."""
        if self.role == Role.COUNTY_ADMIN:
            return True
        return self.role in CHANGERS.get(model._meta.label, ())

    def can_change(self, obj: Model) -> bool:
        if not self.may_change_model(type(obj)):
            return False
        if self.role == Role.CADRE:
            return self._cadre_may_change(obj)
        return self.can_view(obj)

    def _cadre_may_change(self, obj: Model) -> bool:
        """A cadre changes only their own records of households still paired with them.

        What they read is wider (revisits they recorded stay readable after the pairing ends, and a
        household's earlier revisits by other cadres are readable): reading is not changing.
        """
        scope = SCOPES.get(obj._meta.label)
        if scope is None or scope.household is None:
            return False
        q = Q(**{f"{scope.household}__in": self._cadre_households()})
        if scope.cadre:
            q &= Q(**{scope.cadre: self.user.cadre_id})
        return type(obj)._default_manager.filter(q, pk=obj.pk).exists()

    def can_change_in(
        self,
        model: type[Model],
        *,
        township_id: int | None = None,
        village_id: int | None = None,
        household_id: int | None = None,
    ) -> bool:
        """For a record not yet created: may this user create ``model`` at this place?"""
        if not self.may_change_model(model):
            return False
        if self.role == Role.COUNTY_ADMIN:
            return True
        if household_id is not None:
            from households.models import Household

            return self.visible(Household.objects.filter(pk=household_id)).exists()
        if self.role == Role.TOWNSHIP_OFFICIAL:
            return township_id is not None and township_id == self.user.township_id
        if self.role == Role.VILLAGE_OFFICIAL:
            return village_id is not None and village_id == self.user.village_id
        return False

    # -- personal data -------------------------------------------------------------------------------

    @property
    def sees_full_id_numbers(self) -> bool:
        """Whole ID numbers only for officials within scope (rows they see are in scope)."""
        return self.role in OFFICIALS_WITH_FULL_IDS

    def id_number(self, id_number: str) -> str:
        return id_number if self.sees_full_id_numbers else mask(id_number)
