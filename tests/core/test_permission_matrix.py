"""The access rule on every route (issue 11, "A permission matrix test").

The routes come from the URL configuration itself (``get_resolver()``, recursing into includes), so a new
URL is covered without anyone listing it. Each route is mapped to the model it serves: a DRF viewset by
``get_queryset().model``, a page by the small declaration ``PAGE_MODELS`` below. A route the test cannot
classify fails ``test_every_route_is_classified`` with its name.

For each role × route × method, with one object the role sees and one it does not (picked through the
access rule itself from a small county built with the factories: two townships, each with a village, a
household, a cadre, a revisit, a project ...), the answer must agree with the model's ``access_scope``:

- an object out of scope answers 404 (or the 403/405 that the role gets on that route for any object);
- a visible object answers 200/302 to a read, and 403/405 to a write the role may not make;
- no answer is a 500, and no page or endpoint shows a household number or ID number out of scope.
"""

import datetime
import re
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.apps import apps as django_apps
from django.contrib.admin.sites import site as admin_site
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from accounts.models import Role
from assignments.models import Cadre, RevisitPhoto, RevisitRound
from core.access import Access, declared_scope
from core.models import ImportRecord, Job
from households.models import (
    AssistanceMeasure,
    EligibilityRun,
    ExitApplication,
    ExitObjection,
    HelpPlan,
    Household,
    Member,
)
from households.units.models import UnitExitApplication, UnitExitObjection
from projects.models import ProgressEntry, Project, RelocationSite, Target, Training
from tests.factories import (
    AssessmentFactory,
    CadreFactory,
    NaturalVillageFactory,
    PairingFactory,
    ProjectFactory,
    RevisitFactory,
    UserFactory,
    WorkUnitVillageFactory,
    make_household,
)
from villages.models import AdministrativeVillage, Township

WRITES = ("post", "put", "patch", "delete")


@dataclass(frozen=True)
class Route:
    name: str  # namespace:name, or the pattern where the route has no name
    pattern: str
    callback: object


def _walk(resolver, prefix="", namespace=""):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = f"{namespace}:{entry.namespace}".strip(":") if entry.namespace else namespace
            yield from _walk(entry, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern):
            pattern = prefix + str(entry.pattern)
            name = f"{namespace}:{entry.name}".strip(":") if entry.name else pattern
            yield Route(name=name, pattern=pattern, callback=entry.callback)


ROUTES = [route for route in _walk(get_resolver()) if r"\.(?P<format>" not in route.pattern]
# ...a DRF format suffix (``households.json``) is the same view as the route without it.

# -- the declarations: what no code can tell ------------------------------------------------------------

# Open to anyone (signing in, the service worker, health, the icon, language, the schema and its docs).
PUBLIC = {
    "login",
    "logout",
    "service-worker",
    "healthz",
    "favicon",
    "set_language",
    "javascript-catalog",
    "api-token",
    "api-root",
    "api-schema",
    "api-docs",
}


# Pages that serve one record: the model, and the URL's keyword arguments built from an object of it.
def _pk(obj):
    return {"pk": obj.pk}


PAGE_MODELS = {
    "assignments:pairing-village": (AdministrativeVillage, _pk),
    "assignments:notice-board": (AdministrativeVillage, _pk),
    "assignments:contact-cards": (AdministrativeVillage, _pk),
    "assignments:household-card": (Household, _pk),
    "assignments:cadre-detail": (Cadre, _pk),
    "assignments:round-detail": (RevisitRound, _pk),
    "assignments:phone-household": (Household, _pk),
    "assignments:phone-revisit": ("assignments.Revisit", _pk),
    "assignments:phone-revisit-edit": ("assignments.Revisit", _pk),
    "assignments:revisit-photo": (RevisitPhoto, _pk),
    "households:eligibility-run": (EligibilityRun, _pk),
    "households:detail": (Household, _pk),
    "households:history": (Household, _pk),
    "households:edit": (Household, _pk),
    "households:assessment": (Household, _pk),
    "households:member-leave": (Member, lambda m: {"pk": m.household_id, "member_pk": m.pk}),
    "households:head-change": (Household, _pk),
    "households:split": (Household, _pk),
    "households:merge": (Household, _pk),
    "households:return-confirm": (Household, _pk),
    "households:help-plan": (Household, _pk),
    "households:exit-detail": (ExitApplication, _pk),
    "households:exit-advance": (ExitApplication, _pk),
    "households:exit-objection": (ExitApplication, _pk),
    "households:exit-objection-resolve": (ExitObjection, _pk),
    "households:exit-create": (Household, lambda h: {"household_pk": h.pk}),
    "projects:detail": (Project, _pk),
    "projects:edit": (Project, _pk),
    "projects:delete": (Project, _pk),
    "projects:close": (Project, _pk),
    "projects:progress-add": (Project, _pk),
    "projects:progress-photo": (ProgressEntry, _pk),
    "projects:beneficiaries-add": (Project, _pk),
    "projects:beneficiary-remove": (
        Project,
        lambda p: {"pk": p.pk, "household_pk": p.beneficiaries.values_list("pk", flat=True).first() or 0},
    ),
    "projects:site-detail": (RelocationSite, _pk),
    "projects:training-detail": (Training, _pk),
    "rosters:import": (ImportRecord, _pk),
    "rosters:import-status": (ImportRecord, _pk),
    "rosters:import-commit": (ImportRecord, _pk),
    "rosters:import-file": (ImportRecord, _pk),
    "rosters:import-errors": (ImportRecord, _pk),
    "rosters:export-job": (Job, _pk),
    "rosters:export-status": (Job, _pk),
    "rosters:export-download": (Job, _pk),
    "unit_exit:indicators-record": (AdministrativeVillage, lambda v: {"village_pk": v.pk}),
    "unit_exit:detail": (UnitExitApplication, _pk),
    "unit_exit:advance": (UnitExitApplication, _pk),
    "unit_exit:objection": (UnitExitApplication, _pk),
    "unit_exit:objection-resolve": (UnitExitObjection, _pk),
    "unit_exit:apply-village": (AdministrativeVillage, _pk),
    "unit_exit:apply-township": (Township, _pk),
    "account-detail": ("accounts.User", _pk),
    "account-reset-password": ("accounts.User", _pk),
    "account-unlock": ("accounts.User", _pk),
    "monitoring:detail": ("monitoring.MonitoringObject", _pk),
    "monitoring:advance": ("monitoring.MonitoringObject", _pk),
    "monitoring:stable-since": ("monitoring.MonitoringObject", _pk),
    "monitoring:objection-record": ("monitoring.MonitoringObject", _pk),
    "monitoring:objection-resolve": ("monitoring.MonitoringObjection", _pk),
    "monitoring:quality-mark-correct": ("monitoring.QualityIssue", _pk),
    "monitoring:what-if-result": (Job, _pk),
    "monitoring:what-if-status": (Job, _pk),
    "monitoring:what-if-xlsx": (Job, _pk),
    "dashboards:township": (Township, lambda t: {"unit_id": t.pk}),
    "dashboards:township-xlsx": (Township, lambda t: {"unit_id": t.pk}),
    "dashboards:village": (AdministrativeVillage, lambda v: {"unit_id": v.pk}),
    "dashboards:village-xlsx": (AdministrativeVillage, lambda v: {"unit_id": v.pk}),
}
# Account management (pages and users/ API) is the county admin's alone (DESIGN.md §7): an account the
# user sees (their own) is still answered 403 there.
COUNTY_ADMIN_ONLY = {"user-list", "user-detail", "account-detail", "account-reset-password", "account-unlock"}
# Pages with an argument that is not a record: the argument to call them with.
PAGE_ARGUMENTS = {
    "rosters:template": {"key": "households"},
    "rosters:export": {"key": "households"},
}
# DRF routes nested under a household: the viewset's model is the child, the URL names the household.
API_NESTED = {
    "assessment-list": ("households.Household", lambda h: {"household_pk": h.pk}),
    "assessment-detail": (
        "households.Assessment",
        lambda a: {"household_pk": a.household_id, "year": a.year},
    ),
}


def _model(model):
    if isinstance(model, str):
        return django_apps.get_model(model)
    return model


def _viewset(route):
    return getattr(route.callback, "cls", None)


def _api_model(route):
    """The model a DRF view serves, read from its queryset (asked as the county admin would)."""
    cls = _viewset(route)
    if cls is None or not getattr(route.callback, "actions", None):
        return None
    view = cls()
    view.action = next(iter(route.callback.actions.values()))
    view.kwargs = {"household_pk": 0}
    view.format_kwarg = None
    view.request = Request(APIRequestFactory().get("/"))
    view.request.user = _COUNTY_ADMIN_STANDIN
    return view.get_queryset().model


class _Standin:
    is_authenticated = True
    role = Role.COUNTY_ADMIN
    pk = 0


_COUNTY_ADMIN_STANDIN = _Standin()


def classify(route):
    """("public"|"admin"|"list"|"object", model or None, kwargs builder or None), or None: unclassified."""
    bare = route.name.split(":")[-1]
    if route.name in PUBLIC:
        return ("public", None, None)
    if route.name.startswith("admin:") or route.pattern.startswith("admin/"):
        return ("admin", None, None)
    if bare in API_NESTED and route.pattern.startswith("api/"):
        model, kwargs = API_NESTED[bare]
        return ("object", _model(model), kwargs)
    if route.pattern.startswith("api/"):
        model = _api_model(route)
        has_pk = "(?P<pk>" in route.pattern
        if model is not None:
            return ("object", model, _pk) if has_pk else ("list", model, None)
        if not re.search(r"<|\(\?P<", route.pattern):
            return ("list", None, None)  # an APIView of its own (stats, exports, recompute)
        return None
    if route.name in PAGE_MODELS:
        model, kwargs = PAGE_MODELS[route.name]
        return ("object", _model(model), kwargs)
    if route.name in PAGE_ARGUMENTS:
        return ("list", None, None)
    if not re.search(r"<|\(\?P<", route.pattern):
        return ("list", None, None)
    return None


def test_every_route_is_classified():
    unclassified = [route.name for route in ROUTES if classify(route) is None]
    assert not unclassified, f"这些路由没有声明所服务的模型，权限矩阵无法检查：{unclassified}"


def _url(route, kwargs):
    """The route's path with its arguments filled in (Django and regex patterns alike)."""
    path = route.pattern
    for key, value in kwargs.items():
        path = re.sub(rf"\(\?P<{key}>[^)]*\)", str(value), path)
        path = re.sub(rf"<(?:\w+:)?{key}>", str(value), path)
    return "/" + path.replace("^", "").replace("$", "")


# -- the small county -----------------------------------------------------------------------------------


def _side(users):
    """One township's worth of records (a household with everything that hangs on it)."""
    place = NaturalVillageFactory()
    village, township = place.village, place.village.township
    household = make_household(natural_village=place)
    AssessmentFactory(household=household)
    cadre = CadreFactory()
    PairingFactory(cadre=cadre, household=household)
    revisit = RevisitFactory(cadre=cadre, household=household)
    RevisitPhoto.objects.create(revisit=revisit, image="revisits/none.jpg")
    WorkUnitVillageFactory(unit=cadre.unit, village=village)
    project = ProjectFactory(township=township, village=village)
    project.beneficiaries.add(household)
    ProgressEntry.objects.create(project=project, recorded_on=datetime.date(2016, 5, 1), invested_to_date=1)
    RelocationSite.objects.create(name=f"{village.name}安置点", township=township, village=village, year=2016)
    Training.objects.create(
        name=f"{township.name}培训", kind="skill", township=township, planned_investment=1, year=2016
    )
    Target.objects.create(county=township.county, township=township, year=2016, income_goal=Decimal(1))
    HelpPlan.objects.create(household=household, year=2016)
    AssistanceMeasure.objects.create(
        household=household, category="production", description="养牛", year=2016
    )
    application = ExitApplication.objects.create(household=household, year=2016)
    ExitObjection.objects.create(application=application, recorded_by=users[0], content="异议")
    unit = UnitExitApplication.objects.create(level="village", township=township, village=village, year=2016)
    UnitExitObjection.objects.create(application=unit, recorded_by=users[0], content="异议")
    return {"township": township, "village": village, "cadre": cadre, "household": household}


@pytest.fixture(scope="module")
def county(django_db_setup, django_db_blocker):
    """Built once for the module and rolled back at its end; each test runs in a savepoint inside."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            admin = UserFactory(role=Role.COUNTY_ADMIN, is_staff=True, is_superuser=True)
            mine = _side([admin])
            _side([admin])  # the other township: everything in it is out of a scoped role's scope
            users = {
                Role.COUNTY_ADMIN: admin,
                Role.TOWNSHIP_OFFICIAL: UserFactory(role=Role.TOWNSHIP_OFFICIAL, township=mine["township"]),
                Role.VILLAGE_OFFICIAL: UserFactory(role=Role.VILLAGE_OFFICIAL, village=mine["village"]),
                Role.CADRE: UserFactory(role=Role.CADRE, cadre=mine["cadre"]),
                Role.INSPECTOR: UserFactory(role=Role.INSPECTOR),
            }
            stranger = UserFactory(role=Role.COUNTY_ADMIN)
            EligibilityRun.objects.create(rule_version="t")
            for owner in [*users.values(), stranger]:
                Job.objects.create(kind="export", created_by=owner)
                ImportRecord.objects.create(roster="households", original_name="x.xlsx", created_by=owner)
            yield users
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def _objects(model, user):
    """(one record of ``model`` this user sees, one they do not): either may be None."""
    access = Access(user)
    everything = model._default_manager.order_by("pk")
    visible = access.visible(everything)
    return visible.first(), everything.exclude(pk__in=visible.values("pk")).first()


def _secrets_out_of_scope(user):
    """Household numbers and ID numbers this user may not see, which no answer to them may contain."""
    visible = Access(user).visible(Household.objects.all()).values("pk")
    hidden = Household.objects.exclude(pk__in=visible)
    numbers = list(hidden.values_list("household_number", flat=True))
    ids = list(Member.objects.filter(household__in=hidden).values_list("id_number", flat=True))
    return numbers + ids


def _client(user):
    client = Client()
    client.force_login(user)
    return client


READS = ("get", "head", "options")
ANY_ANSWER = {
    200,
    201,
    202,
    204,
    302,
    400,
    403,
    405,
    409,
}  # anything but a 500 (or a 404 of a visible record)
# Pages and endpoints that serve a record's file: the records here have none, so 404 is their answer.
NO_FILE = {
    "rosters:import-file",
    "rosters:import-errors",
    "rosters:export-download",
    "import-error-file",
    "projects:progress-photo",
    "assignments:revisit-photo",
}


def _owned(model):
    """Records owned by a user (jobs, uploads): their owner acts on them (the rule declares ``owner``)."""
    scope = declared_scope(model)
    return scope is not None and scope.owner is not None


def _fingerprint():
    """How many rows each table holds, history included: a write that was refused changes none."""
    return tuple(m._default_manager.count() for m in django_apps.get_models())


def _methods(route):
    actions = getattr(route.callback, "actions", None)
    if actions:  # reads first and delete last, so a record is still there to read and change
        order = ["get", "head", "options", "post", "put", "patch", "delete"]
        return sorted(actions, key=order.index)
    return ["get", "post"]


def _call(client, method, url):
    if method in ("put", "patch"):
        return getattr(client, method)(url, data="{}", content_type="application/json")
    return getattr(client, method)(url)


ROLES = list(Role)
CLASSIFIED = [(route, classify(route)) for route in ROUTES]


@pytest.mark.parametrize("role", ROLES, ids=[str(r.value) for r in ROLES])
@pytest.mark.parametrize(
    "route,kind",
    [(r, k) for r, k in CLASSIFIED if k is not None and k[0] in ("object", "list")],
    ids=lambda v: v.name if isinstance(v, Route) else "",
)
def test_the_answer_agrees_with_the_access_rule(county, db, role, route, kind):
    kind, model, kwargs = kind
    user = county[role]
    access = Access(user)
    client = _client(user)
    secrets = _secrets_out_of_scope(user)
    problems = []

    def check(method, url, allowed, what, unchanged_ok=()):
        before = _fingerprint() if unchanged_ok else None
        response = _call(client, method, url)
        code = response.status_code
        if code in unchanged_ok and _fingerprint() == before:
            pass  # a page that answers a refused write with a message (200 or 302) and writes nothing
        elif code not in allowed:
            problems.append(f"{method.upper()} {url} ({what}): {code}, expected {sorted(allowed)}")
        if method == "get" and code == 200 and not response.streaming:
            body = response.content.decode("utf-8", "replace")
            leaked = [s for s in secrets if s in body]
            if leaked:
                problems.append(f"GET {url} shows out-of-scope {leaked}")
        return code

    api = route.pattern.startswith("api/")
    # A visible record: the API answers it; a page may still be another role's page (403, or 404 as the
    # phone pages answer office users), which reveals nothing about a record the user sees anyway.
    read_ok = {200, 204, 302, 405} if api else {200, 204, 302, 403, 404, 405}
    if route.name in NO_FILE:
        read_ok |= {404}
    if route.name in COUNTY_ADMIN_ONLY:
        read_ok |= {403}
    # A write the role may not make: refused (403/405), or rejected before the rule is asked (400, and
    # 404 where a page serves only other roles); a page may answer 200/302 with a message, writing nothing.
    refused_ok = {400, 403, 404, 405, 409}
    if kind == "list":
        url = _url(route, PAGE_ARGUMENTS.get(route.name, {}))
        for method in _methods(route):
            if method in READS:
                check(method, url, {200, 204, 302, 403, 404, 405}, "read")
            elif model is not None and not access.may_create_model(model) and not _owned(model):
                check(method, url, refused_ok, f"create {model.__name__} not allowed", {200, 302})
            else:
                check(method, url, ANY_ANSWER | {404}, "write")
    else:
        inside, outside = _objects(model, user)
        refused = {}
        if inside is not None:
            url = _url(route, kwargs(inside))
            may_change = access.can_change(inside) or _owned(model)
            for method in _methods(route):
                if method in READS:
                    refused[method] = check(method, url, read_ok, f"visible {model.__name__}")
                elif may_change:
                    refused[method] = check(method, url, ANY_ANSWER | {404}, "write allowed")
                else:
                    refused[method] = check(
                        method, url, refused_ok, f"may not change {model.__name__}", {200, 204, 302}
                    )
        if outside is not None:
            url = _url(route, kwargs(outside))
            for method in _methods(route):
                # 404; or the same 403/405 the role gets here for a record it does see (reveals nothing)
                same = {refused[method]} & {403, 405} if method in refused else {403, 405}
                check(method, url, {404} | same, f"out-of-scope {model.__name__}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("role", [r for r in ROLES if r != Role.COUNTY_ADMIN], ids=str)
def test_the_admin_site_is_the_county_admins_only(county, db, role):
    client = _client(county[role])
    admin_routes = [
        r
        for r, k in CLASSIFIED
        if k and k[0] == "admin" and "<" not in r.pattern and "(?P" not in r.pattern
        if r.name not in ("admin:login", "admin:logout", "admin:jsi18n")
    ]
    for route in admin_routes:
        response = client.get(_url(route, {}))
        assert response.status_code in (302, 403, 404), route.name
    for model in admin_site._registry:
        obj = model._default_manager.first()
        if obj is not None:
            url = f"/admin/{model._meta.app_label}/{model._meta.model_name}/{obj.pk}/change/"
            assert client.get(url).status_code in (302, 403, 404), url
