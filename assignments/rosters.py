"""The responsibility rosters: pairings (挂包帮结对) and revisits (转走访), one sheet each.

The import, export and template code is in ``assignments.roster_io``; the registry names it by path.
"""

from django.core.exceptions import ValidationError

from assignments.models import Revisit
from core.excel.columns import CellError, Column, Roster, Sheet
from core.excel.parsers import Date, Enum, Text
from core.excel.registry import RosterEntry

OFFICES = ("county_admin", "township_official")  # cadres record revisits on the phone, not by Excel
# Only cadres change revisits (the access rule, Revisit.access_scope), and the county changes everything:
# paper revisit records are entered by the county; a township official may not create or overwrite a
# cadre's revisits through the roster (issue 11, finding 8). Exports follow the access rule as before.
REVISIT_IMPORTERS = ("county_admin",)


def _phone(value: str) -> None:
    from assignments.services import _check_phone  # the one rule for a cadre's phone

    try:
        _check_phone(value)
    except ValidationError as exc:
        raise CellError(exc.message_dict["phone"][0]) from None


PAIRINGS = Sheet(
    name="结对帮扶",
    anchor="户编号",
    help="每行一个结对：该户由该干部帮扶。按户编号和干部（挂联单位内的姓名）匹配。",
    columns=(
        Column("挂联单位", "unit", Text(100), required=True, scoped_choices="work_unit", width=20,
               help="须为已登记的挂联单位，且已挂联该户所在的行政村（单位挂村）"),
        Column("干部", "cadre", Text(50), required=True, width=10,
               help="单位内的干部姓名；单位内没有该干部时，县扶贫办管理员填写联系电话即新增该干部"),
        Column("联系电话", "phone", Text(20, code=True), validators=(_phone,), width=14,
               help="11 位手机号或 0878-8212345 这样的座机号；单位内有同名干部时用来区分"),
        Column("户编号", "household_number", Text(30, code=True), required=True, width=18),
        Column("开始日期", "started_on", Date(), width=12,
               help="新结对的开始日期，不填为今天；该户原有在帮干部的结对在这一天结束（换人）"),
        Column("结束日期", "ended_on", Date(), width=12,
               help="填写则结束该干部对该户的在帮结对；已结束的历史结对原样保留"),
    ),
)  # fmt: skip

PAIRING_ROSTER = Roster(
    name="pairings",
    title="挂包帮结对花名册",
    sheets=(PAIRINGS,),
    notes=(
        "红色表头为必填列；列的顺序可以调整，表头须与本模板一致。",
        "一户同时只能有一名在帮干部：为已有在帮干部的户填写另一名干部，即在开始日期结束原结对（换人）。",
        "同一文件重复导入不会产生重复记录；导入不删除任何结对，历史结对不能通过导入改写。",
        "只要有一处错误，全部不导入，并返回标出错误单元格的工作簿。",
    ),
)

REVISITS = Sheet(
    name="走访记录",
    anchor="户编号",
    help="每次走访一行。按户编号、干部、走访日期和方式匹配；同一文件重复导入不会重复记录。",
    columns=(
        Column("户编号", "household_number", Text(30, code=True), required=True, width=18),
        Column("干部", "cadre", Text(50), required=True, width=10, help="与该户结对的干部姓名"),
        Column("走访日期", "visited_on", Date(), required=True, width=12,
               help="须在该干部与该户的结对期间内，且不晚于今天"),
        Column("方式", "kind", Enum(Revisit.Kind), default=Revisit.Kind.HOME, width=8, help="不填为入户"),
        Column("回访轮次", "round", Text(50), scoped_choices="round", width=14,
               help="如 2016年第2轮；不填则按走访日期归入轮次"),
        Column("基本情况", "situation", Text(2000), default="", width=30),
        Column("发现问题", "problems", Text(2000), default="", width=30),
        Column("帮扶内容", "help_given", Text(2000), default="", width=30),
    ),
)  # fmt: skip

REVISIT_ROSTER = Roster(
    name="revisits",
    title="转走访记录花名册",
    sheets=(REVISITS,),
    notes=(
        "红色表头为必填列；列的顺序可以调整，表头须与本模板一致。",
        "用于补录纸质走访记录；干部本人请使用手机走访页面。",
        "同一户、同一干部、同一天、同一方式有多行时，按顺序与已登记的记录对应。",
        "只要有一处错误，全部不导入，并返回标出错误单元格的工作簿。",
    ),
)

ENTRIES = [
    RosterEntry(
        key="pairings",
        title=PAIRING_ROSTER.title,
        importer="assignments.roster_io.pairing_roster_import",
        template="assignments.roster_io.pairing_roster_template",
        exporter="assignments.roster_io.pairings_export",
        roles=OFFICES,
    ),
    RosterEntry(
        key="revisits",
        title=REVISIT_ROSTER.title,
        importer="assignments.roster_io.revisit_roster_import",
        template="assignments.roster_io.revisit_roster_template",
        exporter="assignments.roster_io.revisits_export",
        roles=REVISIT_IMPORTERS,
    ),
]
