"""The access rule: role × scope (DESIGN.md §4), in one place.

Every page, API viewset, export and job asks an ``Access`` built for the user:

    access = Access.for_user(request.user)
    households = access.visible(Household.objects.all())      # the rows this user may see
    household = access.get_or_404(Household.objects, pk=pk)   # out of scope answers 404, never 403
    access.can_change(household)                              # may this user change this record

This module is shared infrastructure: it imports no domain app. Each model declares how it reaches its
township, village, household and cadre, and which roles change it, as a class attribute
``access_scope = Scope(...)`` (a model with no declaration is visible to nobody: fail closed). The one
thing the rule cannot read off a model, which households a cadre is paired with, is declared by the app
that keeps the pairings (``register_cadre_households``, from its AppConfig.ready()).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Model, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.idnumbers import mask


def mask_phone(phone: str) -> str:
    """139****0000: the first three and the last four digits only (shorter numbers: the last four)."""
    phone = phone or ""
    if len(phone) >= 11:
        return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]
    if len(phone) > 4:
        return "*" * (len(phone) - 4) + phone[-4:]
    return "*" * len(phone)


class Role(models.TextChoices):
    """The five roles of DESIGN.md §4. Every decision about them is made in this module."""

    COUNTY_ADMIN = "county_admin", _("县扶贫办管理员")
    TOWNSHIP_OFFICIAL = "township_official", _("乡镇干部")
    VILLAGE_OFFICIAL = "village_official", _("村委会工作人员")
    CADRE = "cadre", _("挂包帮干部")
    INSPECTOR = "inspector", _("督查人员")


COUNTY_WIDE = (Role.COUNTY_ADMIN, Role.INSPECTOR)
OFFICIALS = (Role.COUNTY_ADMIN, Role.TOWNSHIP_OFFICIAL, Role.VILLAGE_OFFICIAL, Role.INSPECTOR)
OFFICE_ROLES = (Role.COUNTY_ADMIN, Role.TOWNSHIP_OFFICIAL, Role.VILLAGE_OFFICIAL)
OFFICIALS_WITH_FULL_IDS = OFFICE_ROLES
# 返贫 is verified by the township (乡镇干部), or the county.
RETURN_CONFIRMERS = (Role.TOWNSHIP_OFFICIAL, Role.COUNTY_ADMIN)
# Which scope each role's account needs: the county (none), a township, a village, or a cadre record.
SCOPE_OF_ROLE: dict[str, str | None] = {
    Role.COUNTY_ADMIN: None,
    Role.INSPECTOR: None,
    Role.TOWNSHIP_OFFICIAL: "township",
    Role.VILLAGE_OFFICIAL: "village",
    Role.CADRE: "cadre",
}

# A path is a lookup from the model to an id ("village__township_id"), or, where the relation needs a
# condition (a cadre's *active* pairings), a function of the id giving a Q on the model.
Path = str | Callable[[int], Q]


@dataclass(frozen=True)
class Scope:
    """How a model reaches the places that scope it, and who changes it (inside their scope)."""

    township: Path | None = None  # to its township id
    village: Path | None = None  # to its administrative village id
    household: str | None = None  # to its household id
    cadre: Path | None = None  # records a cadre made, or that concern the cadre, stay readable to them
    owner: str | None = None  # records owned by a user (jobs, uploads): the county admin sees all
    public: bool = False  # reference data that every signed-in user (of ``readers``) reads
    readers: tuple[str, ...] | None = None  # roles that read it at all (None: every role)
    changers: tuple[str, ...] = ()  # roles that change it in scope; the county admin changes everything
    creators: tuple[str, ...] | None = None  # roles that create it in scope (None: the changers)
    many: bool = False  # a path crosses a to-many relation: filter through a subquery, no duplicates


def household_scope(prefix: str, **extra) -> Scope:
    """The scope of a record that belongs to a household (``prefix`` is the lookup to the household)."""
    return Scope(
        township=f"{prefix}__township_id",
        village=f"{prefix}__village_id",
        household=f"{prefix}_id",
        **extra,
    )


def declared_scope(model: type[Model]) -> Scope | None:
    return getattr(model, "access_scope", None)


_cadre_households: Callable[[int], QuerySet] | None = None


def register_cadre_households(households: Callable[[int], QuerySet]) -> None:
    """Declared by the app that keeps pairings: a cadre id → the Household queryset paired with them."""
    global _cadre_households
    _cadre_households = households


@functools.cache
def _household_model() -> type[Model]:
    """The model that is the household: the one whose scope's household path is its own id."""
    for model in apps.get_models():
        scope = declared_scope(model)
        if scope is not None and scope.household == "id":
            return model
    raise LookupError(_('没有声明为“户”的模型（access_scope 的 household="id"）。'))


def _q(path: Path, value) -> Q:
    return path(value) if callable(path) else Q(**{path: value})


class Access:
    """What one user may see and change."""

    def __init__(self, user) -> None:
        self.user = user
        # Signed out (or no user at all, as a shell or a job may pass): no role, so nothing is allowed.
        self.role = getattr(user, "role", None) if getattr(user, "is_authenticated", False) else None

    @classmethod
    def for_user(cls, user) -> Access:
        cached = getattr(user, "_access", None)
        if cached is None:
            cached = cls(user)
            if getattr(user, "is_authenticated", False):
                user._access = cached
        return cached

    # -- reading -------------------------------------------------------------------------------------

    def visible(self, qs: QuerySet) -> QuerySet:
        """The rows of ``qs`` this user may see."""
        scope = declared_scope(qs.model)
        if self.role is None or scope is None:
            return qs.none()  # signed out, or a model nobody declared: fail closed
        if scope.readers is not None and self.role not in scope.readers:
            return qs.none()
        if scope.owner:
            return qs if self.sees_all_users else qs.filter(**{scope.owner: self.user.pk})
        if scope.public or self.sees_whole_county:
            return qs
        condition = self._condition(scope)
        if condition is None:
            return qs.none()
        if scope.many:
            return qs.filter(pk__in=qs.model._default_manager.filter(condition).values("pk"))
        return qs.filter(condition)

    def _condition(self, scope: Scope) -> Q | None:
        """The rows of a scoped model this (non county-wide) user sees, as one condition."""
        if self.role == Role.TOWNSHIP_OFFICIAL:
            return _q(scope.township, self.user.township_id) if scope.township else None
        if self.role == Role.VILLAGE_OFFICIAL:
            if scope.village:
                return _q(scope.village, self.user.village_id)
            if scope.township:  # township-level records (the township itself, its trainings and targets)
                return _q(scope.township, self.user.village.township_id)
            return None
        if self.role == Role.CADRE:
            return self._cadre_condition(scope)
        return None

    def cadre_households(self) -> QuerySet:
        """The households this cadre is actively paired with (none for any other role)."""
        if self.role != Role.CADRE or _cadre_households is None or not self.user.cadre_id:
            raise LookupError(_("只有挂包帮干部有挂包户。"))
        return _cadre_households(self.user.cadre_id)

    def _cadre_condition(self, scope: Scope) -> Q | None:
        """A cadre sees their actively paired households; what they recorded stays readable to them."""
        if _cadre_households is None or not self.user.cadre_id:
            return None
        households = self.cadre_households()
        mine = _q(scope.cadre, self.user.cadre_id) if scope.cadre else None
        if scope.household:
            q = Q(**{f"{scope.household}__in": households.values("pk")})
            return q if mine is None else q | mine
        if mine is not None:  # responsibility records (a unit, a cadre): those that concern the cadre
            return mine
        household_scope_ = declared_scope(households.model)
        if scope.village and isinstance(scope.village, str):
            return Q(**{f"{scope.village}__in": households.values(household_scope_.village)})
        if scope.township and isinstance(scope.township, str):
            return Q(**{f"{scope.township}__in": households.values(household_scope_.township)})
        return None

    def get_or_404(self, qs, **lookup) -> Model:
        """One record in scope, or 404 (not 403: don't reveal that a record exists)."""
        if isinstance(qs, type) and issubclass(qs, Model):
            qs = qs._default_manager.all()  # a model class, as django.shortcuts.get_object_or_404 takes
        elif not isinstance(qs, QuerySet):
            qs = qs.all()
        try:
            return self.visible(qs).get(**lookup)
        except (qs.model.DoesNotExist, ValueError, TypeError, ValidationError):  # malformed ids too
            raise Http404(_("未找到该记录，或不在您的管辖范围内。")) from None

    def can_view(self, obj: Model) -> bool:
        return self.visible(type(obj)._default_manager.filter(pk=obj.pk)).exists()

    # -- changing ------------------------------------------------------------------------------------

    def may_change_model(self, model: type[Model]) -> bool:
        """Whether this role changes this kind of record at all (scope is checked per record)."""
        if self.role == Role.COUNTY_ADMIN:
            return True
        scope = declared_scope(model)
        return scope is not None and self.role in scope.changers

    def may_create_model(self, model: type[Model]) -> bool:
        """Whether this role creates this kind of record at all (the place is checked by ``can_change_in``).

        A model creates as it changes unless it declares ``creators`` (a township official corrects its
        villages, but new villages come from the county's administrative division)."""
        if self.role == Role.COUNTY_ADMIN:
            return True
        scope = declared_scope(model)
        if scope is None:
            return False
        creators = scope.changers if scope.creators is None else scope.creators
        return self.role in creators

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
        scope = declared_scope(type(obj))
        if scope is None or scope.household is None or _cadre_households is None:
            return False
        q = Q(**{f"{scope.household}__in": self.cadre_households().values("pk")})
        if scope.cadre:
            q &= _q(scope.cadre, self.user.cadre_id)
        return type(obj)._default_manager.filter(q, pk=obj.pk).exists()

    def can_change_in(
        self,
        model: type[Model],
        *,
        township_id: int | None = None,
        village_id: int | None = None,
        household_id: int | None = None,
    ) -> bool:
        """For a record not yet created: may this user create ``model`` at this place (or for this
        household)?"""
        if not self.may_create_model(model):
            return False
        if self.role == Role.COUNTY_ADMIN:
            return True
        if household_id is not None:
            households = _household_model()._default_manager.filter(pk=household_id)
            return self.visible(households).exists()
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

    def phone(self, phone: str) -> str:
        """A household's phone number: whole for the officials who see whole ID numbers, else 139****0000."""
        return phone if self.sees_full_id_numbers else mask_phone(phone)

    # -- duties: what a role does, where the thing done declares who does it -------------------------

    def may_take_step(self, step) -> bool:
        """Whether this user takes this step of a procedure (the exit procedure declares each step's
        owner as ``step.role``). The application's scope is checked on the application itself."""
        return self.role is not None and self.role == step.role

    def may_import(self, roster) -> bool:
        """Whether this user imports this roster: ``roster`` declares its importing roles (a registry
        entry's ``roles``), or is those roles. The scope of each row is the importer's to check."""
        importers = getattr(roster, "roles", roster)
        return self.role is not None and self.role in tuple(importers)

    def sees_nav_item(self, item) -> bool:
        """Whether the main navigation shows this item: ``item.roles`` declares who (None: every role)."""
        return self.role is not None and (item.roles is None or self.role in item.roles)

    @property
    def may_confirm_return(self) -> bool:
        """返贫 is confirmed (or dismissed) by a township official, or the county."""
        return self.role in RETURN_CONFIRMERS

    @property
    def may_recompute_eligibility(self) -> bool:
        """The whole registry's recompute is started by the county admin, who keeps the poverty lines."""
        return self.role == Role.COUNTY_ADMIN

    @property
    def may_run_what_if(self) -> bool:
        """A proposed poverty or monitoring line is tried out (what-if) by the county admin, who sets the lines."""
        return self.role == Role.COUNTY_ADMIN

    @property
    def keeps_reference_data(self) -> bool:
        """The county's reference data (work units, cadres, revisit rounds) is kept by the county admin."""
        return self.role == Role.COUNTY_ADMIN

    # -- what this user's scope is -------------------------------------------------------------------

    @property
    def view_key(self) -> str:
        """Users with the same key see the same rows of every model whose scope has no owner: the role and
        the unit it is bound to. Figures built only from such models (dashboards, the map) may be kept in
        a cache under this key and shown to all of them; anything owner-scoped (jobs, imports, accounts)
        may not."""
        user = self.user
        return ":".join(
            str(part)
            for part in (
                self.role,
                getattr(user, "township_id", None),
                getattr(user, "village_id", None),
                getattr(user, "cadre_id", None),
            )
        )

    @property
    def scope_level(self) -> str | None:
        """The level of this user's scope: "county", "township", "village" or "cadre" (their paired
        households); None when signed out. It decides the home dashboard and how far figures group."""
        if self.role not in SCOPE_OF_ROLE:
            return None
        return SCOPE_OF_ROLE[self.role] or "county"

    @property
    def sees_whole_county(self) -> bool:
        """County-wide roles see every record, so the county's own figures are theirs to see."""
        return self.role in COUNTY_WIDE

    @property
    def sees_whole_townships(self) -> bool:
        """Whether what this user sees covers whole townships (so a township's incidence is not
        understated): the county-wide roles and township officials."""
        return self.sees_whole_county or self.role == Role.TOWNSHIP_OFFICIAL

    @property
    def sees_all_users(self) -> bool:
        """The county admin sees every user's records (accounts, jobs, imports); others see their own."""
        return self.role == Role.COUNTY_ADMIN

    @property
    def is_official(self) -> bool:
        """Officials work on the office pages; a cadre's pages are the phone pages."""
        return self.role in OFFICIALS

    @property
    def is_cadre(self) -> bool:
        """A cadre (挂包帮干部): the one who records revisits of their paired households."""
        return self.role == Role.CADRE

    # -- who this user is ----------------------------------------------------------------------------

    @property
    def uses_admin_site(self) -> bool:
        """The county admin keeps the reference data (poverty lines, geography, units) in the admin site."""
        return self.role == Role.COUNTY_ADMIN

    @property
    def scope_label(self) -> str:
        """The user's scope in words: a township, a village, 我的挂包户, or 全县."""
        if self.role == Role.TOWNSHIP_OFFICIAL and self.user.township_id:
            return self.user.township.name
        if self.role == Role.VILLAGE_OFFICIAL and self.user.village_id:
            return f"{self.user.village.township.name}{self.user.village.name}"
        if self.role == Role.CADRE:
            return gettext("我的挂包户")
        return gettext("全县")


__all__ = [
    "Access",
    "COUNTY_WIDE",
    "OFFICE_ROLES",
    "OFFICIALS",
    "RETURN_CONFIRMERS",
    "Role",
    "SCOPE_OF_ROLE",
    "Scope",
    "household_scope",
    "register_cadre_households",
]
