"""The access rule (DESIGN.md §4): each role sees and changes its own scope, and nothing outside it."""

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404
from rest_framework.test import APIClient

from accounts.models import Role, User
from assignments.models import Cadre, Pairing, Revisit, WorkUnit, WorkUnitVillage
from core.access import Access
from core.excel.registry import roster_entries
from dashboards.navigation import ITEMS, NavItem
from households.exit.services import APPLICATION, STEPS
from households.models import EligibilityChange, EligibilityRun, Household, Member, PovertyLine
from projects.models import Project
from tests.factories import (
    CadreFactory,
    NaturalVillageFactory,
    PairingFactory,
    ProjectFactory,
    RevisitFactory,
    TownshipFactory,
    UserFactory,
    VillageFactory,
    make_household,
)
from villages.models import AdministrativeVillage, NaturalVillage, Township

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    """Two townships: T1 with villages V1 and V2, T2 with V3; a household in each village.

    Cadre A is paired with H1 (in V1), cadre B with H3 (in T2). Each has recorded a revisit.
    """
    w = {}
    w["T1"], w["T2"] = TownshipFactory(), TownshipFactory()
    w["V1"], w["V2"] = VillageFactory(township=w["T1"]), VillageFactory(township=w["T1"])
    w["V3"] = VillageFactory(township=w["T2"])
    for i in (1, 2, 3):
        w[f"NV{i}"] = NaturalVillageFactory(village=w[f"V{i}"])
        w[f"H{i}"] = make_household(natural_village=w[f"NV{i}"])
    w["CA"], w["CB"] = CadreFactory(), CadreFactory()
    w["UA"], w["UB"] = w["CA"].unit, w["CB"].unit
    WorkUnitVillage.objects.create(unit=w["UA"], village=w["V1"])
    WorkUnitVillage.objects.create(unit=w["UB"], village=w["V3"])
    w["PA"] = PairingFactory(cadre=w["CA"], household=w["H1"])
    w["PB"] = PairingFactory(cadre=w["CB"], household=w["H3"])
    w["RA"] = RevisitFactory(cadre=w["CA"], household=w["H1"])
    w["RB"] = RevisitFactory(cadre=w["CB"], household=w["H3"])
    w["J1"] = ProjectFactory(township=w["T1"], village=w["V1"])
    w["J3"] = ProjectFactory(township=w["T2"], village=w["V3"])
    w["county_admin"] = UserFactory(role=Role.COUNTY_ADMIN)
    w["township_official"] = UserFactory(role=Role.TOWNSHIP_OFFICIAL, township=w["T1"])
    w["village_official"] = UserFactory(role=Role.VILLAGE_OFFICIAL, village=w["V1"])
    w["cadre"] = UserFactory(role=Role.CADRE, cadre=w["CA"])
    w["inspector"] = UserFactory(role=Role.INSPECTOR)
    return w


def visible_keys(w, user, model, prefix):
    """The keys of ``w`` (those starting with ``prefix``) whose records ``user`` sees."""
    pks = set(Access.for_user(user).visible(model.objects.all()).values_list("pk", flat=True))
    return {k for k, v in w.items() if k.startswith(prefix) and isinstance(v, model) and v.pk in pks}


ALL = {"T": {"T1", "T2"}, "V": {"V1", "V2", "V3"}, "NV": {"NV1", "NV2", "NV3"}, "H": {"H1", "H2", "H3"}}
SEES = {
    # role: (townships, villages, natural villages, households, pairings, revisits, projects, units, cadres)
    "county_admin": (
        ALL["T"],
        ALL["V"],
        ALL["NV"],
        ALL["H"],
        {"PA", "PB"},
        {"RA", "RB"},
        {"J1", "J3"},
        {"UA", "UB"},
        {"CA", "CB"},
    ),
    "inspector": (
        ALL["T"],
        ALL["V"],
        ALL["NV"],
        ALL["H"],
        {"PA", "PB"},
        {"RA", "RB"},
        {"J1", "J3"},
        {"UA", "UB"},
        {"CA", "CB"},
    ),
    "township_official": (
        {"T1"},
        {"V1", "V2"},
        {"NV1", "NV2"},
        {"H1", "H2"},
        {"PA"},
        {"RA"},
        {"J1"},
        {"UA"},
        {"CA"},
    ),
    "village_official": ({"T1"}, {"V1"}, {"NV1"}, {"H1"}, {"PA"}, {"RA"}, {"J1"}, {"UA"}, {"CA"}),
    "cadre": ({"T1"}, {"V1"}, {"NV1"}, {"H1"}, {"PA"}, {"RA"}, {"J1"}, {"UA"}, {"CA"}),
}
ROLES = list(SEES)


@pytest.mark.parametrize("role", ROLES)
def test_each_role_sees_its_scope_and_nothing_else(world, role):
    user = world[role]
    townships, villages, natural_villages, households, pairings, revisits, projects, units, cadres = SEES[
        role
    ]
    assert visible_keys(world, user, Township, "T") == townships
    assert visible_keys(world, user, AdministrativeVillage, "V") == villages
    assert visible_keys(world, user, NaturalVillage, "NV") == natural_villages
    assert visible_keys(world, user, Household, "H") == households
    assert visible_keys(world, user, Pairing, "P") == pairings
    assert visible_keys(world, user, Revisit, "R") == revisits
    assert visible_keys(world, user, Project, "J") == projects
    assert visible_keys(world, user, WorkUnit, "U") == units
    assert visible_keys(world, user, Cadre, "C") == cadres


@pytest.mark.parametrize("role", ROLES)
def test_members_follow_their_household(world, role):
    households = SEES[role][3]
    expected = set(
        Member.objects.filter(household__in=[world[h] for h in households]).values_list("pk", flat=True)
    )
    seen = set(Access.for_user(world[role]).visible(Member.objects.all()).values_list("pk", flat=True))
    assert seen == expected
    assert len(seen) == 2 * len(households)


@pytest.mark.parametrize("role", ROLES)
def test_users_are_listed_to_the_county_admin_only(world, role):
    seen = set(Access.for_user(world[role]).visible(User.objects.all()))
    if role == "county_admin":
        assert seen == set(User.objects.all())
    else:
        assert seen == {world[role]}


def test_an_anonymous_user_sees_nothing(world):
    access = Access.for_user(AnonymousUser())
    assert not access.visible(Township.objects.all()).exists()
    assert not access.visible(PovertyLine.objects.all()).exists()


def test_poverty_lines_are_read_by_every_role(world):
    for role in ROLES:
        assert (
            Access.for_user(world[role]).visible(PovertyLine.objects.all()).count()
            == PovertyLine.objects.count()
        )


# -- changing -------------------------------------------------------------------------------------------

CHANGES = {
    # role: (households, revisits, pairings, poverty line)
    "county_admin": ({"H1", "H2", "H3"}, {"RA", "RB"}, {"PA", "PB"}, True),
    "township_official": ({"H1", "H2"}, set(), {"PA"}, False),
    "village_official": ({"H1"}, set(), set(), False),
    "cadre": (set(), {"RA"}, set(), False),
    "inspector": (set(), set(), set(), False),
}


@pytest.mark.parametrize("role", ROLES)
def test_each_role_changes_only_what_it_owns_in_its_scope(world, role):
    access = Access.for_user(world[role])
    households, revisits, pairings, poverty_line = CHANGES[role]
    assert {h for h in ("H1", "H2", "H3") if access.can_change(world[h])} == households
    assert {r for r in ("RA", "RB") if access.can_change(world[r])} == revisits
    assert {p for p in ("PA", "PB") if access.can_change(world[p])} == pairings
    assert access.can_change(PovertyLine.objects.first()) is poverty_line


def test_can_change_in_places_a_new_record_in_scope(world):
    township = Access.for_user(world["township_official"])
    assert township.can_change_in(Household, township_id=world["T1"].pk, village_id=world["V2"].pk)
    assert not township.can_change_in(Household, township_id=world["T2"].pk, village_id=world["V3"].pk)
    village = Access.for_user(world["village_official"])
    assert village.can_change_in(Household, township_id=world["T1"].pk, village_id=world["V1"].pk)
    assert not village.can_change_in(Household, township_id=world["T1"].pk, village_id=world["V2"].pk)
    cadre = Access.for_user(world["cadre"])
    assert cadre.can_change_in(Revisit, household_id=world["H1"].pk)
    assert not cadre.can_change_in(Revisit, household_id=world["H3"].pk)
    assert not Access.for_user(world["inspector"]).can_change_in(Household, township_id=world["T1"].pk)


@pytest.mark.parametrize(
    ("role", "out_of_scope"),
    [("township_official", "H3"), ("village_official", "H2"), ("cadre", "H2"), ("cadre", "H3")],
)
def test_get_or_404_answers_404_out_of_scope(world, role, out_of_scope):
    access = Access.for_user(world[role])
    with pytest.raises(Http404):
        access.get_or_404(Household.objects, pk=world[out_of_scope].pk)
    assert access.get_or_404(Household.objects, pk=world["H1"].pk) == world["H1"]


def test_get_or_404_answers_404_for_a_malformed_id(world):
    with pytest.raises(Http404):
        Access.for_user(world["county_admin"]).get_or_404(Household, pk="abc")


# -- personal data --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "whole"),
    [
        ("county_admin", True),
        ("township_official", True),
        ("village_official", True),
        ("cadre", False),
        ("inspector", False),
    ],
)
def test_id_numbers_are_whole_for_officials_and_masked_for_others(world, role, whole):
    id_number = world["H1"].members.first().id_number
    shown = Access.for_user(world[role]).id_number(id_number)
    if whole:
        assert shown == id_number
    else:
        assert shown == f"532328********{id_number[-4:]}"


# -- a cadre's history ---------------------------------------------------------------------------------


def test_a_cadre_whose_pairing_ended_reads_their_revisits_but_no_longer_the_household(world):
    world["PA"].ended_on = datetime.date(2017, 1, 1)
    world["PA"].save()
    access = Access.for_user(world["cadre"])
    assert visible_keys(world, world["cadre"], Revisit, "R") == {"RA"}
    assert visible_keys(world, world["cadre"], Household, "H") == set()
    assert not Member.objects.filter(pk__in=access.visible(Member.objects.all())).exists()
    # Reading is not changing: the household is no longer theirs.
    assert not access.can_change(world["RA"])
    assert not access.can_change_in(Revisit, household_id=world["H1"].pk)


def test_a_cadre_reads_but_does_not_change_revisits_another_cadre_made_of_their_household(world):
    earlier = RevisitFactory(cadre=world["CB"], household=world["H1"])
    access = Access.for_user(world["cadre"])
    assert access.can_view(earlier)
    assert not access.can_change(earlier)
    assert access.can_change(world["RA"])


# -- through the API ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "village"), [("township_official", "V3"), ("village_official", "V2"), ("cadre", "V3")]
)
def test_an_out_of_scope_village_answers_404_not_403(world, role, village):
    client = APIClient()
    client.force_authenticate(world[role])
    response = client.get(f"/api/v1/villages/{world[village].pk}/")
    assert response.status_code == 404
    assert response.json() == {"detail": "未找到。"}
    assert client.get(f"/api/v1/villages/{world['V1'].pk}/").status_code == 200


# -- named questions: every role decision is asked of the access rule ---------------------------------


def access_of(role: str) -> Access:
    return Access(User(role=role))


QUESTIONS = (
    "scope_level",
    "sees_whole_county",
    "sees_whole_townships",
    "sees_all_users",
    "is_official",
    "is_cadre",
    "may_confirm_return",
    "may_recompute_eligibility",
    "keeps_reference_data",
)
ANSWERS = {
    "county_admin": ("county", True, True, True, True, False, True, True, True),
    "inspector": ("county", True, True, False, True, False, False, False, False),
    "township_official": ("township", False, True, False, True, False, True, False, False),
    "village_official": ("village", False, False, False, True, False, False, False, False),
    "cadre": ("cadre", False, False, False, False, True, False, False, False),
}


@pytest.mark.parametrize("role", ROLES)
def test_each_role_answers_the_named_questions(role):
    access = access_of(role)
    assert {q: getattr(access, q) for q in QUESTIONS} == dict(zip(QUESTIONS, ANSWERS[role], strict=True))


@pytest.mark.parametrize("user", [AnonymousUser(), None], ids=["anonymous", "no user"])
def test_a_signed_out_user_is_allowed_nothing(user):
    access = Access.for_user(user)
    assert access.scope_level is None
    assert not any(getattr(access, q) for q in QUESTIONS[1:])
    assert not access.may_take_step(APPLICATION)
    assert not any(access.may_import(entry) for entry in roster_entries().values())
    assert not any(access.sees_nav_item(item) for item in ITEMS)
    assert not access.may_create_model(Household)


TAKES = {
    "county_admin": {"县审批认定"},
    "township_official": {"乡镇复核验收"},
    "village_official": {"贫困户申请", "村委会确定脱贫名单", "村民代表大会评议"},
    "cadre": set(),
    "inspector": set(),
}


@pytest.mark.parametrize("role", ROLES)
def test_each_exit_step_is_taken_by_the_role_that_owns_it(role):
    access = access_of(role)
    assert {step.label for step in (APPLICATION, *STEPS) if access.may_take_step(step)} == TAKES[role]


IMPORTS = {
    "county_admin": {
        "households",
        "pairings",
        "revisits",
        "projects",
        "relocations",
        "training",
        "monitoring_alerts",
    },
    # no "revisits": only cadres change revisits, the county enters paper records (issue 11, finding 8)
    "township_official": {
        "households",
        "pairings",
        "projects",
        "relocations",
        "training",
        "monitoring_alerts",
    },
    "village_official": {"households"},
    "cadre": set(),
    "inspector": set(),
}


@pytest.mark.parametrize("role", ROLES)
def test_each_role_imports_the_rosters_that_declare_it(role):
    access = access_of(role)
    assert {key for key, entry in roster_entries().items() if access.may_import(entry)} == IMPORTS[role]
    # the importer itself asks with the roles it declares
    assert access.may_import(roster_entries()["pairings"].roles) == ("pairings" in IMPORTS[role])


def test_a_nav_item_is_shown_to_the_roles_it_declares():
    everyone = NavItem("首页", "home")
    cadres_only = NavItem("我的挂包户", "assignments:my-households", ("cadre",))
    for role in ROLES:
        assert access_of(role).sees_nav_item(everyone)
        assert access_of(role).sees_nav_item(cadres_only) is (role == "cadre")


def test_new_villages_are_created_by_the_county_though_a_township_corrects_its_own(world):
    township = Access.for_user(world["township_official"])
    for model in (AdministrativeVillage, NaturalVillage):
        assert township.may_change_model(model)
        assert township.can_change(world["V1"] if model is AdministrativeVillage else world["NV1"])
        assert not township.may_create_model(model)
        assert not township.can_change_in(model, township_id=world["T1"].pk, village_id=world["V1"].pk)
        assert Access.for_user(world["county_admin"]).may_create_model(model)
    # a model that declares no creators creates as it changes
    assert township.may_create_model(Household)
    assert township.may_create_model(Pairing)
    assert not Access.for_user(world["village_official"]).may_create_model(Pairing)


def test_eligibility_runs_are_read_by_officials_only_and_their_changes_in_scope(world):
    run = EligibilityRun.objects.create(rule_version="test")
    for h in ("H1", "H3"):
        EligibilityChange.objects.create(
            run=run, household=world[h], eligible_before=True, eligible_after=False
        )
    runs = {
        role: Access.for_user(world[role]).visible(EligibilityRun.objects.all()).count() for role in ROLES
    }
    assert runs == {
        "county_admin": 1,
        "inspector": 1,
        "township_official": 1,
        "village_official": 1,
        "cadre": 0,
    }
    changes = Access.for_user(world["township_official"]).visible(EligibilityChange.objects.all())
    assert {c.household_id for c in changes} == {world["H1"].pk}
