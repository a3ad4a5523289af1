"""Excel roster benchmark: import and export of a 100,000-member roster, side by side with baselines.

Measured in one run, each in a fresh process (so peak memory is the phase's own):
- parse only: python-calamine alone, the engine's reader (calamine plus the checks), openpyxl read-only;
- COPY alone, twice: the same rows, as parsed, COPYed into a temporary table of text columns (the floor of
  moving the bytes into PostgreSQL at all); and the rows the import stored, COPYed again into their own
  tables with every index, check and foreign key, without history (the floor of writing them where they
  belong, which the issue gives as "COPY: about 68,000 rows/s");
- import: validated and committed to PostgreSQL (empty registry), then the same file again (all unchanged);
- django-import-export 4.x fully tuned (use_bulk, skip_diff, force_init_instance, batch_size, foreign
  keys resolved from memory), importing the same rows into the same models;
- export of the same households (the one roster export, xlsxwriter constant memory), beside the raw
  write of the same rows, already in memory, by xlsxwriter and by openpyxl write-only.

Targets (issue 14): import < 10 s end to end, < 400 MB peak, and ≤ 3× (calamine's parse + COPY of the
same rows into their tables; the ratio to the text-table COPY is printed too); export ≤ 1.5× xlsxwriter's raw write of the same rows, < 150 MB; both round trips unchanged.

Run by ``make bench`` (tests/benchmarks/__main__.py calls ``run()``, which answers the figures and
``passed``), or alone against DATABASE_URL: ``python -m tests.benchmarks.bench_roster [--members N]``.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import resource
import sys
import tempfile
import time
from typing import Any

MEMBERS = int(os.environ.get("BENCH_ROSTER_MEMBERS", 100_000))
# django-import-export, tuned, does no query per row: it imports the whole roster, as ours does.
BASELINE_MEMBERS = int(os.environ.get("BENCH_ROSTER_BASELINE_MEMBERS", MEMBERS))
TARGETS = {
    "import_s": 10,
    "import_mb": 400,
    "vs_floor": 3,  # import ÷ (calamine parse + COPY of the same rows into their tables)
    "export_mb": 150,
    "vs_raw_export": 1.5,  # export ÷ xlsxwriter's raw write
}


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "poverty_tracker.settings")
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key")
    import django

    django.setup()


def _peak_mb() -> float:
    """This process's own peak resident memory.

    VmHWM, not getrusage's ru_maxrss: Linux keeps ru_maxrss across fork and exec, so a phase spawned by a
    bench process that had grown to 198 MB (after the dashboards and monitoring modules) reported at
    least 198 MB whatever it did itself. VmHWM belongs to the memory map that exec made new.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024  # kB
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


# -- the roster file ----------------------------------------------------------------------------------------


def build_roster(path: str, members: int) -> dict[str, int]:
    """A roster of synthetic households (demo.generation's rules) in the 基准县 geography."""
    from openpyxl import Workbook

    from demo.generation import household_values, member_values
    from households import choices
    from households.rosters import ASSESSMENTS, MEMBERS
    from villages.models import NaturalVillage

    places = list(
        NaturalVillage.objects.order_by("id").values_list("name", "village__name", "village__township__name")
    )
    label = {
        e: {code: str(text) for code, text in e.choices}
        for e in (
            choices.Relation, choices.Sex, choices.Education, choices.SchoolStatus, choices.Health,
            choices.Labour, choices.MigrantWork, choices.Attribute, choices.Cause, choices.Status,
        )
    }  # fmt: skip
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(MEMBERS.name)
    ws.append(MEMBERS.headers)
    wa = wb.create_sheet(ASSESSMENTS.name)
    wa.append(ASSESSMENTS.headers)
    written, i = 0, 1
    while written < members:
        hh = household_values(i)
        nv, v, t = places[i % len(places)]
        # generation draws the exit year without regard to the year identified; a roster must be consistent
        exit_year = max(hh["exit_year"], hh["identified_year"]) if hh["exit_year"] else None
        for p in range(min(hh["size"], members - written)):
            m = member_values(hh, p)
            ws.append([
                hh["household_number"], t, v, nv, m["name"], m["id_number"],
                label[choices.Relation][m["relation"]], label[choices.Sex][m["sex"]], m["ethnicity"],
                label[choices.Education][m["education"]], label[choices.SchoolStatus][m["school_status"]],
                "、".join(label[choices.Health][h] for h in m["health"]), label[choices.Labour][m["labour"]],
                label[choices.MigrantWork][m["migrant_work"]], label[choices.Attribute][hh["attribute"]],
                label[choices.Cause][hh["main_cause"]], hh["identified_year"], hh["phone"] or None,
                label[choices.Status][hh["status"]], exit_year,
            ])  # fmt: skip
            written += 1
        wa.append([hh["household_number"], 2016, 3000 + i % 5000, 1500, 0, 600, 450, *(["是"] * 6)])
        i += 1
    wb.save(path)
    return {"members": written, "households": i - 1}


# -- phases, each run in its own process ----------------------------------------------------------------


def _phase(name: str, args: dict[str, Any], queue) -> None:
    try:
        _django()
        started = time.perf_counter()
        info = PHASES[name](**args) or {}
        queue.put({"seconds": time.perf_counter() - started, "mb": _peak_mb(), **info})
    except BaseException as exc:  # report, don't hang the parent
        import traceback

        queue.put({"error": f"{exc.__class__.__name__}: {exc}", "trace": traceback.format_exc()})


def run_phase(name: str, **args) -> dict[str, Any]:
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    process = ctx.Process(target=_phase, args=(name, args, queue))
    process.start()
    result = queue.get()
    process.join()
    if "error" in result:
        raise RuntimeError(f"{name}: {result['error']}\n{result.get('trace', '')}")
    return result


def phase_setup(path: str, members: int) -> dict:
    from demo.generation import ensure_geography

    ensure_geography()
    return build_roster(path, members)


def phase_parse_openpyxl(path: str) -> dict:
    from openpyxl import load_workbook

    wb = load_workbook(path, read_only=True, data_only=True)
    rows = 0
    for name in wb.sheetnames:
        for _ in wb[name].iter_rows(values_only=True):
            rows += 1
    wb.close()
    return {"rows": rows}


def phase_parse_calamine(path: str) -> dict:
    import python_calamine

    rows = 0
    with python_calamine.CalamineWorkbook.from_path(path) as book:
        for name in book.sheet_names:
            for _ in book.get_sheet_by_name(name).iter_rows():
                rows += 1
    return {"rows": rows}


def phase_copy(path: str) -> dict:
    """The parsed rows (calamine), COPYed into temporary tables of text columns; only the COPY is timed."""
    import io

    import python_calamine
    from django.db import connection, transaction

    sheets = []
    with python_calamine.CalamineWorkbook.from_path(path) as book:
        for name in book.sheet_names:
            rows = book.get_sheet_by_name(name).to_python()
            buffer = io.StringIO()
            for row in rows[1:]:
                buffer.write("\t".join("\\N" if v == "" else str(v) for v in row))
                buffer.write("\n")
            sheets.append((len(rows[0]), buffer, len(rows) - 1))
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        for n, (width, buffer, _) in enumerate(sheets):
            cursor.execute(f"CREATE TEMP TABLE copy_{n} ({', '.join(f'c{i} text' for i in range(width))})")
            buffer.seek(0)
            cursor.cursor.copy_expert(f"COPY copy_{n} FROM STDIN", buffer)
    return {"seconds": time.perf_counter() - started, "rows": sum(r for _, _, r in sheets)}


REGISTRY_TABLES = ("households_household", "households_member", "households_assessment")


def phase_copy_tables() -> dict:
    """The rows the import stored, COPYed again into their own tables: households, members, assessments,
    with every index, check and foreign key (checked before the clock stops), without history rows.

    The rows are taken out first (COPY … TO, untimed) and put back into the tables emptied in the same
    transaction, which is then rolled back: the registry is left as the import made it. This is the
    floor of writing the roster's rows where they belong; the COPY into a temporary table of text is the
    floor of moving the same bytes into PostgreSQL at all.
    """
    import io

    from django.db import connection, transaction

    dumps = []
    with connection.cursor() as cursor:
        for table in REGISTRY_TABLES:
            buffer = io.StringIO()
            cursor.cursor.copy_expert(f"COPY {table} TO STDOUT", buffer)
            dumps.append((table, buffer))
    rows = sum(buffer.getvalue().count("\n") for _, buffer in dumps)
    with transaction.atomic(), connection.cursor() as cursor:
        # Emptied as the import found them (bench_roster empties them before it); rolled back below.
        cursor.execute(f"TRUNCATE {', '.join(REGISTRY_TABLES)} CASCADE")
        started = time.perf_counter()
        for table, buffer in dumps:
            buffer.seek(0)
            cursor.cursor.copy_expert(f"COPY {table} FROM STDIN", buffer)
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the keys checked now, as a commit would
        seconds = time.perf_counter() - started
        transaction.set_rollback(True)
    return {"seconds": seconds, "rows": rows}


def phase_parse_engine(path: str) -> dict:
    from core.excel.reader import WorkbookReader

    rows = 0
    with WorkbookReader(path) as reader:
        for name in reader.sheet_names:
            for _ in reader.rows(name):
                rows += 1
    return {"rows": rows}


def _bench_user():
    from accounts.models import Role, User

    user, _ = User.objects.get_or_create(username="bench-roster", defaults={"role": Role.COUNTY_ADMIN})
    return user


def phase_import(path: str) -> dict:
    """The roster's importer called as the import pages and jobs call it (through the registry)."""
    from core.excel.registry import roster_entry

    outcome = roster_entry("households").call("importer", user=_bench_user(), source=path, dry_run=False)
    if outcome.errors:
        raise RuntimeError(f"import reported errors: {outcome.errors.as_list()[:5]}")
    return {**outcome.totals(), "phases": outcome.seconds}


def phase_export(path: str) -> dict:
    from core.excel.registry import roster_entry
    from households.models import Household

    with open(path, "wb") as stream:
        return roster_entry("households").call(
            "exporter",
            user=_bench_user(),
            queryset=Household.objects.filter(household_number__startswith="G"),
            stream=stream,
        )


def _export_rows() -> list:
    from households.models import Household
    from households.roster_io import _assessment_rows, _member_rows

    households = Household.objects.filter(household_number__startswith="G")
    return [list(_member_rows(households, False)), list(_assessment_rows(households))]


def phase_export_xlsxwriter(path: str) -> dict:
    """The same rows, already in memory, written raw by xlsxwriter (constant memory); only the write is timed."""
    import xlsxwriter

    sheets = _export_rows()
    started = time.perf_counter()
    book = xlsxwriter.Workbook(path, {"constant_memory": True, "strings_to_formulas": False,
                                      "strings_to_urls": False, "default_date_format": "yyyy-mm-dd"})  # fmt: skip
    for n, rows in enumerate(sheets):
        ws = book.add_worksheet(f"s{n}")
        for r, row in enumerate(rows):
            ws.write_row(r, 0, row)
    book.close()
    return {"seconds": time.perf_counter() - started, "rows": sum(len(r) for r in sheets)}


def phase_export_openpyxl(path: str) -> dict:
    """The same rows, already in memory, written raw by openpyxl write-only; only the write is timed."""
    from openpyxl import Workbook

    sheets = _export_rows()
    started = time.perf_counter()
    wb = Workbook(write_only=True)
    for n, rows in enumerate(sheets):
        ws = wb.create_sheet(f"s{n}")
        for row in rows:
            ws.append(row)
    wb.save(path)
    return {"seconds": time.perf_counter() - started, "rows": sum(len(r) for r in sheets)}


def phase_clean() -> dict:
    """Empty the registry tables this benchmark fills (it runs on its own database)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE households_member, households_historicalmember, households_assessment,"
            " households_historicalassessment, households_household, households_historicalhousehold,"
            " households_eligibilitychange CASCADE"
        )
    return {}


def phase_baseline(path: str, members: int) -> dict:
    """django-import-export 4.x fully tuned: households, then members, then assessments, from the file.

    use_bulk with batch_size, skip_diff, force_init_instance (no lookup of an existing row: the registry
    is empty), and the household foreign key resolved from a dict built after the households go in, so it
    does no query per row either."""
    import tablib
    from import_export import fields, resources, widgets
    from openpyxl import load_workbook

    from households import choices
    from households.models import Assessment, Household, Member
    from villages.models import NaturalVillage

    # Places resolved from memory, as ours are, so the baseline is not charged a query per row for them.
    places = {
        (t, v, n): (pk, v_id, t_id)
        for pk, n, v_id, v, t_id, t in NaturalVillage.objects.values_list(
            "pk", "name", "village_id", "village__name", "village__township_id", "village__township__name"
        )
    }
    reverse = {e: {str(label): code for code, label in e.choices} for e in (
        choices.Relation, choices.Sex, choices.Education, choices.SchoolStatus, choices.Labour,
        choices.MigrantWork, choices.Attribute, choices.Cause, choices.Status)}  # fmt: skip
    health = {str(label): code for code, label in choices.Health.choices}

    class Choice(widgets.Widget):
        def __init__(self, enum):
            super().__init__()
            self.enum = enum

        def clean(self, value, row=None, **kwargs):
            return reverse[self.enum].get(value, "") if value else ""

    class HouseholdResource(resources.ModelResource):
        household_number = fields.Field(attribute="household_number", column_name="户编号")
        attribute = fields.Field(
            attribute="attribute", column_name="贫困户属性", widget=Choice(choices.Attribute)
        )
        main_cause = fields.Field(
            attribute="main_cause", column_name="主要致贫原因", widget=Choice(choices.Cause)
        )
        identified_year = fields.Field(
            attribute="identified_year", column_name="识别年度", widget=widgets.IntegerWidget()
        )
        phone = fields.Field(
            attribute="phone", column_name="联系电话", widget=widgets.CharWidget(allow_blank=True)
        )
        status = fields.Field(attribute="status", column_name="贫困户状态", widget=Choice(choices.Status))
        exit_year = fields.Field(
            attribute="exit_year", column_name="脱贫年度", widget=widgets.IntegerWidget()
        )
        head_name = fields.Field(attribute="head_name", column_name="户主姓名")

        class Meta:
            model = Household
            fields = ("household_number", "attribute", "main_cause", "identified_year", "phone", "status",
                      "exit_year", "head_name")  # fmt: skip
            import_id_fields = ("household_number",)
            use_bulk = True
            batch_size = 5000
            skip_diff = True
            force_init_instance = True

        def before_save_instance(self, instance, row, **kwargs):
            nv, village, township = places[(row["乡镇"], row["行政村"], row["自然村"])]
            instance.natural_village_id, instance.village_id, instance.township_id = nv, village, township

    household_ids: dict[str, int] = {}

    class CachedHousehold(widgets.Widget):
        def clean(self, value, row=None, **kwargs):
            if not household_ids:
                household_ids.update(Household.objects.values_list("household_number", "id"))
            return household_ids[value]

    class MemberResource(resources.ModelResource):
        household_id = fields.Field(attribute="household_id", column_name="户编号", widget=CachedHousehold())
        name = fields.Field(attribute="name", column_name="姓名")
        id_number = fields.Field(attribute="id_number", column_name="身份证号")
        relation = fields.Field(
            attribute="relation", column_name="与户主关系", widget=Choice(choices.Relation)
        )
        sex = fields.Field(attribute="sex", column_name="性别", widget=Choice(choices.Sex))
        ethnicity = fields.Field(attribute="ethnicity", column_name="民族")
        education = fields.Field(
            attribute="education", column_name="文化程度", widget=Choice(choices.Education)
        )
        school_status = fields.Field(
            attribute="school_status", column_name="在校生状况", widget=Choice(choices.SchoolStatus)
        )
        labour = fields.Field(attribute="labour", column_name="劳动能力", widget=Choice(choices.Labour))
        migrant_work = fields.Field(
            attribute="migrant_work", column_name="务工状况", widget=Choice(choices.MigrantWork)
        )

        class Meta:
            model = Member
            fields = ("household_id", "name", "id_number", "relation", "sex", "ethnicity", "education",
                      "school_status", "labour", "migrant_work")  # fmt: skip
            import_id_fields = ("id_number",)
            use_bulk = True
            batch_size = 5000
            skip_diff = True
            force_init_instance = True

        def before_save_instance(self, instance, row, **kwargs):
            instance.health = [health[h] for h in (row["健康状况"] or "").split("、") if h in health]

    class AssessmentResource(resources.ModelResource):
        household_id = fields.Field(attribute="household_id", column_name="户编号", widget=CachedHousehold())
        year = fields.Field(attribute="year", column_name="年度", widget=widgets.IntegerWidget())

        class Meta:
            model = Assessment
            fields = ("household_id", "year")
            import_id_fields = ("household_id", "year")
            use_bulk = True
            batch_size = 5000
            skip_diff = True
            force_init_instance = True

    # The same rows, read as tablib reads .xlsx (openpyxl read-only), cut to ``members`` member rows.
    wb = load_workbook(path, read_only=True, data_only=True)
    member_rows = wb["成员"].iter_rows(values_only=True)
    headers = [str(h) for h in next(member_rows)]
    width = len(headers)
    rows = [(tuple(r) + (None,) * width)[:width] for _, r in zip(range(members), member_rows, strict=False)]
    wb.close()
    members_data = tablib.Dataset(*rows, headers=headers)
    first = {}
    for r in rows:
        first.setdefault(r[0], r)
    households_data = tablib.Dataset(*[(*r, r[4]) for r in first.values()], headers=[*headers, "户主姓名"])
    assessments_data = tablib.Dataset(*[(n, 2016) for n in first], headers=["户编号", "年度"])
    total = 0
    for importer, data in (
        (HouseholdResource(), households_data),
        (MemberResource(), members_data),
        (AssessmentResource(), assessments_data),
    ):
        result = importer.import_data(data, dry_run=False, raise_errors=True)
        total += len(data)
        if result.has_errors() or result.has_validation_errors():
            raise RuntimeError("django-import-export reported errors")
    return {"members": len(rows), "households": len(first), "records": total}


PHASES = {
    "setup": phase_setup,
    "parse_openpyxl": phase_parse_openpyxl,
    "parse_engine": phase_parse_engine,
    "parse_calamine": phase_parse_calamine,
    "copy": phase_copy,
    "copy_tables": phase_copy_tables,
    "export_xlsxwriter": phase_export_xlsxwriter,
    "export_openpyxl": phase_export_openpyxl,
    "import": phase_import,
    "export": phase_export,
    "clean": phase_clean,
    "baseline": phase_baseline,
}


# -- the run --------------------------------------------------------------------------------------------


def run(members: int = MEMBERS, baseline_members: int = BASELINE_MEMBERS) -> dict[str, Any]:
    """Every phase in order; answers the figures and prints them with their ratios."""
    figures: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        roster, exported = os.path.join(tmp, "roster.xlsx"), os.path.join(tmp, "export.xlsx")
        run_phase("clean")
        built = run_phase("setup", path=roster, members=members)
        size_mb = os.path.getsize(roster) / 1048576
        print(f"花名册 {built['members']:,} 名成员 / {built['households']:,} 户，文件 {size_mb:.1f} MB")
        figures["parse_calamine"] = run_phase("parse_calamine", path=roster)
        figures["parse_engine"] = run_phase("parse_engine", path=roster)
        figures["parse_openpyxl"] = run_phase("parse_openpyxl", path=roster)
        figures["copy"] = run_phase("copy", path=roster)
        figures["import"] = run_phase("import", path=roster)
        figures["copy_tables"] = run_phase("copy_tables")
        figures["reimport"] = run_phase("import", path=roster)
        figures["export"] = run_phase("export", path=exported)
        figures["export_xlsxwriter"] = run_phase("export_xlsxwriter", path=os.path.join(tmp, "raw.xlsx"))
        figures["export_openpyxl"] = run_phase("export_openpyxl", path=os.path.join(tmp, "raw2.xlsx"))
        figures["reimport_export"] = run_phase("import", path=exported)
        run_phase("clean")
        figures["baseline"] = run_phase("baseline", path=roster, members=baseline_members)
        run_phase("clean")
    figures["passed"] = _print(figures, built)
    return figures


def _print(f: dict[str, Any], built: dict[str, int]) -> bool:
    members = built["members"]
    imp, base, exp = f["import"], f["baseline"], f["export"]
    ours_rate = members / imp["seconds"]
    base_rate = base["members"] / base["seconds"]
    floor = f["parse_calamine"]["seconds"] + f["copy_tables"]["seconds"]
    text_floor = f["parse_calamine"]["seconds"] + f["copy"]["seconds"]
    raw_export = f["export_xlsxwriter"]["seconds"]

    def line(label: str, r: dict, extra: str = "") -> None:
        print(f"  {label:<42} {r['seconds']:8.2f} s  {r['mb']:7.0f} MB  {extra}")

    print("Excel 花名册基准（每项在独立进程中运行，内存为该进程峰值）")
    line("解析：python-calamine 单独", f["parse_calamine"], f"{f['parse_calamine']['rows']:,} 行")
    line("解析：引擎读取器（calamine + 检查）", f["parse_engine"], f"{f['parse_engine']['rows']:,} 行")
    line("解析：openpyxl read-only", f["parse_openpyxl"], f"{f['parse_openpyxl']['rows']:,} 行")
    line("COPY 同样的行（文本临时表）", f["copy"], f"{f['copy']['rows']:,} 行")
    line(
        "COPY 同样的行到登记表（索引、约束、外键）",
        f["copy_tables"],
        f"{f['copy_tables']['rows']:,} 行，{f['copy_tables']['rows'] / f['copy_tables']['seconds']:,.0f} 行/秒",
    )
    phases = "、".join(f"{k} {v:.1f}s" for k, v in imp.get("phases", {}).items())
    line(
        "导入（校验并写入 PostgreSQL，空库）",
        imp,
        f"{ours_rate:,.0f} 成员行/秒；新建 {imp['created']:,}；{phases}",
    )
    line(
        "再次导入同一文件",
        f["reimport"],
        f"未变 {f['reimport']['unchanged']:,}；新建 {f['reimport']['created']}",
    )
    line("导出（write_roster，xlsxwriter）", exp, f"{exp['members']:,} 名成员")
    line(
        "原始写出：xlsxwriter constant_memory",
        f["export_xlsxwriter"],
        f"{f['export_xlsxwriter']['rows']:,} 行",
    )
    line("原始写出：openpyxl write-only", f["export_openpyxl"], f"{f['export_openpyxl']['rows']:,} 行")
    line("导入导出的文件", f["reimport_export"], f"未变 {f['reimport_export']['unchanged']:,}；变更 "
         f"{f['reimport_export']['created'] + f['reimport_export']['updated']}")  # fmt: skip
    line(f"django-import-export 全调优（{base['members']:,} 名成员）", base, f"{base_rate:,.0f} 成员行/秒")
    ratios = {
        "导入 ÷ (calamine 解析 + COPY 到登记表)": imp["seconds"] / floor,
        "导入 ÷ (calamine 解析 + COPY 文本临时表)": imp["seconds"] / text_floor,
        "导入 ÷ calamine 解析": imp["seconds"] / f["parse_calamine"]["seconds"],
        "引擎读取器 ÷ calamine 解析": f["parse_engine"]["seconds"] / f["parse_calamine"]["seconds"],
        "openpyxl 解析 ÷ calamine 解析": f["parse_openpyxl"]["seconds"] / f["parse_calamine"]["seconds"],
        "速度 本引擎 ÷ django-import-export": ours_rate / base_rate,
        "导出 ÷ xlsxwriter 原始写出": exp["seconds"] / raw_export,
        "openpyxl 原始写出 ÷ xlsxwriter 原始写出": f["export_openpyxl"]["seconds"] / raw_export,
    }
    for label, value in ratios.items():
        print(f"  比值 {label:<40} {value:6.2f}")
    checks = [
        (f"导入 < {TARGETS['import_s']} s", imp["seconds"] < TARGETS["import_s"]),
        (f"导入峰值内存 < {TARGETS['import_mb']} MB", imp["mb"] < TARGETS["import_mb"]),
        (
            f"导入 ≤ {TARGETS['vs_floor']}× (解析 + COPY 到登记表)",
            imp["seconds"] <= TARGETS["vs_floor"] * floor,
        ),
        (
            f"导出 ≤ {TARGETS['vs_raw_export']}× xlsxwriter 原始写出",
            exp["seconds"] <= TARGETS["vs_raw_export"] * raw_export,
        ),  # fmt: skip
        (f"导出峰值内存 < {TARGETS['export_mb']} MB", exp["mb"] < TARGETS["export_mb"]),
        ("再次导入全部未变", f["reimport"]["created"] == f["reimport"]["updated"] == 0),
        ("导出再导入全部未变", f["reimport_export"]["created"] == f["reimport_export"]["updated"] == 0),
    ]
    for label, ok in checks:
        print(f"  目标 {label:<40} {'PASS' if ok else 'FAIL'}")
    return all(ok for _, ok in checks)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=MEMBERS)
    parser.add_argument("--baseline-members", type=int, default=BASELINE_MEMBERS)
    args = parser.parse_args(argv)
    _django()
    run(args.members, args.baseline_members)
    return 0


if __name__ == "__main__":
    sys.exit(main())
