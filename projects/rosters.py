"""The money-and-moves rosters: projects with their progress, relocations (易地扶贫搬迁), training participants.

The import, export and template code is in ``projects.roster_io``; the registry names it by path.
"""

from core.excel.columns import Column, Roster, Sheet
from core.excel.parsers import Amount, Date, Enum, IdNumber, Integer, Text
from core.excel.registry import RosterEntry
from projects.models import Project, Relocation

OFFICES = ("county_admin", "township_official")  # who changes projects, relocations and trainings
YEARS = {"min_value": 2013, "max_value": 2100, "what": "年份（四位数字）"}

PROJECTS = Sheet(
    name="项目进度",
    anchor="项目名称",
    help="每个项目每次填报一行；项目的信息在该项目每一行重复填写，且须一致。没有进度的项目填一行，填报日期留空。",
    columns=(
        Column("项目名称", "name", Text(200), required=True, parent=True, width=28,
               help="按项目名称、乡镇和年度匹配已登记的项目"),
        Column("类别", "category", Enum(Project.Category), required=True, parent=True, width=12),
        Column("乡镇", "township", Text(50), parent=True, scoped_choices="township",
               help="不填为县级项目（只有县扶贫办可以导入）"),
        Column("行政村", "village", Text(50), parent=True, scoped_choices="village", help="须属于所填乡镇"),
        Column("年度", "year", Integer(**YEARS), required=True, parent=True, width=8),
        Column("计划投资（元）", "planned_investment", Amount(), parent=True, width=16),
        Column("状态", "state", Enum(Project.State), parent=True, width=8, help="不填：新项目为计划，已登记项目不变"),
        Column("填报日期", "recorded_on", Date(), width=12, help="进度的填报日期；同一项目同一日期只能一行"),
        Column("累计完成投资（元）", "invested_to_date", Amount(), width=18, help="截至填报日期累计完成的投资"),
    ),
)  # fmt: skip

PROJECT_ROSTER = Roster(
    name="projects",
    title="扶贫项目及进度花名册",
    sheets=(PROJECTS,),
    notes=(
        "红色表头为必填列；列的顺序可以调整，表头须与本模板一致。",
        "项目按项目名称、乡镇、年度匹配，进度按项目和填报日期匹配：同一文件重复导入不会产生重复记录。",
        "导入不删除任何项目或进度；只要有一处错误，全部不导入，并返回标出错误单元格的工作簿。",
    ),
)

RELOCATIONS = Sheet(
    name="搬迁户",
    anchor="户编号",
    help="每户一行，按户编号匹配。",
    columns=(
        Column("安置点", "site", Text(100), required=True, scoped_choices="site", width=20,
               help="须为已登记的安置点；不同乡镇有同名安置点时，取该户所在乡镇的"),
        Column("户编号", "household_number", Text(30, code=True), required=True, width=18),
        Column("搬迁类型", "kind", Enum(Relocation.Kind), required=True, width=16),
        Column("搬迁人数", "persons", Integer(min_value=1, max_value=99, what="人数（正整数）"), required=True,
               width=10),
        Column("住房面积", "housing_area", Amount(max_digits=7), required=True, width=12,
               help="平方米；建档立卡搬迁户人均不得超过 25 平方米"),
        Column("入住时间", "moved_in_on", Date(), width=12),
    ),
)  # fmt: skip

RELOCATION_ROSTER = Roster(
    name="relocations",
    title="易地扶贫搬迁户花名册",
    sheets=(RELOCATIONS,),
    notes=(
        "红色表头为必填列；列的顺序可以调整，表头须与本模板一致。",
        "建档立卡搬迁户人均住房面积不得超过 25 平方米（住房面积 ≤ 搬迁人数 × 25）。",
        "按户编号匹配：同一文件重复导入不会产生重复记录；只要有一处错误，全部不导入。",
    ),
)

PARTICIPANTS = Sheet(
    name="参训人员",
    anchor="身份证号",
    help="每名参训人员每个培训一行；按培训（名称和年度）和身份证号匹配。",
    columns=(
        Column("培训名称", "training", Text(100), required=True, scoped_choices="training", width=24,
               help="须为已登记的培训"),
        Column("年度", "year", Integer(**YEARS), required=True, width=8),
        Column("身份证号", "id_number", IdNumber(), required=True, width=22,
               help="须为已登记的贫困户成员，且在您的管辖范围内"),
        Column("姓名", "name", Text(50), required=True, width=10, help="须与身份证号登记的姓名一致"),
    ),
)  # fmt: skip

TRAINING_ROSTER = Roster(
    name="training",
    title="培训参训人员花名册",
    sheets=(PARTICIPANTS,),
    notes=(
        "红色表头为必填列；列的顺序可以调整，表头须与本模板一致。",
        "身份证号请设为“文本”格式，避免 Excel 把后几位变成 0。",
        "按培训和身份证号匹配：同一文件重复导入不会产生重复记录；导入不删除任何参训记录。",
        "只要有一处错误，全部不导入，并返回标出错误单元格的工作簿。",
    ),
)

ENTRIES = [
    RosterEntry(
        key="projects",
        title=PROJECT_ROSTER.title,
        importer="projects.roster_io.project_roster_import",
        template="projects.roster_io.project_roster_template",
        exporter="projects.roster_io.projects_export",
        roles=OFFICES,
    ),
    RosterEntry(
        key="relocations",
        title=RELOCATION_ROSTER.title,
        importer="projects.roster_io.relocation_roster_import",
        template="projects.roster_io.relocation_roster_template",
        exporter="projects.roster_io.relocations_export",
        roles=OFFICES,
    ),
    RosterEntry(
        key="training",
        title=TRAINING_ROSTER.title,
        importer="projects.roster_io.training_roster_import",
        template="projects.roster_io.training_roster_template",
        exporter="projects.roster_io.training_export",
        roles=OFFICES,
    ),
]
