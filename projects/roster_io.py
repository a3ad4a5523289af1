"""Importing, exporting and templates of the project, relocation and training-participant rosters.

Each importer reads its sheet once, loads every record the file names in a fixed number of queries,
decides each row in memory (created / updated / unchanged, or an error on its cell), and writes only when
nothing is wrong and it is not a dry run, all in one transaction. Places and households are checked
against the user's scope by the access rule, as everywhere else.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from typing import IO, Any

from django.db.models import Exists, OuterRef, QuerySet
from django.utils.translation import gettext

from core.access import Access
from core.excel.bulk import insert_with_history, update_with_history
from core.excel.engine import SheetData
from core.excel.limits import Limits
from core.excel.sheet_import import (
    Outcome,
    chunked,
    commit,
    new_outcome,
    read_roster_sheet,
    role_may_import,
    shown_date,
)
from core.excel.writers import write_roster, write_template
from core.idnumbers import mask
from households.models import Household, Member
from projects.models import ProgressEntry, Project, Relocation, RelocationSite, Training
from projects.rosters import (
    OFFICES,
    PARTICIPANTS,
    PROJECT_ROSTER,
    PROJECTS,
    RELOCATION_ROSTER,
    RELOCATIONS,
    TRAINING_ROSTER,
)
from villages.models import AdministrativeVillage, Township

CHUNK = 2_000
CHANGE_REASON = "花名册导入"  # the history reason, when a model keeps history
AREA_PER_PERSON = 25  # 易地扶贫搬迁: 建档立卡搬迁户 at most 25 m² of housing per person
MASKED_NOTE = (
    "注意：本文件中的身份证号已部分隐藏（*），不能再导入；需要导入时请由有权限查看完整身份证号的人员导出。"
)


def _run(
    *,
    user,
    source,
    dry_run: bool,
    roster,
    kinds: tuple[str, ...],
    plan: Callable[[Access, SheetData, Outcome], Callable[[], None]],
    progress: Callable[[int], None] | None,
    limits: Limits | None,
) -> Outcome:
    """Role, read, check (``plan`` answers the write to do), then write all or nothing."""
    outcome, limits = new_outcome(kinds, limits)
    if not role_may_import(user, OFFICES, roster.title, outcome.errors):
        return outcome
    data = read_roster_sheet(source, roster, outcome.errors, limits=limits, progress=progress)
    if data is None:
        return outcome
    outcome.rows = len(data.rows)
    write = plan(Access.for_user(user), data, outcome)
    if outcome.errors or dry_run:
        return outcome
    commit(outcome, write)
    if progress:
        progress(100)
    return outcome


def _diff(current: dict[str, Any], wanted: dict[str, Any]) -> dict[str, Any]:
    return {f: v for f, v in wanted.items() if v != current[f]}


def _scoped_places(user) -> dict[str, list[str]]:
    """乡镇 and 行政村 drop-downs: only the user's own scope."""
    access = Access.for_user(user)
    townships = access.visible(Township.objects.order_by("code", "id")).values_list("name", flat=True)
    villages = access.visible(AdministrativeVillage.objects.order_by("township_id", "code", "id"))
    return {
        "township": list(townships),
        "village": list(dict.fromkeys(villages.values_list("name", flat=True))),
    }


# -- projects with progress ---------------------------------------------------------------------------------

PROJECT_FIELDS = ("category", "village_id", "planned_investment", "state")


def project_roster_import(
    *,
    user,
    source,
    dry_run: bool,
    progress: Callable[[int], None] | None = None,
    limits: Limits | None = None,
) -> Outcome:
    """Projects matched by (项目名称, 乡镇, 年度) and their progress by (project, 填报日期)."""
    return _run(
        user=user, source=source, dry_run=dry_run, roster=PROJECT_ROSTER, kinds=("projects", "progress"),
        plan=_project_plan, progress=progress, limits=limits,
    )  # fmt: skip


def _project_plan(access: Access, data: SheetData, outcome: Outcome) -> Callable[[], None]:
    errors = outcome.errors
    i = {c.field: data.index(c.field) for c in PROJECTS.columns}
    error = data.error
    # -- group the rows by project; a project's columns must agree on all its rows
    groups: dict[tuple, list[tuple[int, list]]] = {}
    parents = [c for c in PROJECTS.columns if c.parent and c.field in data.cells]
    for number, values in data.rows:
        key = (values[i["name"]], values[i["township"]], values[i["year"]])
        if key[0] is None or key[2] is None:
            continue
        rows = groups.setdefault(key, [])
        if rows and number not in data.bad_rows and rows[0][0] not in data.bad_rows:
            first_number, first = rows[0]
            for column in parents:
                if values[i[column.field]] != first[i[column.field]]:
                    error(
                        errors, number, column.field,
                        gettext("同一项目的“{header}”与第 {first_number} 行不一致").format(header=column.header, first_number=first_number),
                    )  # fmt: skip
        rows.append((number, values))
    # -- places and the registered projects, in a few queries
    names = {k[1] for k in groups if k[1]}
    townships: dict[str, list[int]] = defaultdict(list)
    for pk, name in Township.objects.filter(name__in=names).values_list("id", "name"):
        townships[name].append(pk)
    villages = {
        (t, n): pk
        for pk, t, n in AdministrativeVillage.objects.filter(
            township__name__in=names, name__in={v[i["village"]] for r in groups.values() for _, v in r}
        ).values_list("id", "township_id", "name")
    }
    registered: dict[tuple, list[tuple]] = defaultdict(list)
    for row in Project.objects.filter(
        name__in={k[0] for k in groups}, year__in={k[2] for k in groups}
    ).values_list("id", "name", "township_id", "year", *PROJECT_FIELDS):
        registered[(row[1], row[2], row[3])].append(row)
    progress: dict[tuple[int, Any], tuple] = {}
    project_ids = [p[0] for rows in registered.values() for p in rows]
    for part in chunked(ProgressEntry.objects.order_by("-id"), "project_id", project_ids):
        for row in part.values_list("id", "project_id", "recorded_on", "invested_to_date"):
            progress[(row[1], row[2])] = row  # the earliest entry of a date wins (ordered by -id)
    # -- each project
    project_creates: list[tuple[tuple, dict]] = []
    project_updates: dict[int, dict] = {}
    progress_creates: list[tuple[tuple | int, dict]] = []
    progress_updates: dict[int, dict] = {}
    for key, rows in groups.items():
        name, township_name, year = key
        first_number, first = rows[0]
        if first_number in data.bad_rows:
            continue
        township_id = None
        if township_name is None:
            if not access.can_change_in(Project):  # a county-level project: no township, no village
                error(
                    errors,
                    first_number,
                    "township",
                    gettext("不填乡镇为县级项目，只有县扶贫办可以导入；请填写乡镇"),
                )
                continue
            if first[i["village"]]:
                error(errors, first_number, "township", gettext("填写了行政村，须同时填写其所在乡镇"))
                continue
        else:
            found = townships.get(township_name, [])
            if not found:
                error(
                    errors,
                    first_number,
                    "township",
                    gettext("乡镇“{township_name}”不存在").format(township_name=township_name),
                )
                continue
            if len(found) > 1:
                error(
                    errors,
                    first_number,
                    "township",
                    gettext("有 {length} 个名为“{township_name}”的乡镇，无法区分").format(
                        length=len(found), township_name=township_name
                    ),
                )
                continue
            township_id = found[0]
            if not access.can_change_in(Project, township_id=township_id):
                error(
                    errors,
                    first_number,
                    "township",
                    gettext("乡镇“{township_name}”不在您的管辖范围内").format(township_name=township_name),
                )
                continue
        village_id = None
        if first[i["village"]]:
            village_id = villages.get((township_id, first[i["village"]]))
            if village_id is None:
                error(
                    errors,
                    first_number,
                    "village",
                    gettext("行政村“{value}”不在{township_name}").format(
                        value=first[i["village"]], township_name=township_name
                    ),
                )
                continue
        wanted: dict[str, Any] = {"category": first[i["category"]]}
        if "village" in data.cells:
            wanted["village_id"] = village_id
        for f in ("planned_investment", "state"):
            if first[i[f]] is not None:  # blank: the registered value stays (a new project: its default)
                wanted[f] = first[i[f]]
        matches = registered.get((name, township_id, year), [])
        if len(matches) > 1:
            error(
                errors,
                first_number,
                "name",
                gettext("已登记 {length} 个同名同年度的项目，无法区分").format(length=len(matches)),
            )
            continue
        if matches:
            project: tuple | int = matches[0][0]
            diff = _diff(dict(zip(PROJECT_FIELDS, matches[0][4:], strict=True)), wanted)
            if diff:
                project_updates[project] = diff
                outcome.add("projects", "updated")
            else:
                outcome.add("projects", "unchanged")
        else:
            project = key
            project_creates.append((key, {"name": name, "township_id": township_id, "year": year, **wanted}))
            outcome.add("projects", "created")
        # -- its progress entries
        dates: dict[Any, int] = {}
        for number, values in rows:
            if number in data.bad_rows:
                continue
            recorded_on, invested = values[i["recorded_on"]], values[i["invested_to_date"]]
            if recorded_on is None and invested is None:
                continue
            if recorded_on is None:
                error(errors, number, "recorded_on", gettext("填写了累计完成投资，须填写填报日期"))
                continue
            if invested is None:
                error(errors, number, "invested_to_date", gettext("填写了填报日期，须填写累计完成投资"))
                continue
            if recorded_on in dates:
                error(
                    errors, number, "recorded_on",
                    gettext("同一项目 {value} 的进度与第 {value2} 行重复").format(value=shown_date(recorded_on), value2=dates[recorded_on]),
                )  # fmt: skip
                continue
            dates[recorded_on] = number
            found = progress.get((project, recorded_on)) if isinstance(project, int) else None
            if found is None:
                progress_creates.append((project, {"recorded_on": recorded_on, "invested_to_date": invested}))
                outcome.add("progress", "created")
            elif found[3] != invested:
                progress_updates[found[0]] = {"invested_to_date": invested}
                outcome.add("progress", "updated")
            else:
                outcome.add("progress", "unchanged")

    def write() -> None:
        created = insert_with_history(
            Project, [values for _, values in project_creates], user=access.user, reason=CHANGE_REASON
        )
        ids = {key: pk for (key, _), pk in zip(project_creates, created, strict=True)}
        update_with_history(Project, project_updates, user=access.user, reason=CHANGE_REASON)
        insert_with_history(
            ProgressEntry,
            [
                {"project_id": ids[p] if isinstance(p, tuple) else p, **values}
                for p, values in progress_creates
            ],
            user=access.user,
            reason=CHANGE_REASON,
        )
        update_with_history(ProgressEntry, progress_updates, user=access.user, reason=CHANGE_REASON)

    return write


def _project_rows(projects: QuerySet[Project]) -> Iterator[list[Any]]:
    categories, states = dict(Project.Category.choices), dict(Project.State.choices)
    amount = PROJECTS.column("planned_investment").parser.to_cell
    rows = (
        projects.order_by("year", "township__name", "name", "id", "progress__recorded_on", "progress__id")
        .values_list(
            "name",
            "category",
            "township__name",
            "village__name",
            "year",
            "planned_investment",
            "state",
            "progress__recorded_on",
            "progress__invested_to_date",
        )  # fmt: skip
        .iterator(chunk_size=CHUNK)
    )
    for name, category, township, village, year, planned, state, recorded_on, invested in rows:
        yield [
            name, str(categories.get(category, "")), township, village, year, amount(planned),
            str(states.get(state, "")), recorded_on, amount(invested),
        ]  # fmt: skip


def projects_export(*, user, queryset: QuerySet[Project] | None, stream: IO[bytes]) -> dict[str, Any]:
    """The projects ``user`` may see, one row per progress entry (a project without any: one row)."""
    projects = Access.for_user(user).visible(Project.objects.all())
    if queryset is not None:
        projects = projects.filter(pk__in=queryset.values("pk"))
    (written,) = write_roster(
        PROJECT_ROSTER,
        [(PROJECTS, _project_rows(projects))],
        stream,
        notes=["本文件可修改后直接导入（按项目名称、乡镇、年度和填报日期匹配）。"],
    )
    return {"rows": written, "projects": projects.count(), "masked": False}


def project_roster_template(*, user, stream: IO[bytes]) -> None:
    write_template(PROJECT_ROSTER, stream, scoped=_scoped_places(user))


# -- relocations --------------------------------------------------------------------------------------------

RELOCATION_FIELDS = ("site_id", "kind", "persons", "housing_area", "moved_in_on")


def relocation_roster_import(
    *,
    user,
    source,
    dry_run: bool,
    progress: Callable[[int], None] | None = None,
    limits: Limits | None = None,
) -> Outcome:
    """Relocations matched by 户编号, with the 25 m² per person rule of 建档立卡搬迁户."""
    return _run(
        user=user, source=source, dry_run=dry_run, roster=RELOCATION_ROSTER, kinds=("relocations",),
        plan=_relocation_plan, progress=progress, limits=limits,
    )  # fmt: skip


def _relocation_plan(access: Access, data: SheetData, outcome: Outcome) -> Callable[[], None]:
    errors, error = outcome.errors, data.error
    i = {c.field: data.index(c.field) for c in RELOCATIONS.columns}
    good = [(n, v) for n, v in data.rows if n not in data.bad_rows]
    households: dict[str, tuple[int, int, int, int]] = {}
    for part in chunked(
        access.visible(Household.objects.all()),
        "household_number",
        (v[i["household_number"]] for _, v in good),
    ):
        for number, pk, township_id, county_id, natural_village_id in part.values_list(
            "household_number", "id", "township_id", "township__county_id", "natural_village_id"
        ):
            households[number] = (pk, township_id, county_id, natural_village_id)
    sites: dict[str, list[tuple[int, int, int]]] = defaultdict(list)
    for pk, name, township_id, county_id in RelocationSite.objects.filter(
        name__in={v[i["site"]] for _, v in good}
    ).values_list("id", "name", "township_id", "township__county_id"):
        sites[name].append((pk, township_id, county_id))
    # A household may have moved more than once: a row is matched with its latest move. The same site
    # again updates that move; another site is a new move, and the earlier ones stay as its history.
    registered: dict[int, tuple] = {}
    for part in chunked(
        Relocation.objects.order_by("household_id", "id"), "household_id", (h[0] for h in households.values())
    ):
        for row in part.values_list("household_id", "id", *RELOCATION_FIELDS):
            registered[row[0]] = row
    seen: dict[str, int] = {}
    creates: list[dict] = []
    updates: dict[int, dict] = {}
    for number, values in good:
        household_number = values[i["household_number"]]
        if household_number in seen:
            error(
                errors,
                number,
                "household_number",
                gettext("户编号 {household_number} 与第 {value} 行重复").format(
                    household_number=household_number, value=seen[household_number]
                ),
            )
            continue
        seen[household_number] = number
        household = households.get(household_number)
        if household is None:
            error(
                errors,
                number,
                "household_number",
                gettext("户编号 {household_number} 未登记，或不在您的管辖范围内").format(
                    household_number=household_number
                ),
            )
            continue
        site_name = values[i["site"]]
        candidates = sites.get(site_name, [])
        if len(candidates) > 1:
            candidates = [s for s in candidates if s[1] == household[1]]
        if not candidates:
            error(errors, number, "site", gettext("安置点“{site_name}”未登记").format(site_name=site_name))
            continue
        if len(candidates) > 1:
            error(
                errors,
                number,
                "site",
                gettext("多个乡镇都有名为“{site_name}”的安置点，无法区分").format(site_name=site_name),
            )
            continue
        if candidates[0][2] != household[2]:
            error(
                errors,
                number,
                "site",
                gettext("安置点“{site_name}”不在该户所在的县，不能跨县搬迁").format(site_name=site_name),
            )
            continue
        if not access.can_change_in(Relocation, township_id=candidates[0][1]):
            error(
                errors,
                number,
                "site",
                gettext("安置点“{site_name}”不在您管辖的乡镇，不能导入到该安置点").format(
                    site_name=site_name
                ),
            )
            continue
        kind, persons, area = values[i["kind"]], values[i["persons"]], values[i["housing_area"]]
        if kind == Relocation.Kind.REGISTERED and area > persons * AREA_PER_PERSON:
            error(
                errors, number, "housing_area",
                gettext("建档立卡搬迁户人均住房面积不得超过 {limit} 平方米：{area} 平方米 ÷ {persons} 人 = {per_person:.2f} 平方米/人").format(
                    limit=AREA_PER_PERSON, area=area, persons=persons, per_person=area / persons
                ),
            )  # fmt: skip
            continue
        wanted = {"site_id": candidates[0][0], "kind": kind, "persons": persons, "housing_area": area}
        if "moved_in_on" in data.cells:
            wanted["moved_in_on"] = values[i["moved_in_on"]]
        found = registered.get(household[0])
        if found is not None and found[2] != wanted["site_id"]:
            found = None  # a move to another site: a new record, the earlier move is kept
        if found is None:
            creates.append({"household_id": household[0], "from_natural_village_id": household[3], **wanted})
            outcome.add("relocations", "created")
            continue
        diff = _diff(dict(zip(RELOCATION_FIELDS, found[2:], strict=True)), wanted)
        if diff:
            updates[found[1]] = diff
            outcome.add("relocations", "updated")
        else:
            outcome.add("relocations", "unchanged")

    def write() -> None:
        update_with_history(Relocation, updates, user=access.user, reason=CHANGE_REASON)
        insert_with_history(Relocation, creates, user=access.user, reason=CHANGE_REASON)

    return write


def relocations_export(*, user, queryset: QuerySet[Relocation] | None, stream: IO[bytes]) -> dict[str, Any]:
    """The relocations of the households ``user`` may see, in the roster's layout."""
    # Each household's latest move: the file imports back unchanged (a row per household, 户编号 unique).
    later = Relocation.objects.filter(household=OuterRef("household"), id__gt=OuterRef("id"))
    relocations = Access.for_user(user).visible(Relocation.objects.exclude(Exists(later)))
    if queryset is not None:
        relocations = relocations.filter(pk__in=queryset.values("pk"))
    kinds = dict(Relocation.Kind.choices)
    area = RELOCATIONS.column("housing_area").parser.to_cell
    rows = (
        relocations.order_by("household__household_number")
        .values_list(
            "site__name", "household__household_number", "kind", "persons", "housing_area", "moved_in_on"
        )
        .iterator(chunk_size=CHUNK)
    )
    (written,) = write_roster(
        RELOCATION_ROSTER,
        [(RELOCATIONS, ([s, n, str(kinds.get(k, "")), p, area(a), d] for s, n, k, p, a, d in rows))],
        stream,
        notes=["本文件可修改后直接导入（按户编号匹配）。"],
    )
    return {"relocations": written, "masked": False}


def relocation_roster_template(*, user, stream: IO[bytes]) -> None:
    sites = Access.for_user(user).visible(RelocationSite.objects.order_by("township_id", "name"))
    write_template(
        RELOCATION_ROSTER, stream, scoped={"site": list(dict.fromkeys(sites.values_list("name", flat=True)))}
    )


# -- training participants ----------------------------------------------------------------------------------

Participant = Training.participants.through


def training_roster_import(
    *,
    user,
    source,
    dry_run: bool,
    progress: Callable[[int], None] | None = None,
    limits: Limits | None = None,
) -> Outcome:
    """Participants matched by (training, 身份证号); the member must be registered and in the user's scope."""
    return _run(
        user=user, source=source, dry_run=dry_run, roster=TRAINING_ROSTER, kinds=("participants",),
        plan=_training_plan, progress=progress, limits=limits,
    )  # fmt: skip


def _training_plan(access: Access, data: SheetData, outcome: Outcome) -> Callable[[], None]:
    errors, error = outcome.errors, data.error
    i = {c.field: data.index(c.field) for c in PARTICIPANTS.columns}
    good = [(n, v) for n, v in data.rows if n not in data.bad_rows]
    trainings: dict[tuple[str, int], list[int]] = defaultdict(list)
    for pk, name, year in access.visible(
        Training.objects.filter(
            name__in={v[i["training"]] for _, v in good}, year__in={v[i["year"]] for _, v in good}
        )
    ).values_list("id", "name", "year"):
        trainings[(name, year)].append(pk)
    members: dict[str, tuple[int, str]] = {}
    for part in chunked(
        access.visible(Member.objects.all()), "id_number", (v[i["id_number"]] for _, v in good)
    ):
        for id_number, pk, name in part.values_list("id_number", "id", "name"):
            members[id_number] = (pk, name)
    training_ids = [pk for pks in trainings.values() for pk in pks]
    registered = set(
        Participant.objects.filter(training_id__in=training_ids).values_list("training_id", "member_id")
    )
    seen: dict[tuple[int, int], int] = {}
    creates: list[tuple[int, int]] = []
    for number, values in good:
        name, year, id_number = values[i["training"]], values[i["year"]], values[i["id_number"]]
        found = trainings.get((name, year), [])
        if not found:
            error(
                errors,
                number,
                "training",
                gettext("培训“{name}”（{year} 年）未登记，或不在您的管辖范围内").format(name=name, year=year),
            )
            continue
        if len(found) > 1:
            error(
                errors,
                number,
                "training",
                gettext("{year} 年有 {length} 个名为“{name}”的培训，无法区分").format(
                    year=year, length=len(found), name=name
                ),
            )
            continue
        member = members.get(id_number)
        if member is None:
            error(
                errors, number, "id_number",
                gettext("身份证号 {value} 不是已登记的贫困户成员，或不在您的管辖范围内").format(value=mask(id_number)),
            )  # fmt: skip
            continue
        if member[1] != values[i["name"]]:
            error(
                errors,
                number,
                "name",
                gettext("姓名“{value}”与该身份证号登记的姓名“{value2}”不一致").format(
                    value=values[i["name"]], value2=member[1]
                ),
            )
            continue
        pair = (found[0], member[0])
        if pair in seen:
            error(
                errors,
                number,
                "id_number",
                gettext("与第 {value} 行重复（同一培训同一人只能一行）").format(value=seen[pair]),
            )
            continue
        seen[pair] = number
        if pair in registered:
            outcome.add("participants", "unchanged")
        else:
            creates.append(pair)
            outcome.add("participants", "created")

    def write() -> None:
        insert_with_history(
            Participant,
            [{"training_id": t, "member_id": m} for t, m in creates],
            user=access.user,
            reason=CHANGE_REASON,
        )

    return write


def training_export(*, user, queryset: QuerySet[Training] | None, stream: IO[bytes]) -> dict[str, Any]:
    """The participants of the trainings ``user`` may see, among the members they may see; ID numbers are
    masked where the user may not see them whole (such a file cannot be imported again)."""
    access = Access.for_user(user)
    trainings = access.visible(Training.objects.all())
    if queryset is not None:
        trainings = trainings.filter(pk__in=queryset.values("pk"))
    masked = not access.sees_full_id_numbers
    rows = (
        Participant.objects.filter(
            training__in=trainings.values("pk"), member__in=access.visible(Member.objects.all()).values("pk")
        )
        .order_by(
            "training__year",
            "training__name",
            "training_id",
            "member__household__household_number",
            "member_id",
        )
        .values_list("training__name", "training__year", "member__id_number", "member__name")
        .iterator(chunk_size=CHUNK)
    )
    (written,) = write_roster(
        TRAINING_ROSTER,
        [(PARTICIPANTS, ([t, y, mask(i) if masked else i, n] for t, y, i, n in rows))],
        stream,
        notes=[MASKED_NOTE] if masked else ["本文件可修改后直接导入（按培训和身份证号匹配）。"],
    )
    return {"participants": written, "masked": masked}


def training_roster_template(*, user, stream: IO[bytes]) -> None:
    trainings = Access.for_user(user).visible(Training.objects.order_by("-year", "name"))
    write_template(
        TRAINING_ROSTER,
        stream,
        scoped={"training": list(dict.fromkeys(trainings.values_list("name", flat=True)))},
    )
