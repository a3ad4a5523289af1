"""The department alert roster (部门筛查预警): alerts from 医保, 民政, 残联 and 应急, matched by ID number.

The import code is in ``monitoring.roster_io``; the registry names it by path.
"""

from core.excel.columns import Column, Roster, Sheet
from core.excel.parsers import Date, Enum, IdNumber, Text
from core.excel.registry import RosterEntry
from monitoring.choices import Department

IMPORTERS = ("county_admin", "township_official")

ALERTS = Sheet(
    name="部门预警",
    anchor="身份证号",
    help="每行一条预警。按身份证号匹配在册人口，匹配到的户成为监测对象候选（部门筛查预警）。",
    columns=(
        Column("身份证号", "id_number", IdNumber(), required=True, width=22,
               help="预警对象的身份证号，须为本县在册人口"),
        Column("姓名", "name", Text(50), default="", width=10, help="仅供核对，不参与匹配"),
        Column("预警部门", "department", Enum(Department), required=True, width=10),
        Column("预警日期", "alerted_on", Date(), width=12, help="不填为今天"),
        Column("预警内容", "content", Text(500), required=True, width=40,
               help="如 住院医疗费用自付 3.2 万元；新增低保；新办残疾证；房屋受灾"),
        Column("风险类型", "risk", Text(20), default="", width=14,
               help="如 因病、因灾；不填按预警部门：医保为因病，残联为因残，应急为因灾"),
    ),
)  # fmt: skip

ALERT_ROSTER = Roster(
    name="monitoring_alerts",
    title="部门筛查预警名单",
    sheets=(ALERTS,),
    notes=(
        "红色表头为必填列；列的顺序可以调整，表头须与本模板一致。",
        "身份证号未登记或不在您管辖范围内的行将被退回（不说明是哪一种）。",
        "已是监测对象的户，预警内容并入该对象，不重复登记。",
        "只要有一处错误，全部不导入，并返回标出错误单元格的工作簿。",
    ),
)

ENTRIES = [
    RosterEntry(
        key="monitoring_alerts",
        title=ALERT_ROSTER.title,
        importer="monitoring.roster_io.alert_roster_import",
        template="monitoring.roster_io.alert_roster_template",
        roles=IMPORTERS,
    ),
]
